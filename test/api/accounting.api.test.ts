import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dialects } from '../support/databases.ts';
import { startTestApi, type TestApi } from '../support/api.ts';

interface Chart {
  id: number;
  name: string;
  currency: { code: string };
  segments: Array<{ position: number; 'field-type-code': string | null; 'field-type-name': string; lookup: { name: string } | null }>;
}
interface AccountJson {
  id: number;
  code: string;
  'account-type': { name: string };
  'segment-1': string | null;
  'segment-2': string | null;
  'segment-3': string | null;
  active: boolean;
}
interface ValueJson {
  id: number;
  name: string;
  depth: number;
  'external-ref-code': string | null;
  parent: { name: string } | null;
  lookup: { name: string };
}

for (const dialect of dialects()) {
  describe(`accounting API on ${dialect.name}`, { skip: dialect.skip }, () => {
    let api: TestApi;
    let chart: Chart;
    before(async () => {
      api = await startTestApi(dialect);
    });
    after(async () => api?.close());

    const create = async <T>(path: string, payload: Record<string, unknown>) => {
      const res = await api.call({ method: 'POST', url: `/api/${path}`, payload });
      assert.equal(res.statusCode, 201, res.body);
      return api.json<T>(res);
    };
    const errors = async (method: 'POST' | 'PUT', url: string, payload: Record<string, unknown>) => {
      const res = await api.call({ method, url, payload });
      assert.equal(res.statusCode, 422, res.body);
      return (Object.values(api.json<{ errors: Record<string, string[]> }>(res).errors)[0] ?? []).join('\n');
    };

    it('creates a lookup, a chart of accounts backed by it, and copies the chart', async () => {
      await create('lookups', { name: 'Department', 'level-names': ['Division', 'Department'] });
      chart = await create<Chart>('account_types', {
        name: 'US COA',
        currency: { code: 'USD' },
        segments: [
          { 'field-type-code': 'ORG', 'field-type-name': 'Company' },
          { 'field-type-code': 'DEPT', 'field-type-name': 'Department', lookup: { name: 'Department' } },
          { 'field-type-name': 'Account' },
        ],
      });
      assert.equal(chart.segments.length, 3);
      assert.equal(chart.segments[1]?.lookup?.name, 'Department');
      const copy = await create<Chart>(`account_types/${chart.id}/copy`, {});
      assert.equal(copy.name, 'Copy of US COA');
      assert.deepEqual(
        copy.segments.map((s) => s['field-type-name']),
        ['Company', 'Department', 'Account'],
      );
      const named = await create<Chart>(`account_types/${chart.id}/copy`, { name: 'EU COA' });
      assert.equal(named.name, 'EU COA');
    });

    it('refuses a chart with gaps, too many segments, a duplicate name or a bad currency', async () => {
      assert.match(
        await errors('POST', '/api/account_types', { name: 'Gappy', currency: { code: 'USD' }, segments: [{ position: 1, 'field-type-name': 'A' }, { position: 3, 'field-type-name': 'C' }] }),
        /without gaps/,
      );
      assert.match(await errors('POST', '/api/account_types', { name: 'US COA', currency: { code: 'USD' } }), /Name "US COA" has already been taken/);
      assert.match(await errors('POST', '/api/account_types', { name: 'Odd', currency: { code: 'ZZZ' } }), /Currency "ZZZ" is not an ISO 4217/);
      const many = Array.from({ length: 21 }, (_, i) => ({ 'field-type-name': `S${i}` }));
      const res = await api.call({ method: 'POST', url: '/api/account_types', payload: { name: 'Big', currency: { code: 'USD' }, segments: many } });
      assert.equal(res.statusCode, 422);
    });

    it('creates accounts whose code joins the segments, unique per chart, and filters by chart and segment', async () => {
      const a = await create<AccountJson>('accounts', { name: 'Sales NY', 'account-type': { name: 'US COA' }, 'segment-1': '100', 'segment-2': 'SALES', 'segment-3': '6000' });
      assert.equal(a.code, '100-SALES-6000');
      await create<AccountJson>('accounts', { 'account-type': { name: 'US COA' }, 'segment-1': '100', 'segment-2': 'HR' });
      await create<AccountJson>('accounts', { 'account-type': { name: 'EU COA' }, 'segment-1': '100', 'segment-2': 'SALES' });
      const found = api.json<AccountJson[]>(await api.call({ method: 'GET', url: '/api/accounts?account_type[name]=US%20COA&segment_2=SALES' }));
      assert.deepEqual(found.map((x) => x.code), ['100-SALES-6000']);
      const both = api.json<AccountJson[]>(await api.call({ method: 'GET', url: '/api/accounts?account_type[name][in]=US%20COA,EU%20COA&segment-2=SALES' }));
      assert.equal(both.length, 2);
      assert.match(
        await errors('POST', '/api/accounts', { 'account-type': { name: 'US COA' }, 'segment-1': '100', 'segment-2': 'SALES', 'segment-3': '6000' }),
        /Account 100-SALES-6000 already exists in chart of accounts "US COA"/,
      );
    });

    it('refuses segment gaps, segments beyond the chart, and an unknown chart', async () => {
      assert.match(await errors('POST', '/api/accounts', { 'account-type': { name: 'US COA' }, 'segment-1': '1', 'segment-3': '3' }), /Segment 2 can't be blank/);
      assert.match(await errors('POST', '/api/accounts', { 'account-type': { name: 'US COA' }, 'segment-2': '3' }), /Segment 1 can't be blank/);
      assert.match(
        await errors('POST', '/api/accounts', { 'account-type': { name: 'US COA' }, 'segment-1': '1', 'segment-2': '2', 'segment-3': '3', 'segment-4': '4' }),
        /defines 3 segments; the account has 4/,
      );
      assert.match(await errors('POST', '/api/accounts', { 'account-type': { name: 'Nope' }, 'segment-1': '1' }), /Chart of accounts "Nope" does not exist/);
    });

    it('updates one segment of an account, keeping the others, and recomputes the code', async () => {
      const [account] = api.json<AccountJson[]>(await api.call({ method: 'GET', url: '/api/accounts?code=100-HR' }));
      const res = await api.call({ method: 'PUT', url: `/api/accounts/${account!.id}`, payload: { 'segment-2': 'FIN', active: false } });
      assert.equal(res.statusCode, 200, res.body);
      const updated = api.json<AccountJson>(res);
      assert.equal(updated.code, '100-FIN');
      assert.equal(updated['segment-1'], '100');
      assert.equal(updated.active, false);
    });

    it('refuses removing a segment that accounts use', async () => {
      assert.match(
        await errors('PUT', `/api/account_types/${chart.id}`, { segments: [{ 'field-type-name': 'Company' }, { 'field-type-name': 'Department' }] }),
        /Segment 3 cannot be removed: account 100-SALES-6000 uses it/,
      );
    });

    it('builds a lookup value hierarchy with depth and external ref codes, filterable by lookup', async () => {
      const root = await create<ValueJson>('lookup_values', { name: 'Sales', lookup: { name: 'Department' }, 'external-ref-num': '10' });
      assert.equal(root.depth, 1);
      assert.equal(root['external-ref-code'], '10');
      const child = await create<ValueJson>('lookup_values', {
        name: 'Inside Sales',
        lookup: { name: 'Department' },
        'external-ref-num': '11',
        parent: { 'external-ref-code': '10' },
      });
      assert.equal(child.depth, 2);
      assert.equal(child['external-ref-code'], '10-11');
      assert.equal(child.parent?.name, 'Sales');
      const listed = api.json<ValueJson[]>(await api.call({ method: 'GET', url: '/api/lookup_values?lookup[name]=Department&depth[gt]=1' }));
      assert.deepEqual(listed.map((v) => v.name), ['Inside Sales']);
      assert.match(
        await errors('POST', '/api/lookup_values', { name: 'Inside Sales', lookup: { name: 'Department' }, parent: { 'external-ref-code': '10' } }),
        /Name "Inside Sales" has already been taken under the same parent/,
      );
      assert.match(await errors('POST', '/api/lookup_values', { name: 'Orphan', lookup: { name: 'Department' }, parent: { 'external-ref-code': '99' } }), /Parent lookup value/);
      assert.match(await errors('PUT', `/api/lookup_values/${root.id}`, { parent: { id: child.id } }), /has child values/);
    });

    it('answers XML for a chart with its segments array', async () => {
      const res = await api.call({ method: 'GET', url: `/api/account_types/${chart.id}`, headers: { accept: 'application/xml' } });
      assert.match(res.body, /<account-type>/);
      assert.match(res.body, /<segments type="array">\s*<segment>\s*<position type="integer">1<\/position>/);
    });
  });
}
