import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { assertPlainName, createFileStore, LinkRefusedError, lstatFile, openNoFollow, type FileStore } from './index.ts';

describe('file store', () => {
  let dir: string;
  let store: FileStore;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'workgate-store-'));
    store = await createFileStore(path.join(dir, 'files'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes a whole file atomically from a buffer or a stream, with its size and SHA-256, leaving no temp file', async () => {
    const written = await store.writeFile(7, 'Outgoing', 'CCW', 'a.csv', Buffer.from('abc'));
    assert.deepEqual([written.size, written.sha256], [3, 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad']);
    await store.writeFile(7, 'Outgoing', 'CCW', 'a.csv', Readable.from([Buffer.from('ab'), Buffer.from('cd')]));
    assert.equal(fs.readFileSync(path.join(store.folderDir(7, 'Outgoing', 'CCW'), 'a.csv'), 'utf8'), 'abcd');
    assert.deepEqual(fs.readdirSync(path.join(store.root, 'uploading')), []);
    assert.deepEqual((await store.listFolder(7, 'Outgoing', 'CCW')).map((f) => [f.name, f.size]), [['a.csv', 4]]);
  });

  it('refuses names and folders that could leave their directory', async () => {
    for (const name of ['', '.', '..', 'a/b', '../x', 'a\0b', 'x'.repeat(256)]) assert.throws(() => assertPlainName(name), name);
    await assert.rejects(store.writeFile(7, 'Outgoing', 'CCW', '../escape.csv', Buffer.from('x')));
    assert.throws(() => store.folderDir(7, 'Outgoing', '../CCW'));
    assert.throws(() => store.folderDir(0, 'Outgoing', 'CCW'));
    assert.throws(() => store.receivedPath('../../etc/passwd'));
  });

  it('never follows a link: open, lstat and listings refuse or skip it', async () => {
    const folder = store.folderDir(7, 'Outgoing', 'CCW');
    fs.symlinkSync('/etc/hostname', path.join(folder, 'link.csv'));
    await assert.rejects(openNoFollow(path.join(folder, 'link.csv'), fs.constants.O_RDONLY), LinkRefusedError);
    await assert.rejects(lstatFile(path.join(folder, 'link.csv')), LinkRefusedError);
    assert.ok(!(await store.listFolder(7, 'Outgoing', 'CCW')).some((f) => f.name === 'link.csv'));
    fs.mkdirSync(path.join(dir, 'elsewhere'));
    fs.mkdirSync(path.join(store.root, 'accounts', '8'), { recursive: true });
    fs.symlinkSync(path.join(dir, 'elsewhere'), path.join(store.root, 'accounts', '8', 'Outgoing'));
    assert.equal(await store.ensureFolder(8, 'Outgoing', 'CCW'), false);
  });

  it('links a received file into a folder, numbering a taken name', async () => {
    const temp = await store.createTemp();
    await temp.handle.writeFile('content');
    await temp.handle.close();
    await store.moveToReceived(temp.path, '20300101-abcdefgh');
    assert.equal(await store.linkReceived('20300101-abcdefgh', 7, 'Archive/Incoming', 'CCW', 'f.csv'), 'f.csv');
    assert.equal(await store.linkReceived('20300101-abcdefgh', 7, 'Archive/Incoming', 'CCW', 'f.csv'), 'f.2.csv');
    assert.equal(await store.linkReceived('20300101-abcdefgh', 7, 'Archive/Incoming', 'CCW', 'f.csv'), 'f.3.csv');
    assert.equal(Buffer.concat(await (await store.openReceived('20300101-abcdefgh')).toArray()).toString(), 'content');
  });

  it('cleans temp files left by a crash once they are old enough', async () => {
    const temp = await store.createTemp();
    await temp.handle.close();
    assert.equal(await store.cleanStaleTemps(3_600_000), 0);
    assert.equal(await store.cleanStaleTemps(3_600_000, new Date(Date.now() + 7_200_000)), 1);
    assert.ok(!fs.existsSync(temp.path));
  });
});
