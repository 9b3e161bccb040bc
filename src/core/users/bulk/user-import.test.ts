import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { createCoreService } from '../../core.service.ts';
import { noOutbox, type OutboxEvent, type OutboxPort } from '../../outbox.port.ts';
import type { Db, DialectName } from '../../../db/index.ts';
import { dialects, type TestDatabase } from '../../../../test/support/databases.ts';
import { allFields, importRows, indexesAndKeys, limitedRole, managerOf, roleLinks, row, type ImportOptions } from './test-support.ts';
import { startUserImport, type UserImportRow } from './user-import.ts';

/**
 * PostgreSQL decides outcomes one of two ways by the file's size (see coversManyUsers); every case runs
 * both ways there, the whole-table form forced for these small files.
 */
const planForms = (dialect: DialectName) =>
  dialect === 'postgres'
    ? [
        { label: ' (lookups per row)', planByHash: () => false },
        { label: ' (whole-table joins)', planByHash: () => true },
      ]
    : [{ label: '', planByHash: undefined }];

for (const dialect of dialects()) {
  for (const form of planForms(dialect.name)) {
    describe(`bulk user import on ${dialect.name}${form.label}`, { skip: dialect.skip }, () => {
      const runImport = (t: TestDatabase, rows: UserImportRow[], options: ImportOptions = {}) => importRows(t, rows, { planByHash: form.planByHash, ...options });

      it('creates users whose managers appear later in the file, with roles, and reports each line', async () => {
        const t = await dialect.create();
        try {
          const events: OutboxEvent[] = [];
          const outbox: OutboxPort = { recordMany: async (_trx, e) => void events.push(...e), committed: () => {} };
          const { applied, outcomes } = await runImport(
            t,
            [
              row(2, 'alice', { manager: { login: 'carol' }, roles: [{ name: 'buyer' }], ccwUser: true }),
              row(3, 'bob', { manager: { login: 'alice' } }),
              row(4, 'carol'),
            ],
            { outbox },
          );
          assert.equal(applied.created, 3);
          assert.deepEqual(outcomes.map((o) => [o.line, o.key, o.outcome]), [
            [2, 'alice', 'created'],
            [3, 'bob', 'created'],
            [4, 'carol', 'created'],
          ]);
          assert.equal(await managerOf(t, 'alice'), 'carol');
          assert.equal(await managerOf(t, 'bob'), 'alice');
          assert.deepEqual(await roleLinks(t), ['alice:Buyer']);
          assert.deepEqual(events.map((e) => e.kind), ['created'], 'only the licensed user is sent to sync');

          const again = await runImport(t, [row(2, 'alice', { manager: { login: 'carol' }, roles: [{ name: 'Buyer' }], ccwUser: true }), row(3, 'bob', { manager: { login: 'carol' } })]);
          assert.deepEqual(again.outcomes.map((o) => o.outcome), ['unchanged', 'updated']);
        } finally {
          await t.drop();
        }
      });

      it('makes every repeated key, unknown manager, self-manager and cycle a row error, and applies the rest', async () => {
        const t = await dialect.create();
        try {
          await runImport(t, [row(2, 'root'), row(3, 'mid', { manager: { login: 'root' } }), row(4, 'leaf', { manager: { login: 'mid' } })]);
          const { outcomes } = await runImport(t, [
            row(2, 'dup'),
            row(3, 'dup'),
            row(4, 'ghostly', { manager: { login: 'ghost' } }),
            row(5, 'narcissus', { manager: { login: 'narcissus' } }),
            row(6, 'root', { manager: { login: 'leaf' } }),
            row(7, 'fine', { email: 'not-an-email' }),
            row(8, 'good'),
          ]);
          const byLine = new Map(outcomes.map((o) => [o.line, o]));
          assert.match(byLine.get(2)!.problems[0]!.message, /Login "dup" appears on lines 2, 3/);
          assert.equal(byLine.get(3)!.outcome, 'error');
          assert.match(byLine.get(4)!.problems[0]!.message, /Manager "ghost" is not a user/);
          assert.match(byLine.get(5)!.problems[0]!.message, /cannot be their own manager/);
          assert.match(byLine.get(6)!.problems[0]!.message, /would create a cycle: root -> leaf -> mid -> root/);
          assert.match(byLine.get(7)!.problems[0]!.message, /not a valid email/);
          assert.equal(byLine.get(8)!.outcome, 'created');
          assert.equal(await managerOf(t, 'root'), null, 'the cycle was not written');
        } finally {
          await t.drop();
        }
      });

      it('a repeat of any one key alone (Employee Number, Email, Mention Name) fails exactly the rows repeating it', async () => {
        const t = await dialect.create();
        try {
          const { outcomes } = await runImport(t, [
            row(2, 'aa', { employeeNumber: 'E1' }),
            row(3, 'bb', { employeeNumber: 'E1' }),
            row(4, 'cc', { email: 'same@example.com' }),
            row(5, 'dd', { email: 'same@example.com' }),
            row(6, 'ee', { mentionName: 'mm' }),
            row(7, 'ff', { mentionName: 'mm' }),
            row(8, 'gg', { employeeNumber: 'E2', mentionName: 'other' }),
          ]);
          assert.deepEqual(outcomes.map((o) => [o.line, o.outcome, o.problems.map((p) => p.message)]), [
            [2, 'error', ['Employee number "E1" appears on lines 2, 3: a record may appear only once per file']],
            [3, 'error', ['Employee number "E1" appears on lines 2, 3: a record may appear only once per file']],
            [4, 'error', ['Email "same@example.com" appears on lines 4, 5: a record may appear only once per file']],
            [5, 'error', ['Email "same@example.com" appears on lines 4, 5: a record may appear only once per file']],
            [6, 'error', ['Mention name "mm" appears on lines 6, 7: a record may appear only once per file']],
            [7, 'error', ['Mention name "mm" appears on lines 6, 7: a record may appear only once per file']],
            [8, 'created', []],
          ]);
        } finally {
          await t.drop();
        }
      });

      it('links an existing user to a manager the same file creates, and a new user to an existing one renamed by the file', async () => {
        const t = await dialect.create();
        try {
          await runImport(t, [row(2, 'old', { employeeNumber: 'E1' }), row(3, 'boss', { employeeNumber: 'E2' })]);
          const { outcomes } = await runImport(t, [
            row(2, 'old', { employeeNumber: 'E1', manager: { login: 'newboss' } }),
            row(3, 'newboss', { manager: { login: 'chief' } }),
            row(4, 'chief', { employeeNumber: 'E2' }),
          ]);
          assert.deepEqual(outcomes.map((o) => o.outcome), ['updated', 'created', 'updated']);
          assert.equal(await managerOf(t, 'old'), 'newboss');
          assert.equal(await managerOf(t, 'newboss'), 'chief');
        } finally {
          await t.drop();
        }
      });

      it('updates a user whose role set changes either way, and leaves one whose roles are the same or not given', async () => {
        const t = await dialect.create();
        try {
          const buyer = [{ name: 'Buyer' }];
          await runImport(t, ['ann', 'bea', 'cyd', 'dan', 'eli'].map((login, i) => row(i + 2, login, { roles: buyer })));
          const { outcomes } = await runImport(t, [
            row(2, 'ann', { roles: [{ name: 'buyer' }, { name: 'User' }] }),
            row(3, 'bea', { roles: [{ name: 'User' }] }),
            row(4, 'cyd', { roles: [] }),
            row(5, 'dan', { roles: buyer }),
            row(6, 'eli', { roles: buyer, firstname: 'Renamed' }),
          ]);
          assert.deepEqual(outcomes.map((o) => [o.key, o.outcome]), [['ann', 'updated'], ['bea', 'updated'], ['cyd', 'unchanged'], ['dan', 'unchanged'], ['eli', 'updated']]);
          assert.deepEqual(await roleLinks(t), ['ann:Buyer', 'ann:User', 'bea:User', 'cyd:Buyer', 'dan:Buyer', 'eli:Buyer']);
        } finally {
          await t.drop();
        }
      });

      it('compares role sets as sets: another order or a repeated name is no change, one role fewer or a first role is', async () => {
        const t = await dialect.create();
        try {
          const both = [{ name: 'Buyer' }, { name: 'User' }];
          await runImport(t, [row(2, 'fay', { roles: both }), row(3, 'gus', { roles: both }), row(4, 'hal', { roles: both }), row(5, 'ivy', {})]);
          const { outcomes } = await runImport(t, [
            row(2, 'fay', { roles: [{ name: 'User' }, { name: 'Buyer' }] }),
            row(3, 'gus', { roles: [{ name: 'buyer' }, { name: 'User' }, { name: 'BUYER' }] }),
            row(4, 'hal', { roles: [{ name: 'User' }] }),
            row(5, 'ivy', { roles: [{ name: 'Buyer' }] }),
          ]);
          assert.deepEqual(outcomes.map((o) => [o.key, o.outcome]), [['fay', 'unchanged'], ['gus', 'unchanged'], ['hal', 'updated'], ['ivy', 'updated']]);
          assert.deepEqual(await roleLinks(t), ['fay:Buyer', 'fay:User', 'gus:Buyer', 'gus:User', 'hal:User', 'ivy:Buyer']);
        } finally {
          await t.drop();
        }
      });
      it('fails only the row whose new manager closes a loop, not a row on the loop that keeps its manager', async () => {
        const t = await dialect.create();
        try {
          await runImport(t, [row(2, 'root'), row(3, 'mid', { manager: { login: 'root' } }), row(4, 'leaf', { manager: { login: 'mid' } })]);
          const { outcomes } = await runImport(t, [
            row(2, 'root', { manager: { login: 'leaf' } }),
            row(3, 'mid', { firstname: 'Mid', manager: { login: 'root' } }),
          ]);
          assert.deepEqual(outcomes.map((o) => [o.key, o.outcome]), [['root', 'error'], ['mid', 'updated']]);
          assert.match(outcomes[0]!.problems[0]!.message, /would create a cycle: root -> leaf -> mid -> root/);
          assert.equal(await managerOf(t, 'root'), null);
          assert.equal(await managerOf(t, 'mid'), 'root');
          const mid = await t.db.kysely.selectFrom('core_users').select('firstname').where('login', '=', 'mid').executeTakeFirstOrThrow();
          assert.equal(mid.firstname, 'Mid');
        } finally {
          await t.drop();
        }
      });

      it('fails the rows whose manager is on a loop too, and applies the rest without a half-written link', async () => {
        const t = await dialect.create();
        try {
          const { outcomes } = await runImport(t, [
            row(2, 'ann', { manager: { login: 'bob' } }),
            row(3, 'bob', { manager: { login: 'ann' } }),
            row(4, 'cid', { manager: { login: 'ann' } }),
            row(5, 'dee', { manager: { login: 'eve' } }),
            row(6, 'eve'),
          ]);
          assert.deepEqual(outcomes.map((o) => [o.key, o.outcome]), [['ann', 'error'], ['bob', 'error'], ['cid', 'error'], ['dee', 'created'], ['eve', 'created']]);
          assert.match(outcomes[0]!.problems[0]!.message, /would create a cycle: ann -> bob -> ann/);
          assert.match(outcomes[2]!.problems[0]!.message, /Manager "ann" is not a user/);
          const logins = (await t.db.kysely.selectFrom('core_users').select('login').orderBy('login').execute()).map((r) => r.login);
          assert.deepEqual(logins, ['dee', 'eve']);
          assert.equal(await managerOf(t, 'dee'), 'eve');
        } finally {
          await t.drop();
        }
      });

      it('gives new users ids in line order after the existing ones, and users created later still get fresh ids', async () => {
        const t = await dialect.create();
        try {
          const core = createCoreService({ db: t.db });
          const first = await core.users.create({ login: 'api1', email: 'api1@example.com', firstname: 'A', lastname: 'P' }, 'test');
          await runImport(t, [row(2, 'xena'), row(3, 'yuri'), row(4, 'zoe', { manager: { login: 'xena' } })]);
          const ids = await t.db.kysely.selectFrom('core_users').select(['login', 'id']).where('login', 'in', ['xena', 'yuri', 'zoe']).orderBy('id').execute();
          assert.deepEqual(ids.map((r) => r.login), ['xena', 'yuri', 'zoe']);
          assert.ok(ids[0]!.id > first.id);
          const later = await core.users.create({ login: 'api2', email: 'api2@example.com', firstname: 'A', lastname: 'P' }, 'test');
          assert.ok(later.id > ids[2]!.id, 'the id sequence moved past the imported users');
        } finally {
          await t.drop();
        }
      });

      it('a file of more new users than there are (indexes and keys rebuilt after it) keeps every index and key, and a failure restores them', async () => {
        const t = await dialect.create();
        try {
          const indexes = () => indexesAndKeys(t);
          const before = await indexes();
          assert.ok(before.length >= 16, `core_users and core_user_roles have their indexes (${before.length})`);
          const many = Array.from({ length: 50_001 }, (_, i) => row(i + 2, `user${i}`, i > 0 ? { manager: { login: `user${Math.floor(i / 8)}` } } : {}));
          await assert.rejects(
            t.db.kysely.transaction().execute(async (trx) => {
              const imp = await startUserImport({ db: t.db, clock: () => new Date(), outbox: noOutbox }, trx, { fullFeed: false, given: allFields, actor: 'test' });
              await imp.add(many);
              await imp.plan();
              await imp.apply();
              throw new Error('the file fails after its apply');
            }),
            /fails after its apply/,
          );
          assert.deepEqual(await indexes(), before);
          assert.equal(Number((await t.db.kysely.selectFrom('core_users').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n), 0);
          const { applied } = await runImport(t, many);
          assert.equal(applied.created, 50_001);
          assert.deepEqual(await indexes(), before);
          assert.equal(await managerOf(t, 'user40000'), 'user5000');
          await assert.rejects(
            t.db.kysely.updateTable('core_users').set({ manager_id: 99_999_999 }).where('login', '=', 'user7').execute(),
            /foreign key/i,
            'the manager key is enforced again',
          );
        } finally {
          await t.drop();
        }
      });

      it('matches by employee number first: the login may change that way, the employee number never by login', async () => {
        const t = await dialect.create();
        try {
          await runImport(t, [row(2, 'jdoe', { employeeNumber: 'E1' }), row(3, 'asmith', { employeeNumber: 'E2' })]);
          const { outcomes } = await runImport(t, [row(2, 'john.doe', { employeeNumber: 'E1' }), row(3, 'asmith', { employeeNumber: 'E9' })]);
          assert.equal(outcomes[0]!.outcome, 'updated');
          assert.equal(outcomes[1]!.outcome, 'error');
          assert.match(outcomes[1]!.problems[0]!.message, /belongs to employee number "E2"/);
          const logins = (await t.db.kysely.selectFrom('core_users').select('login').orderBy('login').execute()).map((r) => r.login);
          assert.deepEqual(logins, ['asmith', 'john.doe']);
        } finally {
          await t.drop();
        }
      });

      it('two rows that name one user (one by Employee Number, one by Login) are both errors naming each other', async () => {
        const t = await dialect.create();
        try {
          await runImport(t, [row(2, 'jdoe', { employeeNumber: 'E1', firstname: 'Jo' }), row(3, 'amy', { employeeNumber: 'E2' })]);
          const { outcomes } = await runImport(t, [
            row(2, 'john.doe', { employeeNumber: 'E1', firstname: 'John' }),
            row(3, 'amy', { employeeNumber: 'E2', firstname: 'Amy' }),
            row(4, 'jdoe', { firstname: 'Johnny' }),
          ]);
          assert.deepEqual(outcomes.map((o) => [o.line, o.outcome, o.problems.map((p) => `${p.field}: ${p.message}`)]), [
            [2, 'error', ['employee-number: Lines 2 and 4 both name user jdoe (by Employee Number or Login): a user may appear only once per file']],
            [3, 'updated', []],
            [4, 'error', ['login: Lines 2 and 4 both name user jdoe (by Employee Number or Login): a user may appear only once per file']],
          ]);
          const users = await t.db.kysely.selectFrom('core_users').select(['login', 'firstname']).orderBy('login').execute();
          assert.deepEqual(users, [
            { login: 'amy', firstname: 'Amy' },
            { login: 'jdoe', firstname: 'Jo' },
          ]);
        } finally {
          await t.drop();
        }
      });

      it("refuses a row that would take another user's Login or Email, naming the holder", async () => {
        const t = await dialect.create();
        try {
          await runImport(t, [row(2, 'kim', { employeeNumber: 'E1' }), row(3, 'lee', { employeeNumber: 'E2' }), row(4, 'max', { employeeNumber: 'E3' })]);
          const { outcomes } = await runImport(t, [
            row(2, 'lee', { employeeNumber: 'E1', email: 'kim@example.com' }),
            row(3, 'lee2', { employeeNumber: 'E2', email: 'max@example.com' }),
            row(4, 'nia', { employeeNumber: 'E4', email: 'nia@example.com' }),
          ]);
          assert.deepEqual(outcomes.map((o) => [o.key, o.outcome, o.problems.map((p) => p.message)]), [
            ['E1', 'error', ['Login "lee" has already been taken by user lee']],
            ['E2', 'error', ['Email "max@example.com" has already been taken by user max']],
            ['E4', 'created', []],
          ]);
          const logins = (await t.db.kysely.selectFrom('core_users').select('login').orderBy('login').execute()).map((r) => r.login);
          assert.deepEqual(logins, ['kim', 'lee', 'max', 'nia']);
        } finally {
          await t.drop();
        }
      });

      it("refuses another user's Email on a row found by Login and on a new row; a user keeping its own Email passes", async () => {
        const t = await dialect.create();
        try {
          await runImport(t, [row(2, 'ola'), row(3, 'pat'), row(4, 'rue', { employeeNumber: 'E7' }), row(5, 'sam'), row(6, 'tia')]);
          const { outcomes } = await runImport(t, [
            row(2, 'ola', { email: 'sam@example.com' }),
            row(3, 'quin', { email: 'tia@example.com' }),
            row(4, 'rue', { employeeNumber: 'E7', firstname: 'Rue' }),
            row(5, 'pat', { firstname: 'Pat' }),
          ]);
          assert.deepEqual(outcomes.map((o) => [o.key, o.outcome, o.problems.map((p) => p.message)]), [
            ['ola', 'error', ['Email "sam@example.com" has already been taken by user sam']],
            ['quin', 'error', ['Email "tia@example.com" has already been taken by user tia']],
            ['E7', 'updated', []],
            ['pat', 'updated', []],
          ]);
        } finally {
          await t.drop();
        }
      });

      it('tells sync of licensed users only: those the file changes, then those a Full file deactivates', async () => {
        const t = await dialect.create();
        try {
          const licensed = { ccwUser: true };
          await runImport(t, [row(2, 'ann', licensed), row(3, 'bea'), row(4, 'cyd', licensed), row(5, 'dan'), row(6, 'eve', licensed)]);
          const ids = new Map((await t.db.kysely.selectFrom('core_users').select(['id', 'login']).execute()).map((u) => [u.login, u.id]));
          const events: OutboxEvent[] = [];
          const outbox: OutboxPort = { recordMany: async (_trx, e) => void events.push(...e), committed: () => {} };
          // ann changes, eve loses the licence (sync must hear), bea changes unlicensed; cyd and dan are left out.
          await runImport(t, [row(2, 'ann', { ...licensed, firstname: 'Ann' }), row(3, 'bea', { firstname: 'Bea' }), row(6, 'eve', { ccwUser: false })], { fullFeed: true, outbox });
          assert.deepEqual(
            events.map((e) => [e.entityId, e.kind]),
            [
              [ids.get('ann'), 'updated'],
              [ids.get('eve'), 'updated'],
              [ids.get('cyd'), 'updated'],
            ],
          );
        } finally {
          await t.drop();
        }
      });

      it('a Full file deactivates the active users it does not name, never those whose row has an error', async () => {
        const t = await dialect.create();
        try {
          await runImport(t, [row(2, 'ann'), row(3, 'bea'), row(4, 'cyd'), row(5, 'dan')]);
          const { planned, applied, outcomes } = await runImport(t, [row(2, 'ann'), row(3, 'bea', { email: 'broken' })], { fullFeed: true });
          assert.equal(planned.missing, 2);
          assert.equal(planned.activeBefore, 4);
          // As the other layouts report them: what the plan found, not recounted after the deactivation.
          assert.deepEqual([applied.missing, applied.activeBefore, applied.deactivated], [2, 4, 2]);
          assert.deepEqual(outcomes.filter((o) => o.line === null).map((o) => [o.key, o.outcome]), [
            ['cyd', 'deactivated'],
            ['dan', 'deactivated'],
          ]);
          const active = (await t.db.kysely.selectFrom('core_users').select('login').where('active', '=', true).orderBy('login').execute()).map((r) => r.login);
          assert.deepEqual(active, ['ann', 'bea']);
        } finally {
          await t.drop();
        }
      });
    });
  }
}

const postgres = dialects().find((d) => d.name === 'postgres')!;

describe('bulk user import stage tables on postgres', { skip: postgres.skip }, () => {
  /** Imports two users, reporting where the stage tables were while the import ran. */
  async function importSeeingStage(db: Db, fail = false) {
    return db.kysely.transaction().execute(async (trx) => {
      const imp = await startUserImport({ db, clock: () => new Date(), outbox: noOutbox }, trx, { fullFeed: false, given: allFields, actor: 'test' });
      await imp.add([row(2, 'ann'), row(3, 'bob', { manager: { login: 'ann' } })]);
      await imp.plan();
      const { rows } = await sql<{ schema: string; persistence: string }>`
        select n.nspname as schema, c.relpersistence as persistence from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where c.relname = 'stage_users' and pg_table_is_visible(c.oid)`.execute(trx);
      await imp.apply();
      if (fail) throw new Error('stopped on purpose');
      await imp.close();
      return rows[0]!;
    });
  }

  const stageSchemas = async (db: Db) =>
    (await sql<{ n: string }>`select count(*)::text as n from pg_namespace where nspname like 'workgate\_stage\_%'`.execute(db.kysely)).rows[0]!.n;

  it('stages in unlogged tables of a schema of its own (parallel plans), and leaves no schema after a commit or a rollback', async () => {
    const t = await postgres.create();
    try {
      const seen = await importSeeingStage(t.db);
      assert.match(seen.schema, /^workgate_stage_[0-9a-f]{16}$/);
      assert.equal(seen.persistence, 'u', 'unlogged');
      assert.equal(await stageSchemas(t.db), '0');
      await assert.rejects(importSeeingStage(t.db, true), /stopped on purpose/);
      assert.equal(await stageSchemas(t.db), '0');
      const users = await t.db.kysely.selectFrom('core_users').select('login').orderBy('login').execute();
      assert.deepEqual(users.map((u) => u.login), ['ann', 'bob'], 'the rolled-back import changed nothing');
      const path = (await sql<{ path: string }>`select current_setting('search_path') as path`.execute(t.db.kysely)).rows[0]!.path;
      assert.doesNotMatch(path, /workgate_stage/);
    } finally {
      await t.drop();
    }
  });

  it('a database role that may not create schemas stages in temporary tables instead', async () => {
    const t = await postgres.create();
    const limited = await limitedRole(t, 'workgate_limited');
    try {
      const seen = await importSeeingStage(limited.db);
      assert.match(seen.schema, /^pg_temp/);
      assert.equal(seen.persistence, 't', 'temporary');
      assert.equal(await managerOf(t, 'bob'), 'ann');
    } finally {
      await limited.drop();
      await t.drop();
    }
  });
});
