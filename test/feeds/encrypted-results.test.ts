import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as openpgp from 'openpgp';
import { dialects } from '../support/databases.ts';
import { startFeedHarness, type FeedHarness } from '../support/feeds.ts';

for (const dialect of dialects()) {
  describe(`result files for an account with a PGP key on ${dialect.name}`, { skip: dialect.skip }, () => {
    let h: FeedHarness;
    let customer: { privateKey: openpgp.PrivateKey; publicKey: openpgp.PublicKey };
    before(async () => {
      h = await startFeedHarness(dialect, { pgp: true });
      const generated = await openpgp.generateKey({ userIDs: [{ name: 'Acme Integration', email: 'int@acme.example' }], format: 'object' });
      customer = { privateKey: generated.privateKey, publicKey: generated.publicKey };
      await h.pgp!.customers.update('acme', { encryptionKey: customer.publicKey.armor() }, 'test');
    });
    after(async () => h?.close());

    it('are encrypted for the customer and signed by Workgate; the file applies and the service keeps answering', async () => {
      const run = await h.upload('Lookups', 'enc.csv', 'Name,Status\nENC1,active\nENC2,maybe\n');
      assert.equal(run.status, 'done_with_errors');
      assert.equal(run.resultFile, 'enc.csv.result.csv.pgp');
      const bytes = fs.readFileSync(path.join(h.store.folderDir(h.accountId, 'Outgoing', 'Lookups'), run.resultFile));
      const workgate = await openpgp.readKey({ armoredKey: (await h.pgp!.keys.published()).armored });
      const { data, signatures } = await openpgp.decrypt({
        message: await openpgp.readMessage({ binaryMessage: bytes }),
        decryptionKeys: customer.privateKey,
        verificationKeys: workgate,
        expectSigned: true,
        format: 'utf8',
      });
      assert.match(String(data), /^Line,Key,Outcome,Message\r?\n2,ENC1,created,\r?\n3,ENC2,error,/);
      assert.equal(await signatures[0]!.verified, true);
      assert.ok(await h.core.lookups.find({ name: 'ENC1' }), 'the good row is applied');
      // The next file runs too: nothing was left waiting on the database.
      assert.equal((await h.upload('Lookups', 'after.csv', 'Name,Status\nENC3,active\n')).status, 'done');
    });
  });
}

for (const dialect of dialects()) {
  describe(`an account that requires signed files, through the feed on ${dialect.name}`, { skip: dialect.skip }, () => {
    let h: FeedHarness;
    let signer: openpgp.PrivateKey;
    let workgate: openpgp.PublicKey;
    before(async () => {
      h = await startFeedHarness(dialect, { pgp: true });
      const generated = await openpgp.generateKey({ userIDs: [{ name: 'Acme Signing', email: 'sign@acme.example' }], format: 'object' });
      signer = generated.privateKey;
      await h.pgp!.customers.update('acme', { signingKey: generated.publicKey.armor(), requireSignedInbound: true }, 'test');
      workgate = await openpgp.readKey({ armoredKey: (await h.pgp!.keys.published()).armored });
    });
    after(async () => h?.close());

    const encrypted = async (text: string, signingKeys?: openpgp.PrivateKey) =>
      Buffer.from(
        (await openpgp.encrypt({ message: await openpgp.createMessage({ text }), encryptionKeys: workgate, ...(signingKeys ? { signingKeys } : {}), format: 'binary' })) as Uint8Array,
      );

    it('refuses an unsigned file and one signed by another key, applying nothing, and applies a file signed by the registered key', async () => {
      const unsigned = await h.upload('Lookups', 'unsigned.csv.pgp', await encrypted('Name,Status\nSIG1,active\n'));
      assert.equal(unsigned.status, 'failed');
      assert.match(h.result('Lookups', unsigned.resultFile!), /the file is not signed, and this account requires signed files/);
      const stranger = (await openpgp.generateKey({ userIDs: [{ name: 'Stranger', email: 'x@example.com' }], format: 'object' })).privateKey;
      const wrong = await h.upload('Lookups', 'stranger.csv.pgp', await encrypted('Name,Status\nSIG2,active\n', stranger));
      assert.equal(wrong.status, 'failed');
      const strangerId = stranger.getKeyID().toHex().toUpperCase();
      assert.match(h.result('Lookups', wrong.resultFile!), new RegExp(`signed by key 0x${strangerId}, which is not the signing key registered for this account`));
      assert.equal(await h.core.lookups.find({ name: 'SIG1' }), undefined);
      assert.equal(await h.core.lookups.find({ name: 'SIG2' }), undefined);
      const signed = await h.upload('Lookups', 'signed.csv.pgp', await encrypted('Name,Status\nSIG3,active\n', signer));
      assert.equal(signed.status, 'done', h.result('Lookups', signed.resultFile!));
      assert.ok(await h.core.lookups.find({ name: 'SIG3' }));
    });
  });
}
