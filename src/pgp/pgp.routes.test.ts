import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { dialects, type TestDatabase } from '../../test/support/databases.ts';
import { createCoreService } from '../core/index.ts';
import { createAuthService } from '../http/auth/index.ts';
import { buildHttpApp } from '../http/server.ts';
import { customerKey, insertAccount, openTestPgp, silentLog, type TestPgp } from './test-support.ts';

const ADMIN_KEY = 'pgp-routes-admin-key-0123456789abcdefghijkl';

interface KeyBody {
  fingerprint: string;
  state: string;
}

for (const dialect of dialects()) {
  describe(`PGP HTTP routes on ${dialect.name}`, { skip: dialect.skip }, () => {
    let database: TestDatabase;
    let t: TestPgp;
    let app: FastifyInstance;
    let readOnlyKey: string;
    const admin = (options: InjectOptions) => app.inject({ ...options, headers: { 'x-coupa-api-key': ADMIN_KEY, ...options.headers } });

    before(async () => {
      database = await dialect.create();
      t = await openTestPgp(database.db);
      const clock = () => new Date();
      const auth = createAuthService({ db: database.db, clock, log: silentLog });
      await auth.ensureAdminApiKey(ADMIN_KEY);
      readOnlyKey = (await auth.createApiKey('reader', ['core.user.read'], { rateLimited: false })).key;
      const core = createCoreService({ db: database.db, clock });
      app = await buildHttpApp({ db: database.db, log: silentLog, core, auth, pgp: t.pgp, rateLimit: { perSecond: 1000, burst: 1000, appliesToAdminKey: false } });
      await insertAccount(database.db, 'acme');
    });
    after(async () => {
      await app.close();
      t.close();
      await database.drop();
    });

    it('serves the published public key without authentication, its fingerprint in a header', async () => {
      const response = await app.inject({ method: 'GET', url: '/api/pgp/public-key' });
      assert.equal(response.statusCode, 200);
      assert.match(response.headers['content-type'] as string, /^application\/pgp-keys/);
      assert.match(response.body, /^-----BEGIN PGP PUBLIC KEY BLOCK-----/);
      assert.equal(response.headers['x-workgate-key-fingerprint'], (await t.pgp.keys.published()).fingerprint);
    });

    it('guards the admin routes: 401 without a credential, 403 without workgate.admin', async () => {
      assert.equal((await app.inject({ method: 'GET', url: '/api/admin/pgp/keys' })).statusCode, 401);
      const forbidden = await app.inject({ method: 'POST', url: '/api/admin/pgp/rotate', headers: { 'x-coupa-api-key': readOnlyKey } });
      assert.equal(forbidden.statusCode, 403);
      assert.match(forbidden.body, /missing scope workgate.admin/);
    });

    it('lists, rotates and retires keys', async () => {
      const before = JSON.parse((await admin({ method: 'GET', url: '/api/admin/pgp/keys' })).body) as KeyBody[];
      assert.deepEqual(before.map((k) => k.state), ['published']);
      const rotated = await admin({ method: 'POST', url: '/api/admin/pgp/rotate' });
      assert.equal(rotated.statusCode, 201);
      const fresh = JSON.parse(rotated.body) as KeyBody;
      assert.equal(fresh.state, 'published');
      const publicKey = await app.inject({ method: 'GET', url: '/api/pgp/public-key' });
      assert.equal(publicKey.headers['x-workgate-key-fingerprint'], fresh.fingerprint);

      const refused = await admin({ method: 'POST', url: `/api/admin/pgp/keys/${fresh.fingerprint}/retire` });
      assert.equal(refused.statusCode, 409);
      const retired = await admin({ method: 'POST', url: `/api/admin/pgp/keys/${before[0]?.fingerprint}/retire` });
      assert.equal(retired.statusCode, 200);
      assert.equal((JSON.parse(retired.body) as KeyBody).state, 'retired');
      assert.equal((await admin({ method: 'POST', url: '/api/admin/pgp/keys/not-hex/retire' })).statusCode, 400);
    });

    it('sets, shows and removes an SFTP account\'s keys', async () => {
      const key = await customerKey();
      const url = '/api/admin/sftp-accounts/acme/pgp-keys';
      const put = await admin({ method: 'PUT', url, payload: { 'encryption-key': key.armored, 'signing-key': key.armored, 'require-signed-inbound': true } });
      assert.equal(put.statusCode, 200, put.body);
      const body = JSON.parse(put.body) as Record<string, unknown>;
      assert.equal((body['encryption-key'] as { fingerprint: string }).fingerprint, key.publicKey.getFingerprint().toUpperCase());
      assert.equal(body['require-signed-inbound'], true);
      assert.deepEqual(JSON.parse((await admin({ method: 'GET', url })).body), body);

      // PUT is the whole set: what is left out is removed.
      const onlyEncryption = JSON.parse((await admin({ method: 'PUT', url, payload: { 'encryption-key': key.armored } })).body) as Record<string, unknown>;
      assert.equal(onlyEncryption['signing-key'], null);
      assert.equal(onlyEncryption['require-signed-inbound'], false);

      assert.equal((await admin({ method: 'DELETE', url })).statusCode, 204);
      assert.equal(JSON.parse((await admin({ method: 'GET', url })).body)['encryption-key'], null);
    });

    it('refuses bad keys and bad bodies with 422 and a reason, unknown accounts with 404', async () => {
      const url = '/api/admin/sftp-accounts/acme/pgp-keys';
      const privateKey = (await customerKey()).privateKey.armor();
      const refused = await admin({ method: 'PUT', url, payload: { 'encryption-key': privateKey } });
      assert.equal(refused.statusCode, 422);
      assert.match(refused.body, /encryption key: this is a PRIVATE key: it was not stored/);
      assert.doesNotMatch(refused.body, /BEGIN PGP PRIVATE/);
      const unknownField = await admin({ method: 'PUT', url, payload: { 'encryption_key': 'x' } });
      assert.equal(unknownField.statusCode, 422);
      assert.equal((await admin({ method: 'GET', url: '/api/admin/sftp-accounts/nobody/pgp-keys' })).statusCode, 404);
    });
  });
}
