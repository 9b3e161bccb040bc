import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { noOutbox } from '../../outbox.port.ts';
import type { Db } from '../../../db/index.ts';
import { dialects } from '../../../../test/support/databases.ts';
import { allFields, importRows, indexesAndKeys, limitedRole, managerOf, roleLinks, row } from './test-support.ts';
import { startUserImport, type UserImportRow } from './user-import.ts';

const postgres = dialects().find((d) => d.name === 'postgres')!;

/** A file into an empty Core with a failure of every kind, each failing row giving roles. */
const firstFile: UserImportRow[] = [
  row(2, 'ann', { manager: { login: 'bob' }, roles: [{ name: 'Buyer' }] }),
  row(3, 'bob', { manager: { login: 'ann' }, roles: [{ name: 'Buyer' }] }),
  row(4, 'cid', { manager: { login: 'eve' }, roles: [{ name: 'User' }] }),
  row(5, 'dup', { roles: [{ name: 'User' }] }),
  row(6, 'dup', { email: 'dup2@example.com', roles: [{ name: 'Buyer' }] }),
  row(7, 'bad', { email: 'not-an-email', roles: [{ name: 'User' }] }),
  row(8, 'lost', { manager: { login: 'nobody' }, roles: [{ name: 'User' }] }),
  row(9, 'eve', { roles: [{ name: 'buyer' }, { name: 'User' }, { name: 'Buyer' }] }),
  row(10, 'fay'),
  row(11, 'gus', { roles: [{ name: 'No Such Role' }] }),
];

async function count(db: Db, table: 'core_users' | 'core_user_roles'): Promise<number> {
  return Number((await db.kysely.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
}

describe('bulk user import: a first load on postgres (role links copied while staging)', { skip: postgres.skip }, () => {
  for (const planByHash of [false, true]) {
    it(`keeps the links of the good rows only, whenever a row fails, and puts every key back${planByHash ? ' (whole-table joins)' : ''}`, async () => {
      const t = await postgres.create();
      try {
        const before = await indexesAndKeys(t);
        const { outcomes } = await importRows(t, firstFile, { planByHash: () => planByHash });
        assert.deepEqual(
          outcomes.map((o) => `${o.key}:${o.outcome}`),
          ['ann:error', 'bob:error', 'cid:created', 'dup:error', 'dup:error', 'bad:error', 'lost:error', 'eve:created', 'fay:created', 'gus:error'],
        );
        assert.match(outcomes[0]!.problems[0]!.message, /would create a cycle: ann -> bob -> ann/);
        assert.deepEqual(await roleLinks(t), ['cid:User', 'eve:Buyer', 'eve:User']);
        assert.equal(await count(t.db, 'core_user_roles'), 3, 'no link of a failed row is left (roleLinks joins users)');
        assert.equal(await managerOf(t, 'cid'), 'eve');
        assert.deepEqual(await indexesAndKeys(t), before);
        const eve = await t.db.kysely.selectFrom('core_users').select('id').where('login', '=', 'eve').executeTakeFirstOrThrow();
        await assert.rejects(sql`insert into core_user_roles (user_id, role_id) values (${eve.id}, (select id from core_roles where name = 'User'))`.execute(t.db.kysely), /duplicate key/);
        await assert.rejects(sql`insert into core_user_roles (user_id, role_id) values (99999999, 1)`.execute(t.db.kysely), /foreign key/);

        const second = await importRows(t, [row(2, 'fay', { roles: [{ name: 'Buyer' }] }), row(3, 'hal', { roles: [{ name: 'User' }] })]);
        assert.deepEqual(second.outcomes.map((o) => o.outcome), ['updated', 'created'], 'the next file is not a first load');
        assert.deepEqual(await roleLinks(t), ['cid:User', 'eve:Buyer', 'eve:User', 'fay:Buyer', 'hal:User']);
      } finally {
        await t.drop();
      }
    });
  }

  it('a manager loop, found only after the users are written, takes its rows\' links with it', async () => {
    const t = await postgres.create();
    try {
      const { planned, outcomes } = await importRows(t, [
        row(2, 'ann', { manager: { login: 'bob' }, roles: [{ name: 'Buyer' }] }),
        row(3, 'bob', { manager: { login: 'ann' }, roles: [{ name: 'User' }] }),
        row(4, 'eve', { roles: [{ name: 'User' }] }),
      ]);
      assert.equal(planned.errors, 0, 'the plan found nothing wrong');
      assert.deepEqual(outcomes.map((o) => `${o.key}:${o.outcome}`), ['ann:error', 'bob:error', 'eve:created']);
      assert.deepEqual(await roleLinks(t), ['eve:User']);
      assert.equal(await count(t.db, 'core_user_roles'), 1);
    } finally {
      await t.drop();
    }
  });

  it('holds readers of users until it ends, and a rolled-back first load leaves no user, no link and every key', async () => {
    const t = await postgres.create();
    try {
      const before = await indexesAndKeys(t);
      await assert.rejects(
        t.db.kysely.transaction().execute(async (trx) => {
          const imp = await startUserImport({ db: t.db, clock: () => new Date(), outbox: noOutbox }, trx, { fullFeed: false, given: allFields, actor: 'test' });
          await imp.add(firstFile);
          await imp.plan();
          await t.db.kysely.connection().execute(async (reader) => {
            await sql`set lock_timeout = '200ms'`.execute(reader);
            await assert.rejects(sql`select count(*) from core_users`.execute(reader), /lock timeout/);
            await sql`reset lock_timeout`.execute(reader);
          });
          await imp.apply();
          throw new Error('the file fails after its apply');
        }),
        /fails after its apply/,
      );
      assert.equal(await count(t.db, 'core_users'), 0);
      assert.equal(await count(t.db, 'core_user_roles'), 0);
      assert.deepEqual(await indexesAndKeys(t), before);
    } finally {
      await t.drop();
    }
  });

  it('a role that does not own the tables loads a big first file with roles without dropping any index or key', async () => {
    const t = await postgres.create();
    const limited = await limitedRole(t, 'workgate_first_load');
    try {
      const before = await indexesAndKeys(t);
      const many = Array.from({ length: 50_001 }, (_, i) =>
        row(i + 2, `user${i}`, { ...(i > 0 ? { manager: { login: `user${Math.floor(i / 8)}` } } : {}), ...(i % 3 === 0 ? { roles: [{ name: 'Buyer' }] } : {}) }),
      );
      const { applied } = await importRows({ ...t, db: limited.db }, many);
      assert.equal(applied.created, 50_001);
      assert.equal(await count(t.db, 'core_user_roles'), 16_667);
      assert.equal(await managerOf(t, 'user40000'), 'user5000');
      assert.deepEqual(await indexesAndKeys(t), before);
    } finally {
      await limited.drop();
      await t.drop();
    }
  });
});
