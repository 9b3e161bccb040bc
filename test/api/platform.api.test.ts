import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dialects } from '../support/databases.ts';
import { startTestApi, type TestApi } from '../support/api.ts';

const [sqlite] = dialects();

describe('the HTTP platform around the API', () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi(sqlite!, { rateLimit: { perSecond: 1, burst: 3 } });
  });
  after(async () => api?.close());

  it('issues OAuth tokens by client credentials and enforces their scopes', async () => {
    const client = await api.auth.createOAuthClient('erp', ['core.user.read']);
    const token = await api.app.inject({
      method: 'POST',
      url: '/oauth2/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret, scope: 'core.user.read' }).toString(),
    });
    assert.equal(token.statusCode, 200, token.body);
    const body = api.json<{ access_token: string; token_type: string; expires_in: number; scope: string }>(token);
    assert.equal(body.expires_in, 86400);
    const bearer = { authorization: `Bearer ${body.access_token}` };
    const read = await api.app.inject({ method: 'GET', url: '/api/users', headers: bearer });
    assert.equal(read.statusCode, 200, read.body);
    const write = await api.app.inject({ method: 'POST', url: '/api/users', headers: bearer, payload: { login: 'x' } });
    assert.equal(write.statusCode, 403);
    assert.match(write.body, /missing scope core\.user\.write/);
    const accounting = await api.app.inject({ method: 'GET', url: '/api/accounts', headers: bearer });
    assert.equal(accounting.statusCode, 403);
    assert.match(accounting.body, /core\.accounting\.read/);
  });

  it('refuses requests without or with bad credentials with 401', async () => {
    const none = await api.app.inject({ method: 'GET', url: '/api/users' });
    assert.equal(none.statusCode, 401);
    assert.match(String(none.headers['www-authenticate']), /Bearer/);
    const bad = await api.app.inject({ method: 'GET', url: '/api/users', headers: { 'x-coupa-api-key': 'x'.repeat(40) } });
    assert.equal(bad.statusCode, 401);
  });

  it('limits a rate-limited key and answers 429 with Retry-After', async () => {
    const { key } = await api.auth.createApiKey('legacy', ['core.user.read'], { rateLimited: true });
    const statuses: number[] = [];
    let retryAfter: string | undefined;
    for (let i = 0; i < 6; i++) {
      const res = await api.app.inject({ method: 'GET', url: '/api/users', headers: { 'x-coupa-api-key': key } });
      statuses.push(res.statusCode);
      if (res.statusCode === 429) retryAfter = String(res.headers['retry-after']);
    }
    assert.deepEqual(statuses.slice(0, 3), [200, 200, 200]);
    assert.ok(statuses.includes(429), `statuses ${statuses.join(',')}`);
    assert.match(retryAfter ?? '', /^\d+$/);
  });

  it('serves /healthz, /metrics and echoes request ids', async () => {
    const health = await api.app.inject({ method: 'GET', url: '/healthz' });
    assert.deepEqual(api.json(health), { status: 'ok', database: 'sqlite' });
    const traced = await api.call({ method: 'GET', url: '/api/roles', headers: { 'x-request-id': 'trace-123' } });
    assert.equal(traced.headers['x-request-id'], 'trace-123');
    const metrics = await api.app.inject({ method: 'GET', url: '/metrics' });
    assert.match(metrics.body, /workgate_http_request_duration_seconds_count\{method="GET",route="\/api\/roles",status="200"\} 1/);
  });

  it('lists the predefined roles and creates custom ones', async () => {
    const all = api.json<Array<{ name: string }>>(await api.call({ method: 'GET', url: '/api/roles?predefined=true' }));
    assert.equal(all.length, 8);
    for (const name of ['User', 'Buyer', 'Accounts Payable', 'Central Receiving', 'Accounting Supervisor', 'Edit as Approver', 'Inventory Manager', 'Admin']) {
      assert.ok(all.some((r) => r.name === name), `${name} is predefined`);
    }
    const created = await api.call({ method: 'POST', url: '/api/roles', payload: { name: 'Engaging Manager' } });
    assert.equal(created.statusCode, 201, created.body);
    const dup = await api.call({ method: 'POST', url: '/api/roles', payload: { name: 'Engaging Manager' } });
    assert.equal(dup.statusCode, 422);
  });

  it('publishes an OpenAPI 3.1 document whose paths are exactly the routes served', async () => {
    const doc = api.json<{ openapi: string; paths: Record<string, Record<string, unknown>> }>(await api.app.inject({ method: 'GET', url: '/api/openapi.json' }));
    assert.equal(doc.openapi, '3.1.0');
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const method of Object.keys(operations).filter((m) => ['get', 'post', 'put', 'delete'].includes(m))) {
        const url = path.replace('{id}', '1');
        const res = await api.call({ method: method.toUpperCase() as 'GET', url, ...(method === 'post' || method === 'put' ? { payload: {} } : {}) });
        assert.ok(!(res.statusCode === 404 && /no route/.test(res.body)), `${method} ${path} is served`);
      }
    }
    for (const resource of ['users', 'roles', 'account_types', 'accounts', 'lookups', 'lookup_values']) {
      assert.ok(doc.paths[`/api/${resource}`], `${resource} documented`);
      assert.ok(api.app.hasRoute({ method: 'GET', url: `/api/${resource}` }), `${resource} served`);
    }
  });
});
