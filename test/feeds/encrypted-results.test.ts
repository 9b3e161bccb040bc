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
