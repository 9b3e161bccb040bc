import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../src/log.ts';
import { createSyncService } from '../../src/sync/index.ts';
import { dialects } from '../support/databases.ts';
import { licensedUser, startSyncHarness, type SyncHarness } from '../support/sync.ts';

const actor = 'test';

for (const dialect of dialects()) {
  describe(`sync applier batches on ${dialect.name}`, { skip: dialect.skip }, () => {
    let h: SyncHarness;
    before(async () => {
      h = await startSyncHarness(dialect);
    });
    after(async () => h?.close());

    const outboxRow = (entityId: number, detail: string | null) =>
      h.database.db.kysely.insertInto('sync_outbox').values({ entity: 'user', entity_id: entityId, kind: 'updated', detail, created_at: new Date().toISOString() }).execute();

    it('links supervisors created in the same batch as their reports (a run of consecutive ids)', async () => {
      await h.sync.applier.drain();
      for (let b = 0; b < 10; b++) await h.core.users.create(licensedUser({ login: `same-boss${b}` }), actor);
      for (let e = 0; e < 90; e++) await h.core.users.create(licensedUser({ login: `same-emp${e}`, manager: { login: `same-boss${e % 10}` } }), actor);
      const round = await h.sync.applier.runOnce();
      assert.equal(round.applied, 100, 'one batch');
      for (let e = 0; e < 90; e++) {
        const user = await h.workforce.users.get(`same-emp${e}`);
        assert.equal(user.supervisor?.userName, `same-boss${e % 10}`, `same-emp${e}`);
      }
      const chain = await h.workforce.users.approvalChain('same-emp17', {});
      assert.deepEqual(chain.map((u) => u.userName), ['same-boss7']);
    });

    it('claims past a run of events held back by an entity in back-off, and marks only what it applied', async () => {
      await h.sync.applier.drain();
      // Batches of 2 look 8 ids ahead: the held-back run below is longer than that.
      const small = createSyncService({ db: h.database.db, core: h.core, workforce: h.workforce, outbox: h.outbox, log: createLogger('silent'), applier: { batchSize: 2 } });
      const poison = 999_997;
      await outboxRow(poison, '{');
      await h.core.users.create(licensedUser({ login: 'past-x' }), actor);
      for (let i = 0; i < 8; i++) await outboxRow(poison, null);
      await h.core.users.create(licensedUser({ login: 'past-y' }), actor);
      await outboxRow(poison, null);
      await h.core.users.create(licensedUser({ login: 'past-z' }), actor);

      const total = await small.applier.drain();
      assert.equal(total.failed, 1, 'the poison event failed once and waits for its retry');
      assert.equal(total.applied, 3);
      for (const login of ['past-x', 'past-y', 'past-z']) assert.equal((await h.workforce.users.get(login)).active, true, login);
      const held = await h.database.db.kysely.selectFrom('sync_outbox').select(['id', 'applied_at']).where('entity_id', '=', poison).orderBy('id').execute();
      assert.equal(held.length, 10);
      assert.deepEqual(held.filter((r) => r.applied_at !== null), [], 'every event of the entity in back-off waits behind it, even one between two applied events');
      const status = await small.status();
      assert.equal(status.retrying, 1);
      assert.equal(status.pending, 10);
    });
  });
}
