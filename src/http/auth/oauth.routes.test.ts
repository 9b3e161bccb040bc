import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { dialects } from '../../../test/support/databases.ts';
import { createAuthService, type AuthService } from './auth.service.ts';
import { buildTestApp, form, silentLog, testClock } from './test-support.ts';

const formHeaders = { 'content-type': 'application/x-www-form-urlencoded' };

function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

for (const dialect of dialects()) {
  describe(`POST /oauth2/token on ${dialect.name}`, { skip: dialect.skip }, () => {
    let drop: () => Promise<void>;
    let auth: AuthService;
    let app: FastifyInstance;
    let client: { clientId: string; clientSecret: string };
    const clock = testClock();

    before(async () => {
      const t = await dialect.create();
      drop = t.drop;
      auth = createAuthService({ db: t.db, clock: clock.now, log: silentLog });
      client = await auth.createOAuthClient('erp', ['core.user.read', 'core.accounting.read']);
    });
    after(async () => drop?.());
    afterEach(async () => app?.close());

    async function token(payload: string, headers: Record<string, string> = formHeaders) {
      return app.inject({ method: 'POST', url: '/oauth2/token', headers, payload });
    }

    async function fresh() {
      app = await buildTestApp({ auth, clock });
    }

    it('issues a Bearer token with the client credentials in the body', async () => {
      await fresh();
      const response = await token(form({ grant_type: 'client_credentials', ...credentials(), scope: 'core.user.read' }));
      assert.equal(response.statusCode, 200);
      assert.equal(response.headers['cache-control'], 'no-store');
      assert.equal(response.headers.pragma, 'no-cache');
      const body = response.json();
      assert.deepEqual(Object.keys(body).sort(), ['access_token', 'expires_in', 'scope', 'token_type']);
      assert.equal(body.token_type, 'Bearer');
      assert.equal(body.expires_in, 86_400);
      assert.equal(body.scope, 'core.user.read');
      assert.ok(await auth.authenticateBearer(body.access_token));
    });

    it('accepts HTTP Basic client authentication, a charset, and no scope (all of the client scopes)', async () => {
      await fresh();
      const response = await token(form({ grant_type: 'client_credentials' }), {
        'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
        authorization: basic(client.clientId, client.clientSecret),
      });
      assert.equal(response.statusCode, 200);
      assert.equal(response.json().scope, 'core.user.read core.accounting.read');
    });

    it('400 unsupported_grant_type for another grant', async () => {
      await fresh();
      const response = await token(form({ grant_type: 'password', ...credentials() }));
      assert.equal(response.statusCode, 400);
      assert.equal(response.json().error, 'unsupported_grant_type');
      assert.equal(response.headers['cache-control'], 'no-store');
    });

    it('400 invalid_request for a missing grant_type, a repeated parameter, two client authentications, JSON, or a big body', async () => {
      await fresh();
      const cases = [
        await token(form({ ...credentials() })),
        await token(`grant_type=client_credentials&grant_type=client_credentials&client_id=${client.clientId}`),
        await token(form({ grant_type: 'client_credentials', ...credentials() }), { ...formHeaders, authorization: basic(client.clientId, client.clientSecret) }),
        await token(JSON.stringify({ grant_type: 'client_credentials', ...credentials() }), { 'content-type': 'application/json' }),
        await token(form({ grant_type: 'client_credentials', ...credentials(), scope: 'x'.repeat(9000) })),
        await token(''),
      ];
      for (const response of cases) {
        assert.equal(response.statusCode, 400, response.body);
        assert.equal(response.json().error, 'invalid_request', response.body);
      }
    });

    it('400 invalid_scope naming the scope', async () => {
      await fresh();
      const response = await token(form({ grant_type: 'client_credentials', ...credentials(), scope: 'core.user.read core.user.write' }));
      assert.equal(response.statusCode, 400);
      assert.equal(response.json().error, 'invalid_scope');
      assert.match(response.json().error_description, /core\.user\.write/);
    });

    it('401 invalid_client for a wrong secret, an unknown client or no credentials; Basic gets a Basic challenge', async () => {
      await fresh();
      const wrong = await token(form({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: 'nope' }));
      const unknown = await token(form({ grant_type: 'client_credentials', client_id: 'wg-nobody', client_secret: 'nope' }));
      const none = await token(form({ grant_type: 'client_credentials' }));
      for (const response of [wrong, unknown, none]) {
        assert.equal(response.statusCode, 401);
        assert.deepEqual(Object.keys(response.json()).sort(), ['error', 'error_description']);
        assert.equal(response.json().error, 'invalid_client');
        assert.equal(response.json().error_description, wrong.json().error_description);
      }
      const viaBasic = await token(form({ grant_type: 'client_credentials' }), { ...formHeaders, authorization: basic(client.clientId, 'nope') });
      assert.equal(viaBasic.statusCode, 401);
      assert.match(String(viaBasic.headers['www-authenticate']), /^Basic /);
    });

    it('429 with Retry-After when one client id asks too often', async () => {
      app = await buildTestApp({ auth, clock, tokenLimits: { perClient: { perSecond: 1, burst: 2 } } });
      const attempt = () => token(form({ grant_type: 'client_credentials', client_id: 'wg-target', client_secret: 'guess' }));
      assert.equal((await attempt()).statusCode, 401);
      assert.equal((await attempt()).statusCode, 401);
      const limited = await attempt();
      assert.equal(limited.statusCode, 429);
      assert.equal(limited.headers['retry-after'], '1');
      assert.equal(limited.json().error, 'rate_limited');
      clock.advance(1000);
      assert.equal((await attempt()).statusCode, 401, 'allowed again a second later');
    });

    function credentials() {
      return { client_id: client.clientId, client_secret: client.clientSecret };
    }
  });
}
