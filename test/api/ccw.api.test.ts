import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dialects } from '../support/databases.ts';
import { licensedUser, startCcwApi, type CcwApi } from '../support/sync.ts';

const actor = 'test';

interface WfUserJson {
  id: number;
  'user-name': string;
  'first-name': string;
  'last-name': string;
  'nick-name': string | null;
  email: string;
  'phone-number': string | null;
  'default-currency': { code: string } | null;
  'employee-number': string | null;
  status: 'active' | 'inactive';
  supervisor: { 'user-name': string } | null;
  roles: Array<{ name: string }>;
  'approval-limit': { amount: string; currency: { code: string } } | null;
}

for (const dialect of dialects()) {
  describe(`Workforce API /api/ccw on ${dialect.name}`, { skip: dialect.skip }, () => {
    let api: CcwApi;
    const get = (url: string, headers: Record<string, string> = {}) => api.call({ method: 'GET', url, headers });
    const json = <T>(body: string) => JSON.parse(body) as T;

    before(async () => {
      api = await startCcwApi(dialect);
      const { core } = api.h;
      await core.users.create(licensedUser({ login: 'boss', firstname: 'Bea', lastname: 'Boss', approvalLimit: { amount: '10000.00', currency: 'USD' }, roles: [{ name: 'Buyer' }] }), actor);
      await core.users.create(
        licensedUser({
          login: 'jdoe',
          firstname: 'John',
          lastname: 'Doe',
          mentionName: 'johnny',
          email: 'jdoe@example.com',
          phoneWork: '555-123-4567',
          defaultCurrency: 'USD',
          employeeNumber: 'E100',
          manager: { login: 'boss' },
          approvalLimit: { amount: '500.00', currency: 'USD' },
        }),
        actor,
      );
      await core.users.create(licensedUser({ login: 'gone', lastname: 'Gone', ccwUser: true }), actor);
      await api.h.sync.applier.drain();
      const gone = (await core.users.find({ login: 'gone' }))!;
      await core.users.update(gone.id, { ccwUser: false }, actor);
      await api.h.sync.applier.drain();
    });
    after(async () => api?.close());

    it('GET /api/ccw/users/:login renders every element of the contract', async () => {
      const res = await get('/api/ccw/users/jdoe');
      assert.equal(res.statusCode, 200, res.body);
      const u = json<WfUserJson>(res.body);
      assert.equal(u['user-name'], 'jdoe');
      assert.equal(u['first-name'], 'John');
      assert.equal(u['last-name'], 'Doe');
      assert.equal(u['nick-name'], 'johnny');
      assert.equal(u.email, 'jdoe@example.com');
      assert.equal(u['phone-number'], '555-123-4567');
      assert.deepEqual(u['default-currency'], { code: 'USD' });
      assert.equal(u['employee-number'], 'E100');
      assert.equal(u.status, 'active');
      assert.equal(u.supervisor?.['user-name'], 'boss');
      assert.deepEqual(u.roles, [{ name: 'Engaging Manager' }]);
      assert.deepEqual(u['approval-limit'], { amount: '500.00', currency: { code: 'USD' } });
      assert.equal((await get('/api/ccw/users/nobody')).statusCode, 404);
    });

    it('GET /api/ccw/users takes the Core query language, status, associations, paging and fields', async () => {
      const inactive = json<WfUserJson[]>((await get('/api/ccw/users?status=inactive')).body);
      assert.deepEqual(inactive.map((u) => u['user-name']), ['gone']);
      const bySupervisor = json<WfUserJson[]>((await get('/api/ccw/users?supervisor[user_name]=boss')).body);
      assert.deepEqual(bySupervisor.map((u) => u['user-name']), ['jdoe']);
      const byRole = json<WfUserJson[]>((await get('/api/ccw/users?roles[name]=Buyer')).body);
      assert.deepEqual(byRole.map((u) => u['user-name']), ['boss']);
      const prefix = json<WfUserJson[]>((await get('/api/ccw/users?last_name[starts_with]=do&order_by=user-name&dir=desc&limit=1')).body);
      assert.deepEqual(prefix.map((u) => u['user-name']), ['jdoe']);
      const shaped = json<Array<Record<string, unknown>>>((await get('/api/ccw/users?user_name=jdoe&fields=["user-name",{"supervisor":["user-name"]}]')).body);
      assert.deepEqual(shaped, [{ 'user-name': 'jdoe', supervisor: { 'user-name': 'boss' } }]);
      const bad = await get('/api/ccw/users?shoe_size=9');
      assert.equal(bad.statusCode, 400);
      assert.match(bad.body, /shoe_size/);
      assert.deepEqual(json((await get('/api/ccw/users?user_name=nobody')).body), []);
    });

    it('renders XML with the Core rules: typed elements, arrays, 404 for an empty list', async () => {
      const one = await get('/api/ccw/users/jdoe', { accept: 'application/xml' });
      assert.equal(one.statusCode, 200);
      assert.match(one.body, /<user>/);
      assert.match(one.body, /<user-name>jdoe<\/user-name>/);
      assert.match(one.body, /<roles type="array">\s*<role>\s*<name>Engaging Manager<\/name>/);
      assert.match(one.body, /<supervisor>[\s\S]*<user-name>boss<\/user-name>/);
      const list = await get('/api/ccw/users?status=active', { accept: 'application/xml' });
      assert.match(list.body, /<users type="array">/);
      const none = await get('/api/ccw/users?user_name=nobody', { accept: 'application/xml' });
      assert.equal(none.statusCode, 404);
      assert.match(none.body, /No results match your search criteria/);
    });

    it('PUT /api/ccw/users/:login changes Workforce roles only', async () => {
      const res = await api.call({ method: 'PUT', url: '/api/ccw/users/jdoe', payload: { roles: [{ name: 'Hiring Manager' }, { name: 'Buyer' }], 'first-name': 'Ignored' } });
      assert.equal(res.statusCode, 200, res.body);
      const u = json<WfUserJson>(res.body);
      assert.deepEqual(u.roles.map((r) => r.name), ['Buyer', 'Hiring Manager']);
      assert.equal(u['first-name'], 'John');
      const bad = await api.call({ method: 'PUT', url: '/api/ccw/users/jdoe', payload: { roles: [{ name: 'Emperor' }] } });
      assert.equal(bad.statusCode, 422);
      assert.match(bad.body, /Role \\"Emperor\\" is not a Workforce role/);
      const unknown = await api.call({ method: 'PUT', url: '/api/ccw/users/jdoe', payload: { shoe: 1 } });
      assert.equal(unknown.statusCode, 400);
    });

    it('GET /api/ccw/users/:login/approval-chain lists supervisors, nearest first, for an amount and currency', async () => {
      const all = json<WfUserJson[]>((await get('/api/ccw/users/jdoe/approval-chain')).body);
      assert.deepEqual(all.map((u) => u['user-name']), ['boss']);
      const covered = json<WfUserJson[]>((await get('/api/ccw/users/jdoe/approval-chain?amount=100&currency=USD')).body);
      assert.deepEqual(covered.map((u) => u['user-name']), ['boss']);
      assert.deepEqual(json((await get('/api/ccw/users/boss/approval-chain?amount=100&currency=USD')).body), []);
      const xml = await get('/api/ccw/users/jdoe/approval-chain?amount=100&currency=USD', { accept: 'application/xml' });
      assert.match(xml.body, /<users type="array">/);
      assert.equal((await get('/api/ccw/users/jdoe/approval-chain?amount=abc&currency=USD')).statusCode, 422);
      assert.equal((await get('/api/ccw/users/jdoe/approval-chain?currency=US')).statusCode, 400);
      assert.equal((await get('/api/ccw/users/jdoe/approval-chain?colour=red')).statusCode, 400);
    });

    it('PUT and GET /api/ccw/settings, GET /api/ccw/segments and values with parent_value', async () => {
      await api.h.core.accountTypes.create({ name: 'US COA', currency: 'USD', segments: [{ fieldTypeName: 'Entity' }, { fieldTypeName: 'Cost Center' }] }, actor);
      await api.h.core.accounts.create({ accountType: { name: 'US COA' }, segments: ['US01', '4100'] }, actor);
      const put = await api.call({ method: 'PUT', url: '/api/ccw/settings', payload: { 'chart-of-accounts': { name: 'US COA' }, 'segment-names': { '4': 'Site Location' } } });
      assert.equal(put.statusCode, 200, put.body);
      const body = json<{ 'chart-of-accounts': { name: string }; 'segment-names': Record<string, string>; designation: { moved: unknown[] } }>(put.body);
      assert.equal(body['chart-of-accounts'].name, 'US COA');
      assert.deepEqual(body['segment-names'], { '4': 'Site Location' });
      assert.ok(body.designation.moved.length >= 2);
      const settings = json<typeof body>((await get('/api/ccw/settings')).body);
      assert.deepEqual(settings['segment-names'], { '4': 'Site Location' });
      const xml = await get('/api/ccw/settings', { accept: 'application/xml' });
      assert.match(xml.body, /<segment-name>\s*<slot type="integer">4<\/slot>\s*<name>Site Location<\/name>/);
      const segments = json<Array<{ slot: number; name: string | null; owner: string }>>((await get('/api/ccw/segments')).body);
      assert.equal(segments.length, 11);
      assert.deepEqual(segments.slice(0, 4), [
        { slot: 1, name: 'Entity', owner: 'chart-of-accounts' },
        { slot: 2, name: 'Cost Center', owner: 'chart-of-accounts' },
        { slot: 3, name: null, owner: 'hr' },
        { slot: 4, name: 'Site Location', owner: 'hr' },
      ]);
      const children = json<Array<{ name: string }>>((await get('/api/ccw/segments/2/values?parent_value=US01')).body);
      assert.deepEqual(children.map((v) => v.name), ['4100']);
      assert.deepEqual(json((await get('/api/ccw/segments/2/values?parent_value=XX99')).body), []);
      const byName = json<Array<{ name: string }>>((await get('/api/ccw/segments/1/values?name[contains]=us')).body);
      assert.deepEqual(byName.map((v) => v.name), ['US01']);
      assert.equal((await get('/api/ccw/segments/12/values')).statusCode, 422);
      const refused = await api.call({ method: 'PUT', url: '/api/ccw/settings', payload: { 'segment-names': { '1': 'Mine' } } });
      assert.equal(refused.statusCode, 422);
      assert.match(refused.body, /owned by chart of accounts/);
      const missing = await api.call({ method: 'PUT', url: '/api/ccw/settings', payload: { 'chart-of-accounts': { name: 'Nope' } } });
      assert.equal(missing.statusCode, 422);
    });

    it('work locations and sync status are readable', async () => {
      await api.h.workforce.workLocations.upsert([{ code: 'NYC1', addressLine1: '1 Main St', city: 'New York', state: 'NY', country: 'USA' }]);
      const list = json<Array<{ code: string }>>((await get('/api/ccw/work_locations?country=USA')).body);
      assert.deepEqual(list.map((l) => l.code), ['NYC1']);
      assert.equal((await get('/api/ccw/work_locations/NYC1')).statusCode, 200);
      const status = json<{ pending: number; parked: number }>((await get('/api/ccw/sync/status')).body);
      assert.equal(status.parked, 0);
    });

    it('answers 403 without the scopes; admin sync routes need workgate.admin', async () => {
      const reader = await api.auth.createApiKey('reader', ['core.user.read'], { rateLimited: false });
      const wfReader = await api.auth.createApiKey('wf-reader', ['workforce.read'], { rateLimited: false });
      const as = (key: string) => ({ 'x-coupa-api-key': key });
      assert.equal((await get('/api/ccw/users', as(reader.key))).statusCode, 403);
      assert.equal((await get('/api/ccw/users', as(wfReader.key))).statusCode, 200);
      const put = await api.call({ method: 'PUT', url: '/api/ccw/users/jdoe', headers: as(wfReader.key), payload: { roles: [] } });
      assert.equal(put.statusCode, 403);
      assert.match(put.body, /workforce.write/);
      assert.equal((await get('/api/admin/sync/status', as(wfReader.key))).statusCode, 403);
      assert.equal((await get('/api/ccw/users')).statusCode, 200);
      assert.equal((await api.app.inject({ method: 'GET', url: '/api/ccw/users' })).statusCode, 401);
    });

    it('admin: GET /api/admin/sync/status and POST /api/admin/sync/reconcile', async () => {
      const status = await get('/api/admin/sync/status');
      assert.equal(status.statusCode, 200);
      assert.equal(json<{ pending: number }>(status.body).pending >= 0, true);
      await api.h.database.db.kysely.updateTable('workforce_users').set({ email: 'drift@example.com' }).where('user_name', '=', 'boss').execute();
      const res = await api.call({ method: 'POST', url: '/api/admin/sync/reconcile' });
      assert.equal(res.statusCode, 200, res.body);
      const body = json<{ count: number; repairs: Array<{ what: string; key: string; action: string }> }>(res.body);
      assert.ok(body.repairs.some((r) => r.key === 'boss' && r.action === 'updated'));
    });
  });
}
