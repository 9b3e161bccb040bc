import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CompiledQuery, sql } from 'kysely';
import { dialects, type TestDatabase } from '../../test/support/databases.ts';
import { accountQuerySchema, userQuerySchema } from '../core/query-schemas.ts';
import type { Database, Db } from '../db/index.ts';
import { prefixBucketColumns } from '../db/migrations/0008-list-filter-indexes.ts';
import { applyListQuery, escapeLike } from './compile-list-query.ts';
import { defaultListQuery, type Condition, type ConditionValue, type ListQuery, type Operator, type QuerySchema } from './types.ts';

/** `cond('manager.login', 'eq', 'alice')`: the path is the association names, then the field. */
function cond(path: string, operator: Operator, ...values: ConditionValue[]): Condition {
  const names = path.split('.');
  const field = names.pop() ?? '';
  return { path: names, field, operator, values };
}

function listQuery(schema: QuerySchema, db: Db, conditions: Condition[], overrides: Partial<ListQuery> = {}) {
  const qb = db.kysely.selectFrom(schema.table as keyof Database).select(sql.ref<number>(`${schema.table}.id`).as('id'));
  return applyListQuery(qb, schema, defaultListQuery({ conditions, ...overrides }), db.adapter);
}

async function ids(db: Db, schema: QuerySchema, conditions: Condition[], overrides: Partial<ListQuery> = {}): Promise<number[]> {
  const rows = await listQuery(schema, db, conditions, overrides).execute();
  return rows.map((row) => Number(row.id));
}

const audit = (day: string) => ({ created_at: `2020-01-${day}T00:00:00.000Z`, updated_at: `2021-01-${day}T00:00:00.000Z`, created_by: 'seed', updated_by: null });

type UserSeed = [id: number, login: string, lastname: string, middlename: string | null, employee: string | null, active: boolean, manager: number | null, currency: string | null];
const users: UserSeed[] = [
  [1, 'alice', 'Anders', null, 'E1', true, null, 'USD'],
  [2, 'bob', 'Brown', '', 'E2', true, 1, 'EUR'],
  [3, 'carol', 'anderson', 'Marie', null, false, 1, null],
  [4, 'dave', 'Ab%c_d', null, 'E4', true, 2, 'USD'],
  [5, 'eve', 'Abxcyd', null, 'E5', true, 2, null],
  [6, 'frank', 'Öztürk', null, 'E6', false, 4, 'GBP'],
  [7, 'grace', 'Back\\slash', null, 'E7', true, null, 'USD'],
];

/** Beside the predefined roles the migration creates. */
const roles: [number, string][] = [[101, 'Qa Buyer'], [102, 'Qa Admin'], [103, 'Qa Approver']];

async function seed(db: Db): Promise<void> {
  const k = db.kysely;
  await k
    .insertInto('core_roles')
    .values(roles.map(([id, name]) => ({ id, name, description: null, predefined: false, ...audit('01') })))
    .execute();
  await k
    .insertInto('core_users')
    .values(
      users.map(([id, login, lastname, middlename, employee, active, manager, currency]) => ({
        id,
        login,
        email: `${login}@example.com`,
        firstname: login.toUpperCase(),
        lastname,
        middlename,
        mention_name: login,
        employee_number: employee,
        active,
        manager_id: manager,
        default_currency: currency,
        ccw_user: id === 1,
        exported: false,
        ...audit(`0${id}`),
        created_at: id === 3 ? '2020-01-03T12:00:00.000Z' : `2020-01-0${id}T00:00:00.000Z`,
      })),
    )
    .execute();
  const links: [number, number][] = [[1, 101], [1, 102], [2, 101], [4, 103]];
  await k.insertInto('core_user_roles').values(links.map(([user_id, role_id]) => ({ user_id, role_id }))).execute();
  const types: [number, string, string, boolean][] = [[1, 'SAP100', 'USD', true], [2, 'SAP200', 'EUR', true], [3, 'Other', 'GBP', false]];
  await k
    .insertInto('core_account_types')
    .values(types.map(([id, name, currency, active]) => ({ id, name, currency, active, exported: false, ...audit('01') })))
    .execute();
  const accounts: [number, number, string][] = [[1, 1, 'A-1'], [2, 1, 'B-2'], [3, 2, 'A-3'], [4, 3, 'C-4']];
  await k
    .insertInto('core_accounts')
    .values(accounts.map(([id, type, code]) => ({ id, account_type_id: type, code, name: null, active: true, exported: false, segment_1: code.slice(0, 1), segment_2: code.slice(2), ...audit('01') })))
    .execute();
}

type Case = [label: string, conditions: Condition[], expected: number[]];

async function assertCases(db: Db, schema: QuerySchema, cases: Case[]): Promise<void> {
  for (const [label, conditions, expected] of cases) assert.deepEqual(await ids(db, schema, conditions), expected, label);
}

describe('query schemas and indexes', () => {
  it('mark as prefix-bucketed exactly the user columns that have a bucket index on SQLite', () => {
    const marked = Object.values(userQuerySchema.fields).filter((spec) => spec.prefixBucket).map((spec) => spec.column);
    assert.deepEqual(marked.sort(), [...prefixBucketColumns].sort());
  });
});

for (const dialect of dialects()) {
  describe(`applyListQuery on ${dialect.name}`, { skip: dialect.skip }, () => {
    let t: TestDatabase;
    before(async () => {
      t = await dialect.create();
      await seed(t.db);
    });
    after(async () => {
      await t?.drop();
    });

    it('filters strings: eq is case-sensitive, ranges follow byte order', async () => {
      await assertCases(t.db, userQuerySchema, [
        ['eq', [cond('login', 'eq', 'alice')], [1]],
        ['eq other case', [cond('login', 'eq', 'ALICE')], []],
        ['gt', [cond('lastname', 'gt', 'B')], [2, 3, 6, 7]],
        ['lt', [cond('lastname', 'lt', 'B')], [1, 4, 5]],
        ['gt_or_eq', [cond('lastname', 'gt_or_eq', 'Brown')], [2, 3, 6]],
        ['lt_or_eq', [cond('lastname', 'lt_or_eq', 'Anders')], [1, 4, 5]],
        ['in', [cond('login', 'in', 'alice', 'bob', 'nobody')], [1, 2]],
        ['not_eq matches NULL', [cond('employee-number', 'not_eq', 'E1')], [2, 3, 4, 5, 6, 7]],
        ['not_in matches NULL', [cond('employee-number', 'not_in', 'E1', 'E2')], [3, 4, 5, 6, 7]],
        ['blank=true is NULL or empty', [cond('middlename', 'blank', true)], [1, 2, 4, 5, 6, 7]],
        ['blank=false', [cond('middlename', 'blank', false)], [3]],
        ['two conditions AND', [cond('lastname', 'lt', 'B'), cond('login', 'not_eq', 'eve')], [1, 4]],
      ]);
    });

    it('matches contains, starts_with and ends_with case-insensitively', async () => {
      await assertCases(t.db, userQuerySchema, [
        ['contains', [cond('lastname', 'contains', 'AND')], [1, 3]],
        ['starts_with', [cond('lastname', 'starts_with', 'aNd')], [1, 3]],
        ['starts_with whole value', [cond('lastname', 'starts_with', 'anderson')], [3]],
        ['starts_with empty', [cond('lastname', 'starts_with', '')], [1, 2, 3, 4, 5, 6, 7]],
        ['ends_with', [cond('lastname', 'ends_with', 'SON')], [3]],
        ['starts_with non-ASCII, same case', [cond('lastname', 'starts_with', 'Öz')], [6]],
        ['starts_with one character', [cond('lastname', 'starts_with', 'a')], [1, 3, 4, 5]],
        ['starts_with one non-ASCII character', [cond('lastname', 'starts_with', 'Ö')], [6]],
        ['starts_with two characters, mixed case', [cond('lastname', 'starts_with', 'aB')], [4, 5]],
        ['starts_with and status', [cond('lastname', 'starts_with', 'AN'), cond('active', 'eq', true)], [1]],
        ['starts_with on login and email', [cond('login', 'starts_with', 'CA'), cond('email', 'starts_with', 'Carol@')], [3]],
        ['starts_with longer than the value', [cond('login', 'starts_with', 'bobby')], []],
        ['contains non-ASCII, same case', [cond('lastname', 'contains', 'ürk')], [6]],
        ['on a nullable column', [cond('middlename', 'contains', 'ari')], [3]],
      ]);
    });

    it('matches %, _ and \\ literally in contains, starts_with and ends_with', async () => {
      await assertCases(t.db, userQuerySchema, [
        ['contains %c_', [cond('lastname', 'contains', '%c_')], [4]],
        ['contains c_d', [cond('lastname', 'contains', 'c_d')], [4]],
        ['starts_with ab%', [cond('lastname', 'starts_with', 'AB%')], [4]],
        ['ends_with _d', [cond('lastname', 'ends_with', '_D')], [4]],
        ['contains %', [cond('lastname', 'contains', '%')], [4]],
        ['contains _', [cond('lastname', 'contains', '_')], [4]],
        ['contains backslash', [cond('lastname', 'contains', '\\')], [7]],
        ['starts_with backslash', [cond('lastname', 'starts_with', 'back\\s')], [7]],
        ['backslash is no escape for the next char', [cond('lastname', 'contains', '\\%')], []],
      ]);
      assert.equal(escapeLike('a%b_c\\d'), 'a\\%b\\_c\\\\d');
    });

    it('treats SQL-looking values as plain text and binds every value', async () => {
      const injections = ["' or 1=1 --", "'; drop table core_users; --", 'alice" or "1"="1', "x') or ('1'='1"];
      for (const value of injections) {
        assert.deepEqual(await ids(t.db, userQuerySchema, [cond('login', 'eq', value)]), [], value);
        assert.deepEqual(await ids(t.db, userQuerySchema, [cond('lastname', 'contains', value)]), [], value);
        assert.deepEqual(await ids(t.db, userQuerySchema, [cond('login', 'in', value, 'bob')]), [2], value);
        assert.deepEqual(await ids(t.db, userQuerySchema, [cond('manager.login', 'starts_with', value)]), [], value);
      }
      const count = await t.db.kysely.selectFrom('core_users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      assert.equal(Number(count.n), users.length);
      const compiled = listQuery(userQuerySchema, t.db, [cond('login', 'eq', injections[1] ?? ''), cond('id', 'in', 4, 5)], { limit: 7, offset: 3 }).compile();
      assert.ok(!compiled.sql.includes('drop table'), compiled.sql);
      assert.ok(compiled.parameters.includes(injections[1]));
      assert.ok(!/\d/.test(compiled.sql.replace(/\$\d+/g, '')), `numbers are parameters too: ${compiled.sql}`);
      assert.deepEqual(compiled.parameters.slice(1), [4, 5, 7, 3]);
    });

    it('filters integers, including values beyond a 32-bit column', async () => {
      await assertCases(t.db, userQuerySchema, [
        ['eq', [cond('id', 'eq', 3)], [3]],
        ['gt', [cond('id', 'gt', 5)], [6, 7]],
        ['lt_or_eq', [cond('id', 'lt_or_eq', 2)], [1, 2]],
        ['in', [cond('id', 'in', 1, 3, 99)], [1, 3]],
        ['not_in', [cond('id', 'not_in', 1, 2, 3, 4)], [5, 6, 7]],
        ['huge', [cond('id', 'eq', 99_999_999_999)], []],
        ['huge lt', [cond('id', 'lt', 99_999_999_999)], [1, 2, 3, 4, 5, 6, 7]],
      ]);
    });

    it('filters booleans given as JS booleans', async () => {
      await assertCases(t.db, userQuerySchema, [
        ['eq false', [cond('active', 'eq', false)], [3, 6]],
        ['eq true', [cond('ccw-user', 'eq', true)], [1]],
        ['not_eq', [cond('active', 'not_eq', true)], [3, 6]],
        ['in', [cond('active', 'in', true, false)], [1, 2, 3, 4, 5, 6, 7]],
        ['not_in', [cond('active', 'not_in', true)], [3, 6]],
        ['blank', [cond('active', 'blank', true)], []],
      ]);
    });

    it('filters datetimes given as ISO strings', async () => {
      await assertCases(t.db, userQuerySchema, [
        ['eq', [cond('created-at', 'eq', '2020-01-03T12:00:00.000Z')], [3]],
        ['gt', [cond('created-at', 'gt', '2020-01-03T00:00:00.000Z')], [3, 4, 5, 6, 7]],
        ['lt', [cond('created-at', 'lt', '2020-01-03T12:00:00.000Z')], [1, 2]],
        ['gt_or_eq', [cond('created-at', 'gt_or_eq', '2020-01-06T00:00:00.000Z')], [6, 7]],
        ['lt_or_eq', [cond('created-at', 'lt_or_eq', '2020-01-02T00:00:00.000Z')], [1, 2]],
        ['range', [cond('updated-at', 'gt_or_eq', '2021-01-02T00:00:00.000Z'), cond('updated-at', 'lt', '2021-01-04T00:00:00.000Z')], [2, 3]],
        ['in', [cond('created-at', 'in', '2020-01-01T00:00:00.000Z', '2020-01-07T00:00:00.000Z')], [1, 7]],
        ['not_eq', [cond('created-at', 'not_eq', '2020-01-01T00:00:00.000Z')], [2, 3, 4, 5, 6, 7]],
        ['not_in', [cond('created-at', 'not_in', '2020-01-01T00:00:00.000Z', '2020-01-02T00:00:00.000Z')], [3, 4, 5, 6, 7]],
      ]);
    });

    it('filters through a one association (manager), nested up to three deep', async () => {
      await assertCases(t.db, userQuerySchema, [
        ['manager[login]', [cond('manager.login', 'eq', 'alice')], [2, 3]],
        ['manager[id]', [cond('manager.id', 'eq', 2)], [4, 5]],
        ['manager[id][in]', [cond('manager.id', 'in', 1, 4)], [2, 3, 6]],
        ['manager[manager][login]', [cond('manager.manager.login', 'eq', 'alice')], [4, 5]],
        ['manager[manager][manager][login]', [cond('manager.manager.manager.login', 'eq', 'alice')], [6]],
        ['manager[lastname][starts_with]', [cond('manager.lastname', 'starts_with', 'AB')], [6]],
        ['manager[default-currency][code]', [cond('manager.default-currency.code', 'eq', 'EUR')], [4, 5]],
        ['manager[active]', [cond('manager.active', 'eq', true)], [2, 3, 4, 5, 6]],
        ['manager[active] false', [cond('manager.active', 'eq', false)], []],
      ]);
    });

    it('compiles equality on a unique field through a one association as one value, with the same rows', async () => {
      await assertCases(t.db, userQuerySchema, [
        ['manager[email]', [cond('manager.email', 'eq', 'bob@example.com')], [4, 5]],
        ['manager[employee-number]', [cond('manager.employee-number', 'eq', 'E4')], [6]],
        ['manager[login] of nobody', [cond('manager.login', 'eq', 'nobody')], []],
        ['manager[login] is case-sensitive', [cond('manager.login', 'eq', 'Alice')], []],
        ['manager[login] of a user managing nobody', [cond('manager.login', 'eq', 'eve')], []],
        ['manager[login] and status', [cond('manager.login', 'eq', 'alice'), cond('active', 'eq', true)], [2]],
      ]);
      await assertCases(t.db, accountQuerySchema, [['account-type[name] and segment-1', [cond('account-type.name', 'eq', 'SAP100'), cond('segment-1', 'eq', 'B')], [2]]]);
      const compiled = (path: string, operator: Operator, value: string) => listQuery(userQuerySchema, t.db, [cond(path, operator, value)]).compile().sql;
      assert.match(compiled('manager.login', 'eq', 'alice'), /"manager_id" = \(select/);
      assert.match(compiled('manager.manager.login', 'eq', 'alice'), /"manager_id" in \(select .*"manager_id" = \(select/);
      assert.match(compiled('manager.lastname', 'eq', 'Anders'), /"manager_id" in \(select/, 'not unique');
      assert.match(compiled('manager.login', 'in', 'alice'), /"manager_id" in \(select/, 'not equality');
    });

    it('treats a missing associated record as NULLs: not_eq, not_in and blank=true match it', async () => {
      await assertCases(t.db, userQuerySchema, [
        ['manager[login][not_eq]', [cond('manager.login', 'not_eq', 'alice')], [1, 4, 5, 6, 7]],
        ['manager[id][not_eq]', [cond('manager.id', 'not_eq', 1)], [1, 4, 5, 6, 7]],
        ['manager[login][not_in]', [cond('manager.login', 'not_in', 'alice', 'bob')], [1, 6, 7]],
        ['manager[id][blank]=true', [cond('manager.id', 'blank', true)], [1, 7]],
        ['manager[login][blank]=false', [cond('manager.login', 'blank', false)], [2, 3, 4, 5, 6]],
        ['manager[manager][login][not_eq]', [cond('manager.manager.login', 'not_eq', 'alice')], [1, 2, 3, 6, 7]],
        ['manager[roles][name][not_eq] needs a manager with such a role', [cond('manager.roles.name', 'not_eq', 'Qa Buyer')], [2, 3, 6]],
      ]);
    });

    it('filters through a many association (roles): some related record matches', async () => {
      await assertCases(t.db, userQuerySchema, [
        ['roles[name]', [cond('roles.name', 'eq', 'Qa Buyer')], [1, 2]],
        ['two roles', [cond('roles.name', 'eq', 'Qa Buyer'), cond('roles.name', 'eq', 'Qa Admin')], [1]],
        ['roles[id]', [cond('roles.id', 'eq', 103)], [4]],
        ['roles[name][in]', [cond('roles.name', 'in', 'Qa Admin', 'Qa Approver')], [1, 4]],
        ['roles[name][starts_with]', [cond('roles.name', 'starts_with', 'QA AD')], [1]],
        ['roles[name][not_eq]', [cond('roles.name', 'not_eq', 'Qa Buyer')], [1, 4]],
        ['manager[roles][name]', [cond('manager.roles.name', 'eq', 'Qa Admin')], [2, 3]],
      ]);
    });

    it('filters on an embedded association (default-currency[code]) in the owner row', async () => {
      await assertCases(t.db, userQuerySchema, [
        ['eq', [cond('default-currency.code', 'eq', 'USD')], [1, 4, 7]],
        ['not_eq matches NULL', [cond('default-currency.code', 'not_eq', 'USD')], [2, 3, 5, 6]],
        ['in', [cond('default-currency.code', 'in', 'EUR', 'GBP')], [2, 6]],
        ['blank', [cond('default-currency.code', 'blank', true)], [3, 5]],
      ]);
    });

    it('filters accounts through account-type', async () => {
      await assertCases(t.db, accountQuerySchema, [
        ['account-type[name][in]', [cond('account-type.name', 'in', 'SAP100', 'SAP200')], [1, 2, 3]],
        ['account-type[name]', [cond('account-type.name', 'eq', 'Other')], [4]],
        ['account-type[currency][code]', [cond('account-type.currency.code', 'eq', 'EUR')], [3]],
        ['account-type[active]', [cond('account-type.active', 'eq', false)], [4]],
        ['account-type[id]', [cond('account-type.id', 'eq', 1)], [1, 2]],
        ['segment-1', [cond('segment-1', 'eq', 'A')], [1, 3]],
        ['code starts_with', [cond('code', 'starts_with', 'a-')], [1, 3]],
        ['name blank', [cond('name', 'blank', true)], [1, 2, 3, 4]],
      ]);
    });

    it('orders by a field then id, NULL first ascending, and pages with limit and offset', async () => {
      const order = (orderBy: string, dir: 'asc' | 'desc', extra: Partial<ListQuery> = {}) => ids(t.db, userQuerySchema, [], { orderBy, dir, ...extra });
      assert.deepEqual(await order('id', 'asc'), [1, 2, 3, 4, 5, 6, 7]);
      assert.deepEqual(await order('id', 'desc'), [7, 6, 5, 4, 3, 2, 1]);
      assert.deepEqual(await order('lastname', 'asc'), [4, 5, 1, 7, 2, 3, 6]);
      assert.deepEqual(await order('lastname', 'desc'), [6, 3, 2, 7, 1, 5, 4]);
      assert.deepEqual(await order('employee-number', 'asc'), [3, 1, 2, 4, 5, 6, 7]);
      assert.deepEqual(await order('employee-number', 'desc'), [7, 6, 5, 4, 2, 1, 3]);
      assert.deepEqual(await order('active', 'asc'), [3, 6, 1, 2, 4, 5, 7]);
      assert.deepEqual(await order('active', 'desc'), [7, 5, 4, 2, 1, 6, 3]);
      assert.deepEqual(await order('created-at', 'desc'), [7, 6, 5, 4, 3, 2, 1]);
      assert.deepEqual(await order('id', 'asc', { limit: 2, offset: 1 }), [2, 3]);
      assert.deepEqual(await order('lastname', 'desc', { limit: 3, offset: 2 }), [2, 7, 1]);
      assert.deepEqual(await order('id', 'asc', { limit: 0 }), []);
      assert.deepEqual(await order('id', 'asc', { offset: 7 }), []);
      assert.deepEqual(await ids(t.db, userQuerySchema, [cond('active', 'eq', true)], { orderBy: 'lastname', limit: 2 }), [4, 5]);
    });
  });

  describe(`applyListQuery index use on ${dialect.name}`, { skip: dialect.skip }, () => {
    let t: TestDatabase;
    before(async () => {
      t = await dialect.create();
      await seedMany(t.db, 3000);
    });
    after(async () => {
      await t?.drop();
    });

    const userCases: [string, Condition][] = [
      ['login eq', cond('login', 'eq', 'user42')],
      ['email eq', cond('email', 'eq', 'user42@example.com')],
      ['employee-number eq', cond('employee-number', 'eq', 'E42')],
      ['active eq', cond('active', 'eq', false)],
      ['updated-at range', cond('updated-at', 'gt', '2020-01-03T01:50:00.000Z')],
      ['manager[id]', cond('manager.id', 'eq', 42)],
      ['manager[login]', cond('manager.login', 'eq', 'user42')],
      ['roles[name]', cond('roles.name', 'eq', 'Buyer')],
      ['lastname starts_with', cond('lastname', 'starts_with', 'q12')],
      ['login starts_with', cond('login', 'starts_with', 'USER12')],
    ];
    for (const [label, condition] of userCases) {
      it(`uses an index for ${label}`, async () => {
        await assertIndexed(t.db, userQuerySchema, condition);
      });
    }
    const accountCases: [string, Condition][] = [
      ['account-type[name]', cond('account-type.name', 'eq', 'Type7')],
      ['code eq', cond('code', 'eq', 'C42')],
      ['segment-2 eq', cond('segment-2', 'eq', 'S42')],
    ];
    for (const [label, condition] of accountCases) {
      it(`uses an index for ${label}`, async () => {
        await assertIndexed(t.db, accountQuerySchema, condition);
      });
    }

    it('reads an active last-name prefix from its bucket in id order on SQLite, without sorting', async () => {
      const plan = await explain(t.db, userQuerySchema, [cond('active', 'eq', true), cond('lastname', 'starts_with', 'q12')]);
      if (t.db.adapter.name === 'sqlite') {
        assert.match(plan, /core_users_lastname_bucket/, plan);
        assert.doesNotMatch(plan, /TEMP B-TREE/, plan);
      } else {
        assert.match(plan, /core_users_lastname_lower|core_users_pkey/, plan);
      }
    });

    it("reads a chart's accounts of one segment value in id order from the segment index, without sorting", async () => {
      const plan = await explain(t.db, accountQuerySchema, [cond('account-type.name', 'eq', 'Type7'), cond('segment-2', 'eq', 'S42')]);
      assert.match(plan, /core_accounts_segment_2_account_type_id_id/, plan);
      assert.doesNotMatch(plan, /TEMP B-TREE|Sort/, plan);
    });

    it('matches prefixes of any length and script on the larger data set, in id order', async () => {
      const extra = ['Smith', 'sMYTHE', 'S', 'Éclair', 'éclair', '😀 Smile', '😀x', 'Sm%th', 'Zz'];
      await t.db.kysely
        .insertInto('core_users')
        .values(
          extra.map((lastname, i) => ({
            id: 5001 + i,
            login: `extra${i}`,
            email: `extra${i}@example.com`,
            firstname: 'Extra',
            lastname,
            active: i !== 1,
            ccw_user: false,
            exported: false,
            created_at: '2020-01-01T00:00:00.000Z',
            updated_at: '2020-01-01T00:00:00.000Z',
          })),
        )
        .execute();
      const lastnames = async (prefix: string, active?: boolean) => {
        const conditions = [cond('lastname', 'starts_with', prefix), ...(active === undefined ? [] : [cond('active', 'eq', active)])];
        const found = await ids(t.db, userQuerySchema, conditions, { limit: 10_000 });
        return found.filter((id) => id > 5000).map((id) => extra[id - 5001]);
      };
      assert.deepEqual(await lastnames('sm'), ['Smith', 'sMYTHE', 'Sm%th']);
      assert.deepEqual(await lastnames('SM', true), ['Smith', 'Sm%th']);
      assert.deepEqual(await lastnames('Sm%'), ['Sm%th']);
      assert.deepEqual(await lastnames('s'), ['Smith', 'sMYTHE', 'S', 'Sm%th']);
      // Case folds as each database's lower() does: SQLite folds ASCII only, PostgreSQL follows the locale.
      assert.deepEqual(await lastnames('Éc'), t.db.adapter.name === 'postgres' ? ['Éclair', 'éclair'] : ['Éclair']);
      assert.deepEqual(await lastnames('😀'), ['😀 Smile', '😀x']);
      assert.deepEqual(await lastnames('😀 '), ['😀 Smile']);
      assert.deepEqual(await lastnames('zz'), ['Zz']);
      assert.deepEqual(await lastnames('zzz'), []);
    });

    it('still returns the right rows on the larger data set', async () => {
      assert.deepEqual(await ids(t.db, userQuerySchema, [cond('manager.login', 'eq', 'user42')]), range(420, 429));
      assert.deepEqual(await ids(t.db, userQuerySchema, [cond('roles.name', 'eq', 'Buyer')]), range(1, 30).map((i) => i * 100));
      const expected = range(1, 3000).filter((i) => manyLastname(i).toLowerCase().startsWith('q12'));
      assert.ok(expected.length > 3);
      assert.deepEqual(await ids(t.db, userQuerySchema, [cond('lastname', 'starts_with', 'Q12')]), expected);
    });
  });
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

function manyLastname(i: number): string {
  return `${String.fromCharCode(65 + (i % 26))}${i}`;
}

/** Users 1..n (manager of i is i/10; all have role User, every 100th Buyer), 100 account types, n accounts spread over them; then ANALYZE. */
async function seedMany(db: Db, n: number): Promise<void> {
  const base = Date.parse('2020-01-01T00:00:00.000Z');
  const at = (i: number) => new Date(base + i * 60_000).toISOString();
  const stamp = (i: number) => ({ created_at: at(i), updated_at: at(i), created_by: null, updated_by: null });
  const chunks = (count: number) => range(0, Math.ceil(count / 1000) - 1).map((c) => range(c * 1000 + 1, Math.min(count, (c + 1) * 1000)));
  for (const chunk of chunks(n)) {
    await db.kysely
      .insertInto('core_users')
      .values(
        chunk.map((i) => ({
          id: i,
          login: `user${i}`,
          email: `user${i}@example.com`,
          firstname: `First${i}`,
          lastname: manyLastname(i),
          employee_number: `E${i}`,
          active: i % 100 !== 0,
          manager_id: i >= 10 ? Math.floor(i / 10) : null,
          ccw_user: false,
          exported: false,
          ...stamp(i),
        })),
      )
      .execute();
  }
  await sql`insert into core_user_roles (user_id, role_id) select u.id, r.id from core_users u, core_roles r
    where (r.name = 'User') or (r.name = 'Buyer' and u.id % 100 = 0)`.execute(db.kysely);
  await db.kysely
    .insertInto('core_account_types')
    .values(range(1, 100).map((i) => ({ id: i, name: `Type${i}`, currency: 'USD', active: true, exported: false, ...stamp(i) })))
    .execute();
  for (const chunk of chunks(n)) {
    await db.kysely
      .insertInto('core_accounts')
      .values(chunk.map((i) => ({ id: i, account_type_id: (i % 100) + 1, code: `C${i}`, active: true, exported: false, segment_2: `S${i}`, ...stamp(i) })))
      .execute();
  }
  await sql`analyze`.execute(db.kysely);
}

/** The plan of the real list query, one line per step (SQLite: EXPLAIN QUERY PLAN; PostgreSQL: EXPLAIN). */
async function explain(db: Db, schema: QuerySchema, conditions: Condition[]): Promise<string> {
  const compiled = listQuery(schema, db, conditions).compile();
  const prefix = db.adapter.name === 'sqlite' ? 'explain query plan ' : 'explain ';
  const result = await db.kysely.executeQuery<Record<string, unknown>>(CompiledQuery.raw(prefix + compiled.sql, [...compiled.parameters]));
  return result.rows.map((row) => String(db.adapter.name === 'sqlite' ? row.detail : row['QUERY PLAN'])).join('\n');
}

/** The plan of the real list query uses an index on the root table and never scans it whole. */
async function assertIndexed(db: Db, schema: QuerySchema, condition: Condition): Promise<void> {
  const plan = await explain(db, schema, [condition]);
  if (db.adapter.name === 'sqlite') {
    assert.ok(!plan.split('\n').some((line) => line === `SCAN ${schema.table}`), `full scan of ${schema.table}:\n${plan}`);
    assert.match(plan, /USING (COVERING )?INDEX|USING INTEGER PRIMARY KEY/, plan);
  } else {
    assert.doesNotMatch(plan, new RegExp(`Seq Scan on ${schema.table}\\s+\\(`), plan);
    assert.match(plan, /Index|Bitmap/, plan);
  }
}
