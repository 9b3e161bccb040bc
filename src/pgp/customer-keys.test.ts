import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as openpgp from 'openpgp';
import { dialects, type TestDatabase } from '../../test/support/databases.ts';
import { ValidationError } from '../shared/errors.ts';
import { isPgpError, type PgpReason } from './pgp.errors.ts';
import { customerKey, insertAccount, openTestPgp, type TestPgp } from './test-support.ts';

const day = 24 * 3600 * 1000;

/** The keys a customer might send by mistake, made once (generation is the slow part). */
async function badKeys() {
  const good = await customerKey();
  const expired = await customerKey({ date: new Date(Date.now() - 10 * day), keyExpirationTime: 24 * 3600 });
  const revoked = (await openpgp.revokeKey({ key: (await customerKey()).privateKey, format: 'object' })).publicKey;
  const signOnly = await customerKey({ subkeys: [] });
  const rsa1024 = await customerKey({ type: 'rsa', rsaBits: 1024, config: { minRSABits: 1024 } });
  return { good, expired, revoked, signOnly, rsa1024 };
}

let keys: Awaited<ReturnType<typeof badKeys>>;
before(async () => {
  keys = await badKeys();
});

for (const dialect of dialects()) {
  describe(`customers' keys on ${dialect.name}`, { skip: dialect.skip }, () => {
    let database: TestDatabase;
    let t: TestPgp;
    let n = 0;
    const account = async () => {
      n += 1;
      await insertAccount(database.db, `acme${n}`);
      return `acme${n}`;
    };

    before(async () => {
      database = await dialect.create();
      t = await openTestPgp(database.db);
    });
    after(async () => {
      t.close();
      await database.drop();
    });

    it('sets, replaces and removes an account\'s keys and policy', async () => {
      const user = await account();
      const empty = await t.pgp.customers.get(user);
      assert.deepEqual(empty, { username: user, encryptionKey: null, signingKey: null, requireSignedInbound: false });

      const set = await t.pgp.customers.update(user, { encryptionKey: keys.good.armored, signingKey: keys.good.armored, requireSignedInbound: true }, 'test');
      assert.equal(set.encryptionKey?.fingerprint, keys.good.publicKey.getFingerprint().toUpperCase());
      assert.equal(set.encryptionKey?.algorithm, 'ed25519/cv25519');
      assert.equal(set.signingKey?.algorithm, 'ed25519');
      assert.equal(set.requireSignedInbound, true);
      assert.equal(set.encryptionKey?.updatedBy, 'test');

      const other = await customerKey({ type: 'rsa', rsaBits: 2048 });
      const replaced = await t.pgp.customers.update(user, { encryptionKey: other.armored }, 'test');
      assert.equal(replaced.encryptionKey?.algorithm, 'rsa2048');
      assert.equal(replaced.encryptionKey?.bits, 2048);
      assert.equal(replaced.signingKey?.fingerprint, set.signingKey?.fingerprint, 'the signing key is left as it was');

      const policy = await t.pgp.customers.inboundPolicyFor(user);
      assert.equal(policy.requireSigned, true);
      assert.equal(policy.verificationKeys.length, 1);
      assert.ok(await t.pgp.customers.encryptionKeyFor(user));

      await t.pgp.customers.remove(user);
      assert.deepEqual(await t.pgp.customers.get(user), empty);
      await assert.rejects(t.pgp.customers.encryptionKeyFor(user), (error: unknown) => isPgpError(error, 'no_customer_key'));
    });

    const refusals: Array<[string, () => string, PgpReason, RegExp]> = [
      ['an expired key', () => keys.expired.armored, 'bad_key:expired', /expired on \d{4}-\d\d-\d\d/],
      ['a revoked key', () => keys.revoked.armor(), 'bad_key:revoked', /revoked/],
      ['a key without an encryption subkey', () => keys.signOnly.armored, 'bad_key:no_encryption_subkey', /no valid encryption-capable/],
      ['RSA under 2048 bits', () => keys.rsa1024.armored, 'bad_key:weak_rsa', /RSA 1024 bits; at least 2048/],
      ['something that is not a key', () => 'hello', 'bad_key:not_public_key', /not an OpenPGP public key/],
      ['a private key pasted by mistake', () => keys.good.privateKey.armor(), 'bad_key:private_key', /PRIVATE key: it was not stored/],
      ['two keys at once', () => keys.good.armored + keys.expired.armored, 'bad_key:multiple_keys', /2 armored blocks/],
    ];
    for (const [what, armored, reason, message] of refusals) {
      it(`refuses ${what} with a reason, and stores nothing`, async () => {
        const user = await account();
        await assert.rejects(t.pgp.customers.update(user, { encryptionKey: armored() }, 'test'), (error: unknown) => {
          assert.ok(isPgpError(error, reason), String(error));
          assert.match(error.message, /^encryption key: /);
          assert.match(error.message, message);
          assert.doesNotMatch(error.message, /BEGIN PGP/);
          return true;
        });
        const rows = await database.db.kysely.selectFrom('pgp_customer_keys').select('public_key').execute();
        assert.ok(!rows.some((row) => row.public_key.includes('PRIVATE')), 'no private key is ever stored');
        assert.equal((await t.pgp.customers.get(user)).encryptionKey, null);
      });
    }

    it('accepts a sign-only key as signing key, and requires one for the signature policy', async () => {
      const user = await account();
      await assert.rejects(t.pgp.customers.update(user, { requireSignedInbound: true }, 'test'), ValidationError);
      const set = await t.pgp.customers.update(user, { signingKey: keys.signOnly.armored, requireSignedInbound: true }, 'test');
      assert.equal(set.signingKey?.algorithm, 'ed25519');
    });

    it('answers not found for an unknown account', async () => {
      await assert.rejects(t.pgp.customers.get('nobody'), /SFTP account nobody not found/);
      await assert.rejects(t.pgp.customers.update('x'.repeat(65), { encryptionKey: null }, 'test'), /not found/);
    });

    it('goes with its account when the account is deleted', async () => {
      const user = await account();
      const id = Number((await database.db.kysely.selectFrom('transfer_accounts').select('id').where('username', '=', user).executeTakeFirstOrThrow()).id);
      await t.pgp.customers.update(user, { signingKey: keys.good.armored, requireSignedInbound: true }, 'test');
      await database.db.kysely.deleteFrom('transfer_accounts').where('id', '=', id).execute();
      const keysLeft = await database.db.kysely.selectFrom('pgp_customer_keys').select('id').where('account_id', '=', id).execute();
      const policiesLeft = await database.db.kysely.selectFrom('pgp_account_policies').select('account_id').where('account_id', '=', id).execute();
      assert.deepEqual([keysLeft.length, policiesLeft.length], [0, 0]);
    });
  });
}
