import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as openpgp from 'openpgp';
import { startWorkgate } from '../app.ts';
import { loadConfig } from '../config.ts';
import { migrateToLatest, openDatabase } from '../db/index.ts';
import { customerKey, insertAccount, silentLog } from './test-support.ts';

interface Run {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** `workgate` as an operator runs it, in its own process. */
function workgate(dataDir: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  const child = spawn(process.execPath, ['src/cli.ts', ...args], {
    env: { ...process.env, WORKGATE_DATA_DIR: dataDir, WORKGATE_HTTP_PORT: '0', WORKGATE_HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: Buffer[] = [];
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout: Buffer.concat(stdout), stderr })));
}

describe('workgate pgp (CLI)', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wg-pgp-cli-'));
  const file = (name: string) => path.join(dataDir, name);
  const csv = 'Name,Code\nHead Office,HO\n'.repeat(100);
  let customer: Awaited<ReturnType<typeof customerKey>>;

  before(async () => {
    const db = openDatabase({ kind: 'sqlite', file: file('workgate.db') });
    await migrateToLatest(db);
    await insertAccount(db, 'acme');
    await db.close();
    customer = await customerKey();
    fs.writeFileSync(file('customer.asc'), customer.armored);
    fs.writeFileSync(file('result.csv'), csv);
  });
  after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('prints the public key, sets a customer key, encrypts for it and decrypts what is sent to Workgate', async () => {
    const published = await workgate(dataDir, ['pgp', 'public-key']);
    assert.equal(published.code, 0, published.stderr);
    assert.match(published.stdout.toString(), /^-----BEGIN PGP PUBLIC KEY BLOCK-----/);
    assert.match(published.stderr, /fingerprint: [0-9A-F]{40}/);

    const set = await workgate(dataDir, ['pgp', 'set-customer-key', 'acme', file('customer.asc')]);
    assert.equal(set.code, 0, set.stderr);
    assert.match(set.stdout.toString(), new RegExp(`encryption key: ${customer.publicKey.getFingerprint().toUpperCase()} ed25519/cv25519`));

    const encrypted = await workgate(dataDir, ['pgp', 'encrypt', '--for', 'acme', file('result.csv')]);
    assert.equal(encrypted.code, 0, encrypted.stderr);
    const workgateKey = await openpgp.readKey({ armoredKey: published.stdout.toString() });
    const message = await openpgp.readMessage({ binaryMessage: encrypted.stdout });
    const opened = await openpgp.decrypt({ message, decryptionKeys: customer.privateKey, verificationKeys: workgateKey, expectSigned: true, format: 'binary' });
    assert.equal(Buffer.from(opened.data).toString(), csv);

    const inbound = await openpgp.encrypt({ message: await openpgp.createMessage({ binary: Buffer.from(csv) }), encryptionKeys: workgateKey, format: 'binary' });
    fs.writeFileSync(file('inbound.pgp'), inbound);
    const decrypted = await workgate(dataDir, ['pgp', 'decrypt', file('inbound.pgp')]);
    assert.equal(decrypted.code, 0, decrypted.stderr);
    assert.equal(decrypted.stdout.toString(), csv);

    const tampered = Buffer.from(inbound);
    tampered[tampered.length - 50] = (tampered[tampered.length - 50] ?? 0) ^ 1;
    fs.writeFileSync(file('tampered.pgp'), tampered);
    const refused = await workgate(dataDir, ['pgp', 'decrypt', file('tampered.pgp')]);
    assert.equal(refused.code, 1);
    assert.equal(refused.stdout.length, 0, 'nothing unauthenticated is printed');
    assert.match(refused.stderr, /failed its integrity check/);
  });

  it('Workgate does not start with a wrong passphrase, and says why', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wg-pgp-pass-'));
    const env = { WORKGATE_DATA_DIR: dir, WORKGATE_ROLES: 'http', WORKGATE_HTTP_PORT: '0', WORKGATE_HOST: '127.0.0.1' };
    try {
      const started = await startWorkgate(loadConfig({ ...env, WORKGATE_PGP_PASSPHRASE: 'the right one' }), silentLog);
      await started.close();
      await assert.rejects(startWorkgate(loadConfig({ ...env, WORKGATE_PGP_PASSPHRASE: 'not it' }), silentLog), (error: Error) => {
        assert.match(error.message, /WORKGATE_PGP_PASSPHRASE does not unlock Workgate's PGP key [0-9A-F]{40} .*: wrong passphrase/);
        assert.doesNotMatch(error.message, /not it|the right one/);
        return true;
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
