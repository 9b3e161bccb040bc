import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as openpgp from 'openpgp';
import { dialects, type TestDatabase } from '../../test/support/databases.ts';
import { isPgpError, type PgpReason } from './pgp.errors.ts';
import { bytesOf, collect, customerKey, insertAccount, openTestPgp, type TestPgp } from './test-support.ts';

const marker = 'PLAINTEXT-MARKER-7f3a';
const csv = `Name,Code\n${marker},A\n`.repeat(500);

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

for (const dialect of dialects()) {
  describe(`the PGP service on ${dialect.name}`, { skip: dialect.skip }, () => {
    let database: TestDatabase;
    let t: TestPgp;
    let customer: Awaited<ReturnType<typeof customerKey>>;
    let workgatePublic: openpgp.PublicKey;

    async function fromCustomer(options: { sign?: boolean; tamper?: boolean } = {}): Promise<Buffer> {
      const message = await openpgp.createMessage({ binary: Buffer.from(csv) });
      const signing = options.sign ? { signingKeys: customer.privateKey } : {};
      const bytes = Buffer.from(await openpgp.encrypt({ message, encryptionKeys: workgatePublic, format: 'binary', ...signing }));
      if (options.tamper) bytes[bytes.length - 100] = (bytes[bytes.length - 100] ?? 0) ^ 0x40;
      return bytes;
    }

    before(async () => {
      database = await dialect.create();
      t = await openTestPgp(database.db, { maxPlaintextBytes: 4096 * 1024 });
      customer = await customerKey();
      workgatePublic = await openpgp.readKey({ armoredKey: (await t.pgp.keys.published()).armored });
      await insertAccount(database.db, 'signer');
      await insertAccount(database.db, 'relaxed');
      await t.pgp.customers.update('signer', { encryptionKey: customer.armored, signingKey: customer.armored, requireSignedInbound: true }, 'test');
    });
    after(async () => {
      t.close();
      await database.drop();
    });

    it('decrypts a file from an account that requires signatures, and names the signer', async () => {
      const { plaintext, outcome } = t.pgp.decrypt(bytesOf(await fromCustomer({ sign: true })), { from: 'signer' });
      assert.equal((await collect(plaintext)).toString(), csv);
      assert.equal((await outcome).signer?.fingerprint, customer.publicKey.getFingerprint().toUpperCase());
    });

    const failures: Array<[string, () => Promise<Buffer>, string | undefined, PgpReason]> = [
      ['unsigned for an account that requires signatures', () => fromCustomer(), 'signer', 'unsigned'],
      ['tampered', () => fromCustomer({ sign: true, tamper: true }), 'signer', 'integrity'],
      ['truncated', async () => (await fromCustomer()).subarray(0, 2000), 'relaxed', 'truncated'],
    ];
    for (const [what, make, from, reason] of failures) {
      it(`refuses a ${what} file, and no plaintext is left on disk`, async () => {
        const { plaintext } = t.pgp.decrypt(bytesOf(await make()), from === undefined ? {} : { from });
        await assert.rejects(collect(plaintext), (error: unknown) => isPgpError(error, reason));
        for (const file of filesUnder(t.dataDir)) assert.ok(!fs.readFileSync(file).includes(marker), `${file} holds no plaintext`);
      });
    }

    it('applies a per-file limit lower than the configured one', async () => {
      const { plaintext } = t.pgp.decrypt(bytesOf(await fromCustomer()), { maxPlaintextBytes: 1024 });
      await assert.rejects(collect(plaintext), (error: unknown) => isPgpError(error, 'too_large'));
    });

    it('encrypts and signs for an account\'s customer key; refuses an account without one', async () => {
      const encrypted = await collect(t.pgp.encrypt(bytesOf(csv), { for: 'signer', armor: true }));
      const message = await openpgp.readMessage({ armoredMessage: encrypted.toString() });
      const result = await openpgp.decrypt({ message, decryptionKeys: customer.privateKey, verificationKeys: workgatePublic, expectSigned: true, format: 'binary' });
      assert.equal(Buffer.from(result.data).toString(), csv);
      await assert.rejects(collect(t.pgp.encrypt(bytesOf(csv), { for: 'relaxed' })), (error: unknown) => isPgpError(error, 'no_customer_key'));
      await assert.rejects(collect(t.pgp.encrypt(bytesOf(csv), { for: 'nobody' })), /SFTP account nobody not found/);
    });
  });
}
