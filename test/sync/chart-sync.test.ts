import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { defaultListQuery } from '../../src/query/types.ts';
import { dialects } from '../support/databases.ts';
import { licensedUser, startSyncHarness, type SyncHarness } from '../support/sync.ts';

const actor = 'test';

for (const dialect of dialects()) {
  describe(`designated chart of accounts on ${dialect.name}`, { skip: dialect.skip }, () => {
    let h: SyncHarness;
    before(async () => {
      h = await startSyncHarness(dialect);
      const dept = await h.core.lookups.create({ name: 'Department' }, actor);
      await h.core.lookupValues.create({ name: 'Finance', lookup: { id: dept.id }, externalRefNum: 'FIN' }, actor);
      await h.core.lookupValues.create({ name: 'Legal', lookup: { id: dept.id }, externalRefNum: 'LEG' }, actor);
      await h.core.accountTypes.create(
        {
          name: 'US COA',
          currency: 'USD',
          segments: [
            { fieldTypeName: 'Department', lookup: { name: 'Department' } },
            { fieldTypeName: 'Cost Center' },
            { fieldTypeName: 'Project' },
          ],
        },
        actor,
      );
      await h.core.accountTypes.create({ name: 'EU COA', currency: 'EUR', segments: [{ fieldTypeName: 'Entity' }, { fieldTypeName: 'Site' }] }, actor);
      for (const segments of [['FIN', '4100', 'P1'], ['FIN', '4200', 'P2'], ['LEG', '4100', 'P1']]) {
        await h.core.accounts.create({ accountType: { name: 'US COA' }, segments }, actor);
      }
      await h.core.accounts.create({ accountType: { name: 'EU COA' }, segments: ['DE01', 'Berlin'] }, actor);
    });
    after(async () => h?.close());

    const names = async (slot: number, parent?: string) =>
      (await h.workforce.segments.listValues(slot, defaultListQuery({ conditions: [{ path: [], field: 'active', operator: 'eq', values: [true] }] }), parent ? { value: parent } : undefined)).map((v) => v.name);

    it('refuses a chart with more than 11 segments', async () => {
      const segments = Array.from({ length: 12 }, (_, i) => ({ fieldTypeName: `S${i + 1}` }));
      await h.core.accountTypes.create({ name: 'Wide COA', currency: 'USD', segments }, actor);
      await assert.rejects(h.sync.updateSettings({ chart: { name: 'Wide COA' } }), /has 12 segments; Workforce has 11 segment slots/);
      assert.equal((await h.workforce.settings.get()).chart, null);
    });

    it('designating a 3-segment chart gives slots 1..3 to the chart and 4..11 to HR, copying its values', async () => {
      await h.sync.updateSettings({ segmentNames: { 4: 'Site Location', 2: 'Was HR' } });
      await h.workforce.segments.upsertValues(2, [{ name: 'Old HR value' }]);
      const result = await h.sync.updateSettings({ chart: { name: 'US COA' } });
      const slots = await h.workforce.settings.slots();
      assert.equal(slots.length, 11);
      assert.deepEqual(slots.slice(0, 4), [
        { slot: 1, name: 'Department', owner: 'chart-of-accounts' },
        { slot: 2, name: 'Cost Center', owner: 'chart-of-accounts' },
        { slot: 3, name: 'Project', owner: 'chart-of-accounts' },
        { slot: 4, name: 'Site Location', owner: 'hr' },
      ]);
      assert.ok(slots.slice(3).every((s) => s.owner === 'hr'));
      assert.deepEqual(await names(1), ['Finance', 'Legal'], 'lookup values back segment 1');
      assert.deepEqual(await names(2), ['4100', '4200'], 'the HR value of slot 2 was deactivated');
      assert.deepEqual(await names(3), ['P1', 'P2']);
      assert.deepEqual(await names(2, 'Finance'), ['4100', '4200'], 'relationships from the accounts');
      assert.deepEqual(await names(2, 'Legal'), ['4100']);
      assert.ok(result.designation?.moved.some((m) => m.slot === 2 && m.before.owner === 'hr' && m.after.owner === 'chart-of-accounts' && m.deactivated === 1));
      await assert.rejects(h.workforce.segments.upsertValues(2, [{ name: 'x' }]), /Segment 2 is owned by chart of accounts "US COA"/);
    });

    it('account and lookup value changes reach the segment values', async () => {
      const account = await h.core.accounts.create({ accountType: { name: 'US COA' }, segments: ['LEG', '4300', 'P3'] }, actor);
      const legal = (await h.core.lookupValues.list(defaultListQuery())).find((v) => v.name === 'Legal')!;
      await h.core.lookupValues.update(legal.id, { name: 'Legal & Compliance' }, actor);
      await h.sync.applier.drain();
      assert.deepEqual(await names(1), ['Finance', 'Legal & Compliance']);
      assert.deepEqual(await names(2), ['4100', '4200', '4300']);
      assert.deepEqual(await names(2, 'Legal & Compliance'), ['4100', '4300']);
      await h.core.accounts.update(account.id, { segments: ['LEG', '4400', 'P3'] }, actor);
      await h.sync.applier.drain();
      assert.deepEqual(await names(2), ['4100', '4200', '4400'], '4300 is used by no account any more');
      await h.core.accounts.update(account.id, { active: false }, actor);
      await h.sync.applier.drain();
      assert.deepEqual(await names(2, 'Legal & Compliance'), ['4100']);
    });

    it('changing the designation re-maps the slots and reports what moved', async () => {
      const result = await h.sync.updateSettings({ chart: { name: 'EU COA' } });
      const moved = result.designation!.moved;
      assert.deepEqual(result.designation!.previous?.name, 'US COA');
      assert.deepEqual(moved.find((m) => m.slot === 1)?.after, { owner: 'chart-of-accounts', name: 'Entity' });
      assert.deepEqual(moved.find((m) => m.slot === 3)?.before, { owner: 'chart-of-accounts', name: 'Project' });
      assert.deepEqual(moved.find((m) => m.slot === 3)?.after, { owner: 'hr', name: null });
      assert.ok((moved.find((m) => m.slot === 3)?.deactivated ?? 0) >= 2);
      assert.deepEqual(await names(1), ['DE01']);
      assert.deepEqual(await names(2), ['Berlin']);
      assert.deepEqual(await names(3), []);
    });

    it('reconcile repairs drift it finds, and a second run finds none', async () => {
      const user = await h.core.users.create(licensedUser({ login: 'drift1' }), actor);
      await h.core.users.create(licensedUser({ login: 'drift2', manager: { login: 'drift1' } }), actor);
      await h.sync.applier.drain();
      const db = h.database.db.kysely;
      await db.updateTable('workforce_users').set({ first_name: 'Tampered' }).where('source_id', '=', user.id).execute();
      await db.updateTable('workforce_users').set({ supervisor_id: null }).where('user_name', '=', 'drift2').execute();
      await db.updateTable('workforce_segment_values').set({ active: false }).where('name', '=', 'Berlin').execute();
      const repairs = await h.sync.reconcile();
      assert.ok(repairs.some((r) => r.what === 'user' && r.key === 'drift1' && r.action === 'updated'), JSON.stringify(repairs));
      assert.ok(repairs.some((r) => r.what === 'supervisor' && r.key === 'drift2'));
      assert.ok(repairs.some((r) => r.what === 'segment' && r.key === 'slot 2'));
      assert.equal((await h.workforce.users.get('drift1')).firstName, 'Work');
      assert.equal((await h.workforce.users.get('drift2')).supervisor?.userName, 'drift1');
      assert.deepEqual(await h.sync.reconcile(), []);
    });
  });
}
