import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createCoreService, type CoreService, type OutboxEvent, type OutboxPort } from '../../src/core/index.ts';
import { dialects, type TestDatabase } from '../support/databases.ts';

class Rollback extends Error {}

/** An outbox that remembers what it was told, and whether it was told of a commit. */
function recordingOutbox() {
  const events: OutboxEvent[] = [];
  let commits = 0;
  const port: OutboxPort = {
    recordMany: async (_trx, more) => void events.push(...more),
    committed: () => void commits++,
  };
  return { port, events, commits: () => commits, clear: () => void (events.length = 0) };
}

const summary = (events: OutboxEvent[]) => events.map((e) => `${e.entity}:${e.kind}`);

for (const dialect of dialects()) {
  describe(`Core services in a caller's transaction (feeds) on ${dialect.name}`, { skip: dialect.skip }, () => {
    let database: TestDatabase;
    let core: CoreService;
    const outbox = recordingOutbox();
    before(async () => {
      database = await dialect.create();
      core = createCoreService({ db: database.db, outbox: outbox.port });
    });
    after(async () => database?.drop());

    it('writes in the given transaction: finds see its writes, the caller commits, and a rollback leaves nothing', async () => {
      const before = outbox.commits();
      await assert.rejects(
        database.db.kysely.transaction().execute(async (trx) => {
          const lookup = await core.lookups.create({ name: 'Dept' }, 'test', trx);
          const chart = await core.accountTypes.create({ name: 'GL', currency: 'USD', segments: [{ fieldTypeName: 'Cost Center' }] }, 'test', trx);
          await core.accountTypes.update(chart.id, { currency: 'EUR' }, 'test', trx);
          const account = await core.accounts.create({ accountType: { name: 'GL' }, segments: ['100'] }, 'test', trx);
          await core.accounts.update(account.id, { name: 'Travel' }, 'test', trx);
          const value = await core.lookupValues.create({ lookup: { id: lookup.id }, name: 'Eng', externalRefNum: '10' }, 'test', trx);
          await core.lookupValues.update(value.id, { description: 'Engineering' }, 'test', trx);
          await core.lookups.update(lookup.id, { description: 'Departments' }, 'test', trx);
          assert.equal((await core.accountTypes.find({ name: 'GL' }, trx))?.currency, 'EUR');
          assert.equal((await core.accounts.find({ accountType: { name: 'GL' }, code: '100' }, trx))?.name, 'Travel');
          assert.equal((await core.lookups.find({ name: 'Dept' }, trx))?.description, 'Departments');
          assert.equal((await core.lookupValues.find({ lookup: { name: 'Dept' }, externalRefCode: '10' }, trx))?.description, 'Engineering');
          throw new Rollback('the caller changes its mind');
        }),
        Rollback,
      );
      assert.deepEqual(summary(outbox.events), [
        'account-type:created',
        'account-type:updated',
        'account:created',
        'account:updated',
        'lookup-value:created',
        'lookup-value:updated',
      ]);
      assert.equal(outbox.commits(), before, 'committed() is the caller\'s to say');
      assert.equal(await core.accountTypes.find({ name: 'GL' }), undefined);
      assert.equal(await core.lookups.find({ name: 'Dept' }), undefined);
    });

    it('without a transaction each write is its own, and the outbox hears of its commit (the API path)', async () => {
      outbox.clear();
      const before = outbox.commits();
      await core.accountTypes.create({ name: 'Own', currency: 'USD' }, 'test');
      await core.lookups.create({ name: 'Own lookup' }, 'test');
      assert.deepEqual(summary(outbox.events), ['account-type:created']);
      assert.equal(outbox.commits(), before + 1, 'lookups are not synchronized: no outbox, no commit notice');
      assert.equal((await core.accountTypes.find({ name: 'Own' }))?.active, true);
    });

    it('deactivateMissing: keeps the given ids, stays in its scope, records an event per record and returns their keys', async () => {
      const a = await core.accountTypes.create({ name: 'A', currency: 'USD', segments: [{ fieldTypeName: 'S' }] }, 'test');
      const b = await core.accountTypes.create({ name: 'B', currency: 'USD', segments: [{ fieldTypeName: 'S' }] }, 'test');
      const a1 = await core.accounts.create({ accountType: { id: a.id }, segments: ['1'] }, 'test');
      await core.accounts.create({ accountType: { id: a.id }, segments: ['2'] }, 'test');
      await core.accounts.create({ accountType: { id: b.id }, segments: ['1'] }, 'test');
      const colors = await core.lookups.create({ name: 'Colors' }, 'test');
      const sizes = await core.lookups.create({ name: 'Sizes' }, 'test');
      const red = await core.lookupValues.create({ lookup: { id: colors.id }, name: 'Red' }, 'test');
      await core.lookupValues.create({ lookup: { id: colors.id }, name: 'Blue', externalRefNum: 'B1' }, 'test');
      await core.lookupValues.create({ lookup: { id: sizes.id }, name: 'Large' }, 'test');
      outbox.clear();

      const result = await database.db.kysely.transaction().execute(async (trx) => ({
        accounts: await core.accounts.deactivateMissing([a1.id], { accountTypeIds: [a.id] }, 'feed', trx),
        values: await core.lookupValues.deactivateMissing([red.id], { lookupIds: [colors.id] }, 'feed', trx),
        charts: await core.accountTypes.deactivateMissing([a.id, b.id], 'all', 'feed', trx),
        lookups: await core.lookups.deactivateMissing([colors.id, sizes.id], 'all', 'feed', trx),
      }));
      assert.deepEqual(result, {
        accounts: [{ accountType: 'A', code: '2' }],
        values: [{ lookup: 'Colors', name: 'Blue', externalRefNum: 'B1', externalRefCode: 'B1' }],
        charts: ['Own'],
        lookups: ['Own lookup'],
      });
      assert.deepEqual(summary(outbox.events), ['account:updated', 'lookup-value:updated', 'account-type:updated']);
      assert.deepEqual(outbox.events[0]?.detail, { previous: { accountTypeId: a.id, segments: ['2'] } });
      assert.equal((await core.accounts.find({ accountType: { id: b.id }, code: '1' }))?.active, true, 'outside the scope');
      assert.equal((await core.lookupValues.find({ lookup: { name: 'Sizes' }, name: 'Large', parent: null }))?.active, true, 'outside the scope');
      assert.equal((await core.accountTypes.find({ name: 'Own' }))?.active, false);
    });
  });
}
