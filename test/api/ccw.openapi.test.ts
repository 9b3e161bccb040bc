import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dialects } from '../support/databases.ts';
import { licensedUser, startCcwApi, type CcwApi } from '../support/sync.ts';

interface Operation {
  summary: string;
  security: Array<Record<string, string[]>>;
  parameters: Array<{ name: string; in: string }>;
  requestBody?: { content: Record<string, { schema: { $ref: string } }> };
  responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }>;
}

interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { properties: Record<string, unknown> }> };
}

/** Every route of the Workforce API, as the OpenAPI document names it, with the scope it needs. */
const routes: Array<[method: string, path: string, scope: string]> = [
  ['get', '/api/ccw/users', 'workforce.read'],
  ['get', '/api/ccw/users/{login}', 'workforce.read'],
  ['put', '/api/ccw/users/{login}', 'workforce.write'],
  ['get', '/api/ccw/users/{login}/approval-chain', 'workforce.read'],
  ['get', '/api/ccw/segments', 'workforce.read'],
  ['get', '/api/ccw/segments/{slot}/values', 'workforce.read'],
  ['get', '/api/ccw/work_locations', 'workforce.read'],
  ['get', '/api/ccw/work_locations/{code}', 'workforce.read'],
  ['get', '/api/ccw/settings', 'workforce.read'],
  ['put', '/api/ccw/settings', 'workforce.write'],
  ['get', '/api/ccw/sync/status', 'workforce.read'],
];

for (const dialect of dialects()) {
  describe(`OpenAPI document of the Workforce API on ${dialect.name}`, { skip: dialect.skip }, () => {
    let api: CcwApi;
    let doc: Document;
    before(async () => {
      api = await startCcwApi(dialect);
      await api.h.core.users.create(licensedUser({ login: 'doc-boss', approvalLimit: { amount: '900.00', currency: 'USD' } }), 'test');
      await api.h.core.users.create(licensedUser({ login: 'doc-user', manager: { login: 'doc-boss' }, defaultCurrency: 'USD' }), 'test');
      await api.h.sync.applier.drain();
      const res = await api.app.inject({ method: 'GET', url: '/api/openapi.json' });
      assert.equal(res.statusCode, 200);
      doc = JSON.parse(res.body) as Document;
    });
    after(async () => api?.close());

    it('lists every /api/ccw route with its scope, and each one it lists is served', () => {
      for (const [method, path, scope] of routes) {
        const operation = doc.paths[path]?.[method];
        assert.ok(operation, `${method.toUpperCase()} ${path} is documented`);
        assert.deepEqual(operation.security[0], { oauth2: [scope] }, `${method.toUpperCase()} ${path} needs ${scope}`);
        assert.ok(api.app.hasRoute({ method: method.toUpperCase() as 'GET', url: path.replace(/\{(\w+)\}/g, ':$1') }), `${method.toUpperCase()} ${path} is served`);
      }
      const documented = Object.entries(doc.paths)
        .filter(([path]) => path.startsWith('/api/ccw/'))
        .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method} ${path}`));
      assert.deepEqual(documented.sort(), routes.map(([method, path]) => `${method} ${path}`).sort(), 'nothing else under /api/ccw');
    });

    it('describes parameters, request bodies and responses by component schema', () => {
      const list = doc.paths['/api/ccw/users']!.get!;
      const names = list.parameters.map((p) => p.name);
      for (const name of ['limit', 'offset', 'order_by', 'fields', 'user-name', 'email']) assert.ok(names.includes(name), `list users takes ${name}`);
      assert.deepEqual(list.responses['200']!.content!['application/json']!.schema, { type: 'array', items: { $ref: '#/components/schemas/WorkforceUser' } });
      const chain = doc.paths['/api/ccw/users/{login}/approval-chain']!.get!;
      assert.deepEqual(chain.parameters.filter((p) => p.in !== 'query' || ['amount', 'currency'].includes(p.name)).map((p) => `${p.in}:${p.name}`), ['path:login', 'query:amount', 'query:currency']);
      const values = doc.paths['/api/ccw/segments/{slot}/values']!.get!.parameters.map((p) => p.name);
      assert.ok(values.includes('parent_value'));
      assert.equal(doc.paths['/api/ccw/settings']!.put!.requestBody!.content['application/json']!.schema.$ref, '#/components/schemas/WorkforceSettingsUpdate');
      assert.ok(doc.components.schemas.WorkforceSettingsUpdate!.properties['chart-of-accounts']);
      assert.ok(doc.components.schemas.WorkforceSettingsUpdate!.properties['segment-names']);
    });

    it('documents every element the routes answer with', async () => {
      const answers: Array<[component: string, url: string]> = [
        ['WorkforceUser', '/api/ccw/users/doc-user'],
        ['WorkforceSettings', '/api/ccw/settings'],
        ['SyncStatus', '/api/ccw/sync/status'],
      ];
      for (const [component, url] of answers) {
        const res = await api.call({ method: 'GET', url });
        assert.equal(res.statusCode, 200, res.body);
        const documented = Object.keys(doc.components.schemas[component]!.properties);
        for (const element of Object.keys(JSON.parse(res.body) as Record<string, unknown>)) assert.ok(documented.includes(element), `${component} documents ${element} (${url})`);
      }
      const segments = JSON.parse((await api.call({ method: 'GET', url: '/api/ccw/segments' })).body) as Array<Record<string, unknown>>;
      assert.deepEqual(Object.keys(segments[0]!).sort(), Object.keys(doc.components.schemas.Segment!.properties).sort());
      const user = JSON.parse((await api.call({ method: 'GET', url: '/api/ccw/users/doc-user' })).body) as Record<string, unknown>;
      assert.deepEqual(Object.keys(user).sort(), Object.keys(doc.components.schemas.WorkforceUser!.properties).sort(), 'the user schema is exactly the contract');
    });
  });
}
