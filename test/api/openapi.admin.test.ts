import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { undocumentedRoutes } from '../../src/http/api/openapi.ts';
import { connectSsh2, makeKey, PASSWORD, startSftpHarness, type SftpHarness } from '../sftp/support.ts';

interface Operation {
  summary: string;
  security: Array<Record<string, string[]>>;
  parameters: Array<{ name: string; in: string }>;
  requestBody?: { content: Record<string, { schema: { properties?: Record<string, { type?: unknown; maxLength?: number; maxItems?: number }> } }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: { type: string; properties?: object; items?: { properties: object } } }> }>;
}
type Paths = Record<string, Record<string, Operation>>;

/** Documented operations with a path, method and the one scope they name (undefined: any caller; null: no credentials). */
function operations(paths: Paths): Array<{ method: string; path: string; op: Operation; scope: string | null | undefined }> {
  return Object.entries(paths).flatMap(([path, methods]) =>
    Object.entries(methods)
      .filter(([method]) => ['get', 'post', 'put', 'delete'].includes(method))
      .map(([method, op]) => ({ method, path, op, scope: op.security?.length === 0 ? null : op.security?.[0]?.oauth2?.[0] })),
  );
}

/** The elements the document promises for a 2xx answer, or undefined when it names none. */
function documentedElements(op: Operation): string[] | undefined {
  const success = Object.entries(op.responses).find(([status]) => status.startsWith('2'))?.[1];
  const schema = success?.content?.['application/json']?.schema;
  const properties = schema?.type === 'array' ? schema.items?.properties : schema?.properties;
  return properties ? Object.keys(properties).sort() : undefined;
}

describe('OpenAPI document of every /api route (a whole Workgate: admin, runs, PGP, SSO)', () => {
  let h: SftpHarness;
  let paths: Paths;
  before(async () => {
    // Every admin route is called once with one token: more than the default burst of 20.
    h = await startSftpHarness({ env: { WORKGATE_RATE_LIMIT_BURST: '1000' } });
    await h.createAccount({ username: 'doc-acme', 'ssh-keys': [makeKey().publicLine] });
    const session = await connectSsh2({ port: h.port, username: 'doc-acme', password: PASSWORD });
    await new Promise<void>((resolve, reject) =>
      session.sftp.writeFile('/Incoming/Users/users.csv', 'Login,Email,First Name,Last Name,Status\ndoc1,doc1@example.com,Doc,One,active\n', (e) => (e ? reject(e) : resolve())),
    );
    session.end();
    const response = await fetch(`${h.httpUrl}/api/openapi.json`);
    assert.equal(response.status, 200);
    paths = ((await response.json()) as { paths: Paths }).paths;
  });
  after(async () => h?.close());

  it('leaves no route under /api out, and describes each one it lists', () => {
    assert.deepEqual(undocumentedRoutes(h.workgate.http!), []);
    for (const { method, path, op } of operations(paths)) assert.ok(op.summary?.length > 10, `${method} ${path} says what it does`);
  });

  it('names the scope each route enforces: a token holding every other scope is refused with that scope named', async () => {
    const documented = operations(paths).filter((o) => typeof o.scope === 'string' && (o.path.startsWith('/api/admin/') || o.path.startsWith('/api/data_file_sources')));
    assert.ok(documented.length >= 40, `admin and runs routes documented with a scope (${documented.length})`);
    for (const { path, scope } of documented) {
      if (path.startsWith('/api/admin/')) assert.equal(scope, 'workgate.admin', path);
      else assert.match(scope!, /^core\.integration\.(read|write)$/, path);
    }
    const all = ['core.user.read', 'core.accounting.read', 'core.common.read', 'core.integration.read', 'core.integration.write', 'workforce.read', 'workforce.write', 'workgate.admin'];
    for (const withheld of ['workgate.admin', 'core.integration.read', 'core.integration.write']) {
      const client = await h.api('POST', '/api/admin/oauth-clients', { name: `without ${withheld}`, scopes: all.filter((s) => s !== withheld) });
      assert.equal(client.status, 201, JSON.stringify(client.body));
      const token = await fetch(`${h.httpUrl}/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: client.body['client-id'], client_secret: client.body['client-secret'] }),
      });
      const { access_token: accessToken } = (await token.json()) as { access_token: string };
      for (const { method, path } of documented.filter((o) => o.scope === withheld)) {
        const url = `${h.httpUrl}${path.replace(/\{\w+\}/g, 'x')}`;
        const answer = await fetch(url, { method: method.toUpperCase(), headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' } });
        assert.equal(answer.status, 403, `${method} ${path} without ${withheld}`);
        assert.match(await answer.text(), new RegExp(`missing scope ${withheld.replaceAll('.', '\\.')}`), `${method} ${path}`);
      }
    }
  });

  it('serves the routes it marks public without credentials', async () => {
    const open = operations(paths).filter((o) => o.scope === null);
    assert.deepEqual(open.map((o) => `${o.method} ${o.path}`).sort(), ['get /api/openapi.json', 'get /api/pgp/public-key']);
    for (const { path } of open) assert.equal((await fetch(`${h.httpUrl}${path}`)).status, 200, path);
  });

  it('lists the elements each answer has, as the answers have them', async () => {
    const runs = await h.api('GET', '/api/data_file_sources');
    assert.equal(runs.body.length, 1, 'the uploaded file has a run');
    const values: Record<string, string> = { username: 'doc-acme', id: String(runs.body[0].id) };
    let compared = 0;
    for (const { method, path, op } of operations(paths).filter((o) => o.method === 'get' && o.path.startsWith('/api/') && !o.path.startsWith('/api/ccw'))) {
      const elements = documentedElements(op);
      const names = [...path.matchAll(/\{(\w+)\}/g)].map(([, name]) => name!);
      if (!elements || names.some((name) => !(name in values)) || /^\/api\/(users|roles|accounts|account_types|lookups|lookup_values)\b/.test(path)) continue;
      const answer = await h.api('GET', path.replace(/\{(\w+)\}/g, (_m, name: string) => values[name]!));
      assert.equal(answer.status, 200, `${method} ${path}: ${JSON.stringify(answer.body)}`);
      const objects = Array.isArray(answer.body) ? answer.body : [answer.body];
      for (const object of objects) {
        const keys = Object.keys(object).sort();
        // A program calling /api/me gets the elements that describe a program; a signed-in person all of them.
        if (path === '/api/me') assert.ok(keys.every((key) => elements.includes(key)), `${path}: ${keys.join(', ')}`);
        else assert.deepEqual(keys, elements, `${method} ${path}`);
      }
      if (objects.length > 0) compared++;
    }
    assert.ok(compared >= 12, `answers compared with their documentation: ${compared}`);
  });

  it('documents each request body with the elements the route accepts: an unknown one is refused, naming the same list', async () => {
    const withSpecBody = operations(paths).filter((o) => o.op.requestBody && /^\/api\/admin\/(sftp-accounts|oauth-clients|sso)/.test(o.path) && !o.path.endsWith('pgp-keys'));
    assert.ok(withSpecBody.length >= 7, `bodies documented: ${withSpecBody.length}`);
    const accounts = paths['/api/admin/sftp-accounts']!.post!.requestBody!.content['application/json']!.schema.properties!;
    assert.deepEqual(accounts.username, { type: 'string', maxLength: 64 });
    assert.equal(accounts['ssh-keys']!.maxItems, 50);
    for (const { method, path, op } of withSpecBody) {
      const documented = Object.keys(op.requestBody!.content['application/json']!.schema.properties!);
      const url = path.replace('{username}', 'doc-acme').replace(/\{\w+\}/g, 'x');
      const answer = await h.api(method.toUpperCase(), url, { 'not-an-element': 1 });
      assert.equal(answer.status, 400, `${method} ${path}`);
      const writable = /writable: (.*)$/.exec(JSON.stringify(answer.body).replace(/"\W*$/, ''))?.[1]?.split(', ');
      assert.deepEqual(writable?.sort(), documented.sort(), `${method} ${path}`);
    }
    const pgpKeys = paths['/api/admin/sftp-accounts/{username}/pgp-keys']!.put!.requestBody!.content['application/json']!.schema.properties!;
    assert.deepEqual(Object.keys(pgpKeys).sort(), ['encryption-key', 'require-signed-inbound', 'signing-key']);
  });
});
