import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, afterEach, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { dialects } from '../../../test/support/databases.ts';
import { createAuthService, type AuthService } from './auth.service.ts';
import { authRedactPaths } from './index.ts';
import { buildTestApp, silentLog, testClock } from './test-support.ts';

const adminValue = 'admin-key-for-tests-0123456789-abcdefghijk';

for (const dialect of dialects()) {
  describe(`API authentication on ${dialect.name}`, { skip: dialect.skip }, () => {
    let drop: () => Promise<void>;
    let auth: AuthService;
    let app: FastifyInstance;
    let readerKey: string;
    const clock = testClock();

    before(async () => {
      const t = await dialect.create();
      drop = t.drop;
      auth = createAuthService({ db: t.db, clock: clock.now, log: silentLog });
      readerKey = (await auth.createApiKey('reader', ['core.user.read'])).key;
      await auth.ensureAdminApiKey(adminValue);
    });
    after(async () => drop?.());
    afterEach(async () => app?.close());

    const getUsers = (headers: Record<string, string> = {}) => app.inject({ method: 'GET', url: '/api/users', headers });

    async function bearerFor(scopes: string[]): Promise<string> {
      const client = await auth.createOAuthClient(`client-${scopes.join('-')}-${Math.random()}`, scopes);
      return (await auth.issueToken(client.clientId, client.clientSecret, undefined)).accessToken;
    }

    it('lets a Bearer token with core.user.read through and sets request.principal', async () => {
      app = await buildTestApp({ auth, clock });
      const token = await bearerFor(['core.user.read']);
      const response = await getUsers({ authorization: `Bearer ${token}` });
      assert.equal(response.statusCode, 200);
      assert.match(response.json().caller, /^client-core\.user\.read/);
      assert.equal((await getUsers({ authorization: `bearer ${token}` })).statusCode, 200, 'the scheme is case-insensitive');
    });

    it('403 naming the missing scope', async () => {
      app = await buildTestApp({ auth, clock });
      const token = await bearerFor(['core.user.read']);
      const response = await app.inject({ method: 'PUT', url: '/api/users/1', headers: { authorization: `Bearer ${token}` } });
      assert.equal(response.statusCode, 403);
      assert.equal(response.json().message, 'missing scope core.user.write');
      assert.match(String(response.headers['www-authenticate']), /insufficient_scope/);
    });

    it('401 with a Bearer challenge without credentials, with a bad key or token, or with both headers', async () => {
      app = await buildTestApp({ auth, clock });
      const none = await getUsers();
      assert.equal(none.statusCode, 401);
      assert.equal(none.headers['www-authenticate'], 'Bearer realm="workgate"');
      const token = await bearerFor(['core.user.read']);
      const refused = [
        await getUsers({ 'x-coupa-api-key': 'k'.repeat(40) }),
        await getUsers({ authorization: 'Bearer not-a-real-token-but-long-enough' }),
        await getUsers({ authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }),
        await getUsers({ 'x-coupa-api-key': 'k'.repeat(300) }),
        await getUsers({ authorization: `Bearer ${token}`, 'x-coupa-api-key': readerKey }),
      ];
      for (const response of refused) {
        assert.equal(response.statusCode, 401, response.body);
        assert.match(String(response.headers['www-authenticate']), /^Bearer realm="workgate"/);
        assert.equal(response.json().error, 'unauthorized');
      }
    });

    it('accepts the legacy X-COUPA-API-KEY header, whatever the case of its name', async () => {
      app = await buildTestApp({ auth, clock });
      assert.equal((await getUsers({ 'X-COUPA-API-KEY': readerKey })).statusCode, 200);
      assert.equal((await getUsers({ 'x-coupa-api-key': readerKey })).statusCode, 200);
      assert.equal((await getUsers({ 'X-Coupa-Api-Key': readerKey })).json().caller, 'reader');
    });

    it('429 with Retry-After after the burst, and allowed again once the bucket refills', async () => {
      app = await buildTestApp({ auth, clock });
      const { key } = await auth.createApiKey('busy', ['core.user.read']);
      for (let i = 0; i < 20; i++) assert.equal((await getUsers({ 'x-coupa-api-key': key })).statusCode, 200, `request ${i + 1}`);
      const limited = await getUsers({ 'x-coupa-api-key': key });
      assert.equal(limited.statusCode, 429);
      assert.equal(limited.headers['retry-after'], '1');
      assert.equal(limited.json().error, 'rate_limited');
      assert.equal((await getUsers({ 'x-coupa-api-key': readerKey })).statusCode, 200, 'another key has its own bucket');
      clock.advance(1000);
      assert.equal((await getUsers({ 'x-coupa-api-key': key })).statusCode, 200);
    });

    it('exempts the admin key unless configured otherwise', async () => {
      app = await buildTestApp({ auth, clock });
      for (let i = 0; i < 50; i++) assert.equal((await getUsers({ 'x-coupa-api-key': adminValue })).statusCode, 200);
      await app.close();
      app = await buildTestApp({ auth, clock, rateLimit: { appliesToAdminKey: true } });
      const statuses = [];
      for (let i = 0; i < 21; i++) statuses.push((await getUsers({ 'x-coupa-api-key': adminValue })).statusCode);
      assert.deepEqual(statuses, [...Array(20).fill(200), 429]);
    });

    it('leaves routes outside the /api scope alone', async () => {
      app = await buildTestApp({ auth, clock });
      const response = await app.inject({ method: 'POST', url: '/oauth2/token' });
      assert.notEqual(response.statusCode, 401);
    });
  });
}

describe('log redaction', () => {
  it('keeps credentials out of logs', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const log = pino({ redact: authRedactPaths }, sink);
    log.info({ req: { headers: { authorization: 'Bearer secret-token', 'x-coupa-api-key': 'secret-key' } } }, 'request');
    log.info({ client_secret: 'secret-client', access_token: 'secret-access' }, 'token');
    const output = lines.join('');
    assert.ok(!output.includes('secret-'), output);
    assert.match(output, /\[Redacted\]/);
  });
});
