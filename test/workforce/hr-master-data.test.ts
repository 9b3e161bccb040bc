import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { defaultListQuery } from '../../src/query/types.ts';
import { dialects } from '../support/databases.ts';
import { startSyncHarness, type SyncHarness } from '../support/sync.ts';

for (const dialect of dialects()) {
  describe(`Workforce HR master data on ${dialect.name}`, { skip: dialect.skip }, () => {
    let h: SyncHarness;
    before(async () => {
      h = await startSyncHarness(dialect);
    });
    after(async () => h?.close());

    it('upserts segment values in bulk with a result per row, and deactivates by name', async () => {
      const first = await h.workforce.segments.upsertValues(5, [
        { name: 'North', code: 'N' },
        { name: 'South', code: 'S', description: 'Southern sites' },
        { name: '' },
        { name: 'North', code: 'N2' },
        { name: 'x'.repeat(256) },
      ]);
      assert.deepEqual(first.map((r) => r.outcome), ['created', 'created', 'error', 'error', 'error']);
      assert.match(first[2]!.message!, /Name can't be blank/);
      assert.match(first[3]!.message!, /appears more than once \(first in row 1\)/);
      assert.match(first[4]!.message!, /too long/);
      const second = await h.workforce.segments.upsertValues(5, [{ name: 'North', code: 'N' }, { name: 'South', code: 'S2' }]);
      assert.deepEqual(second.map((r) => r.outcome), ['unchanged', 'updated']);
      const off = await h.workforce.segments.deactivateValues(5, ['South', 'South', 'Nowhere']);
      assert.deepEqual(off.map((r) => r.outcome), ['deactivated', 'unchanged', 'error']);
      assert.deepEqual(await h.workforce.segments.activeValueNames(5), ['North']);
      await assert.rejects(h.workforce.segments.upsertValues(12, [{ name: 'a' }]), /slot 12 does not exist/);
    });

    it('relationships filter child values by a parent value; unknown names are row errors', async () => {
      await h.workforce.segments.upsertValues(6, [{ name: 'Site A' }, { name: 'Site B' }, { name: 'Site C' }]);
      const results = await h.workforce.relationships.upsert(5, 6, [
        { parentName: 'North', childName: 'Site A' },
        { parentName: 'North', childName: 'Site B' },
        { parentName: 'South', childName: 'Site C' },
        { parentName: 'West', childName: 'Site A' },
        { parentName: 'North', parentCode: 'WRONG', childName: 'Site C' },
      ]);
      assert.deepEqual(results.map((r) => r.outcome), ['created', 'created', 'created', 'error', 'error']);
      assert.match(results[3]!.message!, /Parent value "West" does not exist in segment 5/);
      assert.match(results[4]!.message!, /has code N, not WRONG/);
      const children = async (parent: string) => (await h.workforce.segments.listValues(6, defaultListQuery(), { value: parent })).map((v) => v.name);
      assert.deepEqual(await children('North'), ['Site A', 'Site B']);
      const off = await h.workforce.relationships.deactivate(5, 6, [{ parentName: 'North', childName: 'Site B' }]);
      assert.deepEqual(off.map((r) => r.outcome), ['deactivated']);
      assert.deepEqual(await children('North'), ['Site A']);
      assert.deepEqual(await h.workforce.relationships.active(5, 6), [
        { parentName: 'North', childName: 'Site A' },
        { parentName: 'South', childName: 'Site C' },
      ]);
    });

    it('work locations: validated per row, keyed by code, deactivated never deleted', async () => {
      const row = { code: 'NYC1', name: 'New York', addressLine1: '1 Main St', city: 'New York', state: 'NY', country: 'usa' };
      const results = await h.workforce.workLocations.upsert([row, { ...row, code: 'BAD', country: 'US' }, { ...row, code: 'NOCITY', city: '' }]);
      assert.deepEqual(results.map((r) => r.outcome), ['created', 'error', 'error']);
      assert.match(results[1]!.message!, /ISO 3166 alpha-3/);
      assert.match(results[2]!.message!, /City can't be blank/);
      assert.equal((await h.workforce.workLocations.get('NYC1')).country, 'USA');
      assert.deepEqual((await h.workforce.workLocations.upsert([{ ...row, country: 'USA' }])).map((r) => r.outcome), ['unchanged']);
      assert.deepEqual((await h.workforce.workLocations.deactivate(['NYC1'])).map((r) => r.outcome), ['deactivated']);
      assert.deepEqual(await h.workforce.workLocations.activeCodes(), []);
      assert.equal((await h.workforce.workLocations.get('NYC1')).active, false);
    });

    it('names HR slots in settings and refuses names for bad slots', async () => {
      const settings = await h.workforce.settings.setSegmentNames({ 5: 'Region', 6: 'Site' });
      assert.deepEqual(settings.segmentNames, { 5: 'Region', 6: 'Site' });
      await assert.rejects(h.workforce.settings.setSegmentNames({ 0: 'x' }), /Slot "0" must be 1 to 11/);
      const cleared = await h.workforce.settings.setSegmentNames({ 6: null });
      assert.deepEqual(cleared.segmentNames, { 5: 'Region' });
    });
  });
}
