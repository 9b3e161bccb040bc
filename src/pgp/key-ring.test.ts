import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import * as openpgp from 'openpgp';
import { pino } from 'pino';
import { dialects } from '../../test/support/databases.ts';
import { isPgpError } from './pgp.errors.ts';
import { bytesOf, collect, openTestPgp } from './test-support.ts';

async function encryptFor(armoredPublicKey: string, text: string): Promise<Buffer> {
  const encryptionKeys = await openpgp.readKey({ armoredKey: armoredPublicKey });
  const message = await openpgp.createMessage({ binary: Buffer.from(text) });
  return Buffer.from(await openpgp.encrypt({ message, encryptionKeys, format: 'binary' }));
}

function mode(file: string): number {
  return fs.statSync(file).mode & 0o777;
}

for (const dialect of dialects()) {
  describe(`Workgate's key ring on ${dialect.name}`, { skip: dialect.skip }, () => {
    it('generates a published ECC key on first start: file 0600 in a 0700 directory, listed in the table', async () => {
      const database = await dialect.create();
      const t = await openTestPgp(database.db);
      try {
        const published = await t.pgp.keys.published();
        assert.equal(published.state, 'published');
        assert.equal(published.algorithm, 'ed25519/cv25519');
        assert.match(published.armored, /^-----BEGIN PGP PUBLIC KEY BLOCK-----/);
        const file = path.join(t.dataDir, 'pgp', `${published.fingerprint}.asc`);
        assert.equal(mode(file), 0o600);
        assert.equal(mode(path.dirname(file)), 0o700);
        assert.deepEqual(fs.readdirSync(path.dirname(file)), [`${published.fingerprint}.asc`], 'no temporary file is left');
        const key = await openpgp.readKey({ armoredKey: published.armored });
        assert.equal(key.keyPacket.version, 4, 'a v4 key GnuPG 2.2 reads');
      } finally {
        t.close();
        await database.drop();
      }
    });

    it('without a passphrase warns once and stores the key unencrypted; with one, the file is protected', async () => {
      const database = await dialect.create();
      const warnings: string[] = [];
      const log = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(line) });
      const plain = await openTestPgp(database.db);
      try {
        const { openPgpService } = await import('./pgp.service.ts');
        await openPgpService({ db: database.db, dataDir: plain.dataDir, settings: { passphrase: undefined, keyType: 'ecc', maxPlaintextBytes: 1024 }, findAccountId: async () => undefined, log });
        assert.equal(warnings.filter((w) => w.includes('WORKGATE_PGP_PASSPHRASE is not set')).length, 1);
        const { fingerprint } = await plain.pgp.keys.published();
        const file = path.join(plain.dataDir, 'pgp', `${fingerprint}.asc`);
        assert.ok((await openpgp.readPrivateKey({ armoredKey: fs.readFileSync(file, 'utf8') })).isDecrypted());

        // Started again with a passphrase: the existing file gets protected.
        await openTestPgp(database.db, { passphrase: 'correct horse' }, plain.dataDir);
        assert.equal((await openpgp.readPrivateKey({ armoredKey: fs.readFileSync(file, 'utf8') })).isDecrypted(), false);
        assert.ok(!warnings.some((w) => w.includes('correct horse')), 'the passphrase is never logged');
      } finally {
        plain.close();
        await database.drop();
      }
    });

    it('refuses to start with a wrong passphrase, naming the key', async () => {
      const database = await dialect.create();
      const first = await openTestPgp(database.db, { passphrase: 'right' });
      try {
        const { fingerprint } = await first.pgp.keys.published();
        await assert.rejects(openTestPgp(database.db, { passphrase: 'wrong' }, first.dataDir), (error: unknown) => {
          assert.ok(isPgpError(error, 'wrong_passphrase'));
          assert.match(error.message, new RegExp(`WORKGATE_PGP_PASSPHRASE does not unlock Workgate's PGP key ${fingerprint}`));
          assert.doesNotMatch(error.message, /right|wrong passphrase.*wrong/);
          return true;
        });
        await assert.rejects(openTestPgp(database.db, {}, first.dataDir), /protected by a passphrase: set WORKGATE_PGP_PASSPHRASE/);
      } finally {
        first.close();
        await database.drop();
      }
    });

    it('rotation publishes a new key; the old one still decrypts until it is retired', async () => {
      const database = await dialect.create();
      const t = await openTestPgp(database.db);
      try {
        const old = await t.pgp.keys.published();
        const forOld = await encryptFor(old.armored, 'for the old key');
        const rotated = await t.pgp.keys.rotate();
        assert.notEqual(rotated.fingerprint, old.fingerprint);
        assert.equal((await t.pgp.keys.published()).fingerprint, rotated.fingerprint);
        const states = Object.fromEntries((await t.pgp.keys.list()).map((k) => [k.fingerprint, k.state]));
        assert.deepEqual(states, { [old.fingerprint]: 'active', [rotated.fingerprint]: 'published' });

        const decrypted = t.pgp.decrypt(bytesOf(forOld));
        assert.equal((await collect(decrypted.plaintext)).toString(), 'for the old key');
        assert.equal((await decrypted.outcome).decryptedWith, old.fingerprint);

        await assert.rejects(t.pgp.keys.retire(rotated.fingerprint), /is the published key: rotate first/);
        const retired = await t.pgp.keys.retire(old.fingerprint.toLowerCase().replace(/(.{4})/g, '$1 '));
        assert.equal(retired.state, 'retired');
        assert.ok(retired.retiredAt);
        await assert.rejects(collect(t.pgp.decrypt(bytesOf(forOld)).plaintext), (error: unknown) => isPgpError(error, 'no_matching_key'));
        await assert.rejects(t.pgp.keys.retire('0'.repeat(40)), /not found/);
      } finally {
        t.close();
        await database.drop();
      }
    });

    it('nodes sharing the data dir and database agree: one published key, and a rotation elsewhere is picked up', async () => {
      const database = await dialect.create();
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wg-pgp-nodes-'));
      // Two nodes start at once on a fresh installation: each may generate a key, only one is published.
      const [a, shared] = await Promise.all([openTestPgp(database.db, {}, dir), openTestPgp(database.db, {}, dir)]);
      try {
        assert.deepEqual(fs.readdirSync(path.join(dir, 'pgp')).length, 1, 'the losing node removed its key file');
        assert.equal((await a.pgp.keys.list()).filter((k) => k.state === 'published').length, 1);
        const rotated = await shared.pgp.keys.rotate();
        const message = await encryptFor((await shared.pgp.keys.published()).armored, 'after rotation');
        assert.equal((await a.pgp.keys.published()).fingerprint, rotated.fingerprint);
        assert.equal((await collect(a.pgp.decrypt(bytesOf(message)).plaintext)).toString(), 'after rotation');
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
        await database.drop();
      }
    });
  });
}
