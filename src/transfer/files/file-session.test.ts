import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { dialects, type TestDatabase } from '../../../test/support/databases.ts';
import { createFileStore } from '../../storage/index.ts';
import type { TransferAccount } from '../account.types.ts';
import type { AuditEventInput } from '../audit.ts';
import { createTransferAccounts } from '../index.ts';
import { createTransferFiles, PathRefusedError, QuotaExceededError, type FileSession, type ReceivedFile, type TransferFiles } from './index.ts';

const log = pino({ level: 'silent' });
const sha = (data: Buffer) => crypto.createHash('sha256').update(data).digest('hex');
const upload = { read: false, write: true, create: true, truncate: true, exclusive: false };
const download = { read: true, write: false, create: false, truncate: false, exclusive: false };

async function put(session: FileSession, file: string, data: Buffer, chunk = 100_000): Promise<void> {
  const handle = await session.open(file, upload);
  for (let offset = 0; offset < data.length; offset += chunk) await session.write(handle, offset, data.subarray(offset, offset + chunk));
  await session.close(handle);
}

async function get(session: FileSession, file: string): Promise<Buffer> {
  const handle = await session.open(file, download);
  const parts: Buffer[] = [];
  for (let offset = 0; ; ) {
    const data = await session.read(handle, offset, 65_536);
    if (!data) break;
    parts.push(data);
    offset += data.length;
  }
  await session.close(handle);
  return Buffer.concat(parts);
}

async function names(session: FileSession, dir: string): Promise<string[]> {
  const handle = await session.openDirectory(dir);
  const all: string[] = [];
  for (let page = await session.readDirectory(handle); page; page = await session.readDirectory(handle)) all.push(...page.map((e) => e.name));
  await session.close(handle);
  return all;
}

for (const dialect of dialects()) {
  describe(`file session on ${dialect.name}`, { skip: dialect.skip }, () => {
    let database: TestDatabase;
    let root: string;
    let files: TransferFiles;
    let account: TransferAccount;
    const audits: AuditEventInput[] = [];
    const received: ReceivedFile[] = [];
    const open = (who: TransferAccount = account) =>
      files.openSession(
        { account: who, address: '192.0.2.7', sessionId: 's1', traffic: { bytesIn: 0, bytesOut: 0 } },
        { audit: async (event) => void audits.push(event), log, pageSize: 100 },
      );
    const accountDir = (...parts: string[]) => path.join(root, 'accounts', String(account.id), ...parts);
    const leftovers = () => fs.readdirSync(path.join(root, 'uploading'));

    before(async () => {
      database = await dialect.create();
      root = fs.mkdtempSync(path.join(os.tmpdir(), 'workgate-files-'));
      const clock = () => new Date();
      files = createTransferFiles({ db: database.db, store: await createFileStore(root), clock, log });
      files.onFileReceived((file) => void received.push(file));
      const transfer = createTransferAccounts({ db: database.db, clock, log });
      const created = await transfer.create({ username: 'acme', password: 'a long enough password 1', folders: ['CCW', 'Users'] }, 'test');
      account = created.account;
    });
    after(async () => {
      await files.close();
      await database.drop();
      fs.rmSync(root, { recursive: true, force: true });
    });

    it('receives an upload on close: record, event with its SHA-256, listed read-only in Incoming, nothing left over', async () => {
      const session = open();
      const data = crypto.randomBytes(350_000);
      await put(session, '/Incoming/CCW/users.csv', data);
      const file = received.at(-1)!;
      assert.deepEqual([file.folder, file.name, file.size, file.sha256, file.status], ['CCW', 'users.csv', data.length, sha(data), 'received']);
      assert.deepEqual(fs.readFileSync(path.join(root, 'received', file.storageKey)), data);
      assert.deepEqual(await names(session, '/Incoming/CCW'), ['users.csv']);
      assert.equal((await session.stat('/Incoming/CCW/users.csv')).permissions, 0o444);
      await assert.rejects(session.remove('/Incoming/CCW/users.csv'), PathRefusedError);
      await assert.rejects(session.rename('/Incoming/CCW/users.csv', '/Incoming/CCW/other.csv'), PathRefusedError);
      await assert.rejects(session.open('/Incoming/CCW/users.csv', download), PathRefusedError);
      assert.deepEqual(leftovers(), []);
      assert.ok(audits.some((a) => a.event === 'upload' && a.outcome === 'success' && a.detail?.sha256 === sha(data)));
    });

    it('keeps a temporary name waiting (renamable, deletable) and receives it when renamed to a final name', async () => {
      const session = open();
      const data = crypto.randomBytes(10_000);
      const before = received.length;
      await put(session, '/Incoming/CCW/x.csv.filepart', data);
      await put(session, '/Incoming/CCW/.hidden.csv', data);
      assert.equal(received.length, before);
      assert.ok((await names(session, '/Incoming/CCW')).includes('x.csv.filepart'));
      await session.rename('/Incoming/CCW/x.csv.filepart', '/Incoming/CCW/x.csv.part');
      await session.rename('/Incoming/CCW/x.csv.part', '/Incoming/CCW/x.csv');
      assert.equal(received.at(-1)!.name, 'x.csv');
      assert.equal(received.at(-1)!.sha256, sha(data));
      await session.remove('/Incoming/CCW/.hidden.csv');
      assert.deepEqual(await names(session, '/Incoming/CCW'), ['users.csv', 'x.csv']);
      await assert.rejects(session.rename('/Incoming/CCW/x.csv', '/Incoming/Users/x.csv'), PathRefusedError);
    });

    it('gives two uploads of one name two records and storage keys', async () => {
      const session = open();
      const before = received.length;
      await put(session, '/Incoming/Users/same.csv', Buffer.from('one'));
      await put(session, '/Incoming/Users/same.csv', Buffer.from('two'));
      const [first, second] = received.slice(before);
      assert.ok(first && second && first.id !== second.id && first.storageKey !== second.storageKey);
      assert.deepEqual(await names(session, '/Incoming/Users'), ['same.csv']);
      assert.equal((await session.stat('/Incoming/Users/same.csv')).size, 3);
    });

    it('receives a large upload whole (flushed to disk while it is written)', async () => {
      const session = open();
      const chunk = crypto.randomBytes(1024 * 1024);
      const handle = await session.open('/Incoming/Users/large.csv', upload);
      const hash = crypto.createHash('sha256');
      for (let i = 0; i < 80; i++) {
        await session.write(handle, i * chunk.length, chunk);
        hash.update(chunk);
      }
      await session.close(handle);
      assert.deepEqual([received.at(-1)!.size, received.at(-1)!.sha256], [80 * chunk.length, hash.digest('hex')]);
    });

    it('hashes writes that arrive out of order by reading the file again', async () => {
      const session = open();
      const data = crypto.randomBytes(3_000_000);
      const handle = await session.open('/Incoming/CCW/shuffled.csv', upload);
      const chunk = 262_144;
      const offsets = Array.from({ length: Math.ceil(data.length / chunk) }, (_, i) => i * chunk).reverse();
      await Promise.all(offsets.map((offset) => session.write(handle, offset, data.subarray(offset, offset + chunk))));
      await session.write(handle, 0, data.subarray(0, 10));
      await session.close(handle);
      assert.equal(received.at(-1)!.sha256, sha(data));
    });

    it('refuses an upload over the quota: the write fails, nothing is left and it is audited once', async () => {
      const transfer = createTransferAccounts({ db: database.db, clock: () => new Date(), log });
      const created = await transfer.create({ username: 'small', password: 'a long enough password 2', folders: ['CCW'], quotaBytes: 1_000_000 }, 'test');
      const session = open(created.account);
      const before = received.length;
      const handle = await session.open('/Incoming/CCW/big.csv', upload);
      await session.write(handle, 0, Buffer.alloc(600_000, 1));
      await assert.rejects(session.write(handle, 600_000, Buffer.alloc(600_000, 1)), QuotaExceededError);
      await assert.rejects(session.write(handle, 1_200_000, Buffer.alloc(10, 1)), QuotaExceededError);
      await assert.rejects(session.close(handle), QuotaExceededError);
      assert.equal(received.length, before);
      assert.deepEqual(leftovers(), []);
      assert.equal(audits.filter((a) => a.event === 'quota_exceeded').length, 1);
      await put(session, '/Incoming/CCW/fits.csv', Buffer.alloc(1000, 1));
      assert.equal(received.length, before + 1);
    });

    it('drops uploads in progress when the client goes away: no record, no partial file', async () => {
      const session = open();
      const before = received.length;
      const handle = await session.open('/Incoming/CCW/cut.csv', upload);
      await session.write(handle, 0, Buffer.alloc(100_000, 2));
      await session.end();
      assert.equal(received.length, before);
      assert.deepEqual(leftovers(), []);
      assert.ok(!(await names(open(), '/Incoming/CCW')).includes('cut.csv'));
    });

    it('serves Outgoing files written by the pipeline; deletes them; refuses writes there', async () => {
      const session = open();
      const written = await files.writeOutgoing(account.id, 'CCW', 'users.csv.result.csv', Buffer.from('Line,Key,Outcome,Message\n'));
      assert.equal(written.sha256, sha(Buffer.from('Line,Key,Outcome,Message\n')));
      assert.deepEqual(await names(session, '/Outgoing/CCW'), ['users.csv.result.csv']);
      assert.equal((await get(session, '/Outgoing/CCW/users.csv.result.csv')).toString(), 'Line,Key,Outcome,Message\n');
      await assert.rejects(session.open('/Outgoing/CCW/new.csv', upload), PathRefusedError);
      await assert.rejects(session.rename('/Outgoing/CCW/users.csv.result.csv', '/Outgoing/CCW/r.csv'), PathRefusedError);
      await session.remove('/Outgoing/CCW/users.csv.result.csv');
      assert.deepEqual(await names(session, '/Outgoing/CCW'), []);
    });

    it('moves a processed original to Archive: gone from Incoming, downloadable, a second one of the name numbered', async () => {
      const session = open();
      await put(session, '/Incoming/Users/arch.csv', Buffer.from('first'));
      const first = received.at(-1)!;
      await put(session, '/Incoming/Users/arch.csv', Buffer.from('second'));
      const second = received.at(-1)!;
      assert.deepEqual(await files.archive(first, 'processed'), { archivedName: 'arch.csv' });
      assert.deepEqual(await files.archive(second, 'failed'), { archivedName: 'arch.2.csv' });
      assert.ok(!(await names(session, '/Incoming/Users')).includes('arch.csv'));
      assert.deepEqual(await names(session, '/Archive/Incoming/Users'), ['arch.2.csv', 'arch.csv']);
      assert.equal((await get(session, '/Archive/Incoming/Users/arch.2.csv')).toString(), 'second');
      assert.equal((await files.get(first.id))!.status, 'processed');
      await assert.rejects(session.remove('/Archive/Incoming/Users/arch.csv'), PathRefusedError);
      const content = await files.openContent(first);
      assert.equal(Buffer.concat(await content.toArray()).toString(), 'first');
    });

    it('never follows links planted on disk: at the leaf, dangling, or as an intermediate directory', async () => {
      const session = open();
      fs.mkdirSync(accountDir('Outgoing', 'CCW'), { recursive: true });
      fs.symlinkSync('/etc/passwd', accountDir('Outgoing', 'CCW', 'passwd'));
      fs.symlinkSync('/nonexistent', accountDir('Outgoing', 'CCW', 'dangling'));
      fs.writeFileSync(accountDir('Outgoing', 'CCW', 'real.csv'), 'ok');
      assert.deepEqual(await names(session, '/Outgoing/CCW'), ['real.csv']);
      await assert.rejects(session.open('/Outgoing/CCW/passwd', download), PathRefusedError);
      await assert.rejects(session.stat('/Outgoing/CCW/dangling'), PathRefusedError);
      await assert.rejects(session.remove('/Outgoing/CCW/passwd'), PathRefusedError);
      assert.ok(fs.existsSync('/etc/passwd'));

      fs.mkdirSync(accountDir('Archive', 'Incoming'), { recursive: true });
      const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'workgate-elsewhere-'));
      fs.writeFileSync(path.join(elsewhere, 'secret.txt'), 'secret');
      fs.symlinkSync(elsewhere, accountDir('Archive', 'Incoming', 'CCW'));
      await assert.rejects(names(session, '/Archive/Incoming/CCW'), PathRefusedError);
      await assert.rejects(session.open('/Archive/Incoming/CCW/secret.txt', download), PathRefusedError);
      fs.symlinkSync('/etc/passwd', accountDir('Incoming', 'CCW', 'planted.part'));
      await assert.rejects(session.rename('/Incoming/CCW/planted.part', '/Incoming/CCW/planted.csv'), PathRefusedError);
      assert.ok(audits.filter((a) => a.event === 'path_refused').length >= 6);
      fs.rmSync(elsewhere, { recursive: true, force: true });
    });

    it('lets times change and nothing else; refuses directories and links requests', async () => {
      const session = open();
      await put(session, '/Incoming/CCW/t.part', Buffer.from('x'));
      await session.setAttributes('/Incoming/CCW/t.part', { mtime: new Date('2030-01-01T00:00:00Z'), atime: new Date('2030-01-01T00:00:00Z') });
      assert.equal((await session.stat('/Incoming/CCW/t.part')).mtime.toISOString(), '2030-01-01T00:00:00.000Z');
      await assert.rejects(session.setAttributes('/Incoming/CCW/t.part', { permissions: 0o777 }), PathRefusedError);
      await assert.rejects(session.setAttributes('/Incoming/CCW/t.part', { size: 0 }), PathRefusedError);
      for (const op of ['mkdir', 'rmdir', 'symlink', 'link', 'readlink'] as const) await assert.rejects(session.refuse(op, '/Incoming/CCW/d'), PathRefusedError);
      const refused = audits.filter((a) => a.event === 'path_refused').map((a) => a.method);
      assert.ok(['setstat', 'mkdir', 'rmdir', 'symlink', 'link', 'readlink'].every((op) => refused.includes(op)));
    });

    it('pages a directory listing', async () => {
      const session = open();
      const dir = accountDir('Outgoing', 'Users');
      fs.mkdirSync(dir, { recursive: true });
      for (let i = 0; i < 250; i++) fs.writeFileSync(path.join(dir, `f${String(i).padStart(4, '0')}.csv`), '');
      const handle = await session.openDirectory('/Outgoing/Users');
      const sizes: number[] = [];
      for (let page = await session.readDirectory(handle); page; page = await session.readDirectory(handle)) sizes.push(page.length);
      assert.deepEqual(sizes, [100, 100, 50]);
    });

    it('finishes receipts a crash interrupted and drops those whose file never arrived', async () => {
      const store = files.store;
      const temp = await store.createTemp();
      await temp.handle.writeFile('recovered');
      await temp.handle.close();
      const key = '20300101-recovered-0001';
      fs.renameSync(temp.path, store.receivedPath(key));
      const at = new Date(Date.now() - 3_600_000).toISOString();
      const row = { account_id: account.id, folder: '/Incoming/CCW', size: 9, sha256: sha(Buffer.from('recovered')), status: 'receiving', address: null, received_at: at, updated_at: at };
      await database.db.kysely.insertInto('transfer_received_files').values([{ ...row, name: 'kept.csv', storage_key: key }, { ...row, name: 'lost.csv', storage_key: '20300101-lost-00000001' }]).execute();
      const before = received.length;
      const result = await files.recover({ olderThanMs: 60_000 });
      assert.deepEqual(result.finished.map((f) => f.name), ['kept.csv']);
      assert.equal(result.removed, 1);
      assert.equal(received.length, before + 1);
      assert.ok((await names(open(), '/Incoming/CCW')).includes('kept.csv'));
      assert.ok(!(await names(open(), '/Incoming/CCW')).includes('lost.csv'));
    });
  });
}
