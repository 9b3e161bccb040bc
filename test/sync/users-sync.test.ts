import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dialects } from '../support/databases.ts';
import { licensedUser, startSyncHarness, type SyncHarness } from '../support/sync.ts';

const actor = 'test';

for (const dialect of dialects()) {
  describe(`Core -> Workforce user sync on ${dialect.name}`, { skip: dialect.skip }, () => {
    let h: SyncHarness;
    before(async () => {
      h = await startSyncHarness(dialect);
    });
    after(async () => h?.close());

    const wfUser = (login: string) => h.workforce.users.get(login);

    it('creates a licensed user with every mapped field, the approval limit, and matching roles', async () => {
      await h.core.users.create(
        licensedUser({
          login: 'map1',
          firstname: 'Ada',
          lastname: 'Lovelace',
          mentionName: 'ada',
          email: 'ada@example.com',
          phoneMobile: '555-000-1111',
          defaultCurrency: 'EUR',
          employeeNumber: 'E-1',
          approvalLimit: { amount: '2500.00', currency: 'EUR' },
          roles: [{ name: 'Buyer' }, { name: 'User' }],
        }),
        actor,
      );
      await h.sync.applier.drain();
      const u = await wfUser('map1');
      assert.equal(u.firstName, 'Ada');
      assert.equal(u.lastName, 'Lovelace');
      assert.equal(u.nickName, 'ada');
      assert.equal(u.email, 'ada@example.com');
      assert.equal(u.phoneNumber, '555-000-1111', 'phone-mobile when there is no phone-work');
      assert.equal(u.defaultCurrency, 'EUR');
      assert.equal(u.employeeNumber, 'E-1');
      assert.equal(u.active, true);
      assert.deepEqual(u.approvalLimit, { amount: '2500.00', currency: 'EUR' });
      assert.deepEqual(u.roles, ['Buyer'], 'Core roles that are Workforce roles');
    });

    it('gives Engaging Manager when no role matches, and later Core role changes never touch Workforce roles', async () => {
      const core = await h.core.users.create(licensedUser({ login: 'roles1', roles: [{ name: 'User' }] }), actor);
      await h.sync.applier.drain();
      assert.deepEqual((await wfUser('roles1')).roles, ['Engaging Manager']);
      await h.core.users.update(core.id, { roles: [{ name: 'Buyer' }], phoneWork: '555-222-3333' }, actor);
      await h.sync.applier.drain();
      const u = await wfUser('roles1');
      assert.deepEqual(u.roles, ['Engaging Manager']);
      assert.equal(u.phoneNumber, '555-222-3333', 'phone-work wins');
    });

    it('ignores users without the licence; losing it deactivates, regaining it reactivates', async () => {
      const plain = await h.core.users.create(licensedUser({ login: 'nolic', ccwUser: false }), actor);
      await h.sync.applier.drain();
      await assert.rejects(wfUser('nolic'), /not found/);
      await h.core.users.update(plain.id, { ccwUser: true }, actor);
      await h.sync.applier.drain();
      assert.equal((await wfUser('nolic')).active, true);
      await h.core.users.update(plain.id, { ccwUser: false }, actor);
      await h.sync.applier.drain();
      assert.equal((await wfUser('nolic')).active, false);
      await h.core.users.update(plain.id, { ccwUser: true }, actor);
      await h.sync.applier.drain();
      assert.equal((await wfUser('nolic')).active, true);
    });

    it('links a supervisor that arrives later', async () => {
      const boss = await h.core.users.create(licensedUser({ login: 'boss-late', ccwUser: false }), actor);
      await h.core.users.create(licensedUser({ login: 'emp-late', manager: { login: 'boss-late' } }), actor);
      await h.sync.applier.drain();
      assert.equal((await wfUser('emp-late')).supervisor, null);
      await h.core.users.update(boss.id, { ccwUser: true }, actor);
      await h.sync.applier.drain();
      assert.equal((await wfUser('emp-late')).supervisor?.userName, 'boss-late');
    });

    it('writes the outbox row in the Core transaction: a failed change leaves none', async () => {
      const before = await h.database.db.kysely.selectFrom('sync_outbox').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      await assert.rejects(h.core.users.create(licensedUser({ login: 'bad', manager: { login: 'nobody-here' } }), actor));
      await assert.rejects(h.core.users.create(licensedUser({ login: 'map1' }), actor), /already been taken/);
      const afterCount = await h.database.db.kysely.selectFrom('sync_outbox').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      assert.equal(Number(afterCount.n), Number(before.n));
      const created = await h.core.users.create(licensedUser({ login: 'good-one' }), actor);
      const rows = await h.database.db.kysely.selectFrom('sync_outbox').selectAll().where('entity', '=', 'user').where('entity_id', '=', created.id).execute();
      assert.equal(rows.length, 1);
    });

    it('applies replays idempotently: the same events again change nothing', async () => {
      const core = await h.core.users.create(licensedUser({ login: 'replay1' }), actor);
      await h.sync.applier.drain();
      const first = await wfUser('replay1');
      await h.database.db.kysely.updateTable('sync_outbox').set({ applied_at: null }).where('entity_id', '=', core.id).where('entity', '=', 'user').execute();
      const round = await h.sync.applier.drain();
      assert.ok(round.applied >= 1);
      const again = await wfUser('replay1');
      assert.deepEqual(again, first);
    });

    it('applies exactly once after a crash between the Core commit and the apply', async () => {
      await h.sync.applier.drain();
      const core = await h.core.users.create(licensedUser({ login: 'crash1', roles: [{ name: 'Buyer' }] }), actor);
      // "Crash": the applier never ran. A new harness over the same database is the restarted process.
      const restarted = await startSyncHarness(dialect, { database: h.database });
      const round = await restarted.sync.applier.drain();
      assert.equal(round.applied, 1);
      assert.equal((await restarted.sync.applier.drain()).applied, 0);
      const u = await restarted.workforce.users.get('crash1');
      assert.deepEqual(u.roles, ['Buyer']);
      const rows = await h.database.db.kysely.selectFrom('workforce_users').select('id').where('source_id', '=', core.id).execute();
      assert.equal(rows.length, 1);
    });

    it('parks a poison event after its retries and keeps applying other entities', async () => {
      await h.sync.applier.drain();
      await h.database.db.kysely.insertInto('sync_outbox').values({ entity: 'user', entity_id: 999_999, kind: 'updated', detail: '{', created_at: new Date().toISOString() }).execute();
      await h.core.users.create(licensedUser({ login: 'after-poison' }), actor);
      await h.sync.applier.drain();
      assert.equal((await wfUser('after-poison')).active, true);
      const waiting = (await h.sync.status()).pendingEvents;
      assert.deepEqual(waiting.map((e) => e.entityId), [999_999], 'the failed event is listed as pending, the applied one is not');
      assert.match(waiting[0]!.lastError ?? '', /JSON/);
      assert.ok(waiting[0]!.attempts >= 1 && waiting[0]!.nextAttemptAt instanceof Date, 'with its attempts and when it is tried again');
      await h.database.db.kysely.updateTable('sync_outbox').set({ attempts: 7, next_attempt_at: null }).where('entity_id', '=', 999_999).execute();
      await h.sync.applier.drain();
      const status = await h.sync.status();
      assert.equal(status.parked, 1);
      assert.equal(status.parkedEvents[0]?.entityId, 999_999);
      assert.match(status.parkedEvents[0]?.lastError ?? '', /JSON/);
      assert.equal(status.pending, 0);
    });
  });
}
