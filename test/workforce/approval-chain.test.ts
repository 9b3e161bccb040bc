import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MAX_CHAIN_DEPTH } from '../../src/workforce/index.ts';
import { dialects } from '../support/databases.ts';
import { licensedUser, startSyncHarness, type SyncHarness } from '../support/sync.ts';

const actor = 'test';

for (const dialect of dialects()) {
  describe(`approval chains on ${dialect.name}`, { skip: dialect.skip }, () => {
    let h: SyncHarness;
    const chain = async (login: string, request: { amount?: string; currency?: string } = {}) =>
      (await h.workforce.users.approvalChain(login, request)).map((u) => u.userName);

    before(async () => {
      h = await startSyncHarness(dialect);
      const user = (login: string, manager: string | null, limit: string | null, extra = {}) =>
        h.core.users.create(
          licensedUser({
            login,
            defaultCurrency: 'USD',
            ...(manager ? { manager: { login: manager } } : {}),
            ...(limit ? { approvalLimit: { amount: limit.split(' ')[0]!, currency: limit.split(' ')[1]! } } : {}),
            ...extra,
          }),
          actor,
        );
      await user('ceo', null, '1000000.00 USD');
      await user('vp', 'ceo', '50000 EUR');
      await user('director', 'vp', '10000.00 USD');
      await user('manager', 'director', '1000.00 USD');
      await user('clerk', 'manager', null);
      await h.sync.applier.drain();
    });
    after(async () => h?.close());

    it('without an amount: every supervisor up to the top, nearest first', async () => {
      assert.deepEqual(await chain('clerk'), ['manager', 'director', 'vp', 'ceo']);
      assert.deepEqual(await chain('ceo'), []);
    });

    it('stops at the first supervisor whose limit covers the amount in that currency', async () => {
      assert.deepEqual(await chain('clerk', { amount: '500', currency: 'USD' }), ['manager']);
      assert.deepEqual(await chain('clerk', { amount: '1000.00', currency: 'USD' }), ['manager'], 'a limit equal to the amount covers it');
      assert.deepEqual(await chain('clerk', { amount: '5000', currency: 'USD' }), ['manager', 'director']);
      assert.deepEqual(await chain('clerk', { amount: '20000', currency: 'USD' }), ['manager', 'director', 'vp', 'ceo'], "vp's limit is in EUR");
      assert.deepEqual(await chain('clerk', { amount: '20000', currency: 'EUR' }), ['manager', 'director', 'vp']);
      assert.deepEqual(await chain('clerk', { amount: '5000' }), ['manager', 'director'], "the user's default currency");
      await assert.rejects(h.workforce.users.approvalChain('clerk', { amount: 'lots', currency: 'USD' }), /not a non-negative amount/);
    });

    it('skips inactive supervisors (licence lost or Core user inactive)', async () => {
      const manager = (await h.core.users.find({ login: 'manager' }))!;
      await h.core.users.update(manager.id, { ccwUser: false }, actor);
      await h.sync.applier.drain();
      assert.deepEqual(await chain('clerk', { amount: '500', currency: 'USD' }), ['director']);
      await h.core.users.update(manager.id, { ccwUser: true }, actor);
      const director = (await h.core.users.find({ login: 'director' }))!;
      await h.core.users.update(director.id, { active: false }, actor);
      await h.sync.applier.drain();
      assert.deepEqual(await chain('clerk', { amount: '5000', currency: 'USD' }), ['manager', 'vp', 'ceo']);
      await h.core.users.update(director.id, { active: true }, actor);
      await h.sync.applier.drain();
    });

    it('a cycle in stored data (impossible through Core) is bounded on read', async () => {
      const db = h.database.db.kysely;
      const ceo = await db.selectFrom('workforce_users').select('id').where('user_name', '=', 'ceo').executeTakeFirstOrThrow();
      const clerk = await db.selectFrom('workforce_users').select('id').where('user_name', '=', 'clerk').executeTakeFirstOrThrow();
      await db.updateTable('workforce_users').set({ supervisor_id: clerk.id }).where('id', '=', ceo.id).execute();
      try {
        const result = await chain('manager');
        assert.deepEqual(result, ['director', 'vp', 'ceo', 'clerk']);
        assert.ok(result.length <= MAX_CHAIN_DEPTH);
      } finally {
        await db.updateTable('workforce_users').set({ supervisor_id: null }).where('id', '=', ceo.id).execute();
      }
    });
  });
}
