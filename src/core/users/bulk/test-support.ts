/** Helpers of the bulk user import's tests. */
import { sql } from 'kysely';
import { noOutbox, type OutboxPort } from '../../outbox.port.ts';
import { openDatabase, type Db } from '../../../db/index.ts';
import type { TestDatabase } from '../../../../test/support/databases.ts';
import type { UserInput } from '../user.types.ts';
import { startUserImport, type UserImportDeps, type UserImportOutcome, type UserImportRow } from './user-import.ts';

export const allFields = new Set<keyof UserInput>(['login', 'email', 'firstname', 'lastname', 'employeeNumber', 'active', 'manager', 'roles', 'ccwUser']);

export function row(line: number, login: string, extra: Partial<UserInput> = {}): UserImportRow {
  return {
    line,
    input: { login, email: `${login}@example.com`, firstname: 'F', lastname: 'L', active: true, employeeNumber: null, manager: null, ccwUser: false, ...extra },
    problems: [],
  };
}

export interface ImportOptions {
  fullFeed?: boolean;
  outbox?: OutboxPort;
  planByHash?: UserImportDeps['planByHash'];
}

export async function importRows(t: TestDatabase, rows: UserImportRow[], options: ImportOptions = {}) {
  return t.db.kysely.transaction().execute(async (trx) => {
    const imp = await startUserImport(
      { db: t.db, clock: () => new Date('2026-01-01T00:00:00Z'), outbox: options.outbox ?? noOutbox, planByHash: options.planByHash },
      trx,
      { fullFeed: options.fullFeed ?? false, given: allFields, actor: 'test' },
    );
    await imp.add(rows);
    const planned = await imp.plan();
    const applied = await imp.apply();
    const outcomes: UserImportOutcome[] = [];
    for await (const page of imp.outcomes()) outcomes.push(...page);
    await imp.close();
    return { planned, applied, outcomes };
  });
}

export async function managerOf(t: TestDatabase, login: string): Promise<string | null> {
  const row = await t.db.kysely
    .selectFrom('core_users as u')
    .leftJoin('core_users as m', 'm.id', 'u.manager_id')
    .select('m.login as manager')
    .where('u.login', '=', login)
    .executeTakeFirstOrThrow();
  return row.manager;
}

/** Every role link as "login:Role", by login then role. */
export async function roleLinks(t: TestDatabase): Promise<string[]> {
  const links = await t.db.kysely
    .selectFrom('core_user_roles as ur')
    .innerJoin('core_roles as r', 'r.id', 'ur.role_id')
    .innerJoin('core_users as u', 'u.id', 'ur.user_id')
    .select(['u.login', 'r.name'])
    .orderBy('u.login')
    .orderBy('r.name')
    .execute();
  return links.map((link) => `${link.login}:${link.name}`);
}

/** Definitions of the indexes of core_users and core_user_roles, and on PostgreSQL their foreign keys. */
export async function indexesAndKeys(t: TestDatabase): Promise<string[]> {
  const query =
    t.db.adapter.name === 'sqlite'
      ? sql<{ definition: string }>`select coalesce(sql, name) as definition from sqlite_master
          where type = 'index' and tbl_name in ('core_users', 'core_user_roles') order by name`
      : sql<{ definition: string }>`select indexdef as definition from pg_indexes
          where schemaname = current_schema() and tablename in ('core_users', 'core_user_roles')
          union all select conname || ' ' || pg_get_constraintdef(oid) from pg_constraint
          where contype = 'f' and conrelid in ('core_users'::regclass, 'core_user_roles'::regclass) order by 1`;
  return (await query.execute(t.db.kysely)).rows.map((r) => r.definition);
}

/** PostgreSQL: a login role (`prefix` and this process's id) granted reads and writes on the tables, not their ownership. */
export async function limitedRole(t: TestDatabase, prefix: string): Promise<{ db: Db; drop: () => Promise<void> }> {
  const role = `${prefix}_${process.pid}`;
  await sql.raw(`create role ${role} login`).execute(t.db.kysely);
  await sql.raw(`grant select, insert, update, delete on all tables in schema public to ${role}`).execute(t.db.kysely);
  await sql.raw(`grant usage, select, update on all sequences in schema public to ${role}`).execute(t.db.kysely);
  const url = new URL(t.url);
  url.username = role;
  const db = openDatabase({ kind: 'postgres', url: url.toString(), poolSize: 2 });
  return {
    db,
    drop: async () => {
      await db.close();
      await sql.raw(`drop owned by ${role}`).execute(t.db.kysely);
      const admin = openDatabase({ kind: 'postgres', url: process.env.WORKGATE_TEST_PG_URL!, poolSize: 1 });
      await sql.raw(`drop role if exists ${role}`).execute(admin.kysely);
      await admin.close();
    },
  };
}
