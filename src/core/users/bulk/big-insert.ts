import { sql, type Kysely } from 'kysely';
import type { Database } from '../../../db/index.ts';
import type { ApplyContext } from './apply.ts';

/** New users in one file from which core_users' secondary indexes are built after the insert. */
const REBUILD_FROM = 50_000;

/**
 * A file that at least doubles the users (50,000 new ones or more): what slows a row-by-row insert is
 * dropped before it and built again after the role links are written, a sort per index instead of a
 * million random index inserts each. Inside the transaction (DDL is transactional on both databases),
 * so a failure or a crash restores everything. Returns the statements that restore, in order.
 *
 * SQLite: core_users' non-unique indexes (52 s of a million-row file went into them).
 * PostgreSQL: all of core_users' indexes but the primary key, core_user_roles' indexes and keys, and
 * the foreign keys (manager_id, the role links'), checked again by one join each when they are added
 * back instead of a trigger and a row lock per new row.
 * This takes an exclusive lock on core_users and core_user_roles until the file commits: readers of
 * users wait for a big initial load instead of reading while it runs.
 */
export async function loosenForBigInsert(ctx: ApplyContext): Promise<string[]> {
  if (!(await isBigInsert(ctx.trx))) return [];
  if (ctx.db.adapter.name === 'sqlite') return dropSqliteIndexes(ctx.trx);
  return (await ownsUserTables(ctx.trx)) ? dropPostgresIndexesAndKeys(ctx.trx) : [];
}

/**
 * PostgreSQL: may this connection's role drop and add the user tables' indexes and keys (their owner's
 * right)? A role granted only reads and writes inserts row by row instead.
 */
export async function ownsUserTables(trx: Kysely<Database>): Promise<boolean> {
  const { rows } = await sql<{ owns: boolean }>`select bool_and(pg_has_role(relowner, 'USAGE')) as owns from pg_class
    where oid in ('core_users'::regclass, 'core_user_roles'::regclass)`.execute(trx);
  return rows[0]?.owns === true;
}

/**
 * Puts back what loosenForBigInsert took away. PostgreSQL then gathers statistics (as its manual advises
 * after a bulk load): autovacuum gets to tables of a million new rows only later, and the next file's
 * plan, run before it, took a million users for a few thousand.
 */
export async function restoreAfterBigInsert(ctx: ApplyContext, restore: readonly string[]): Promise<void> {
  if (restore.length === 0) return;
  for (const ddl of restore) await sql.raw(ddl).execute(ctx.trx);
  if (ctx.db.adapter.name === 'postgres') await sql`analyze core_users, core_user_roles`.execute(ctx.trx);
}

async function isBigInsert(trx: Kysely<Database>): Promise<boolean> {
  const { rows } = await sql<{ created: number | string; existing: number | string }>`select
      (select count(*) from stage_users where outcome = 'created' and has_error = ${false}) as created,
      (select count(*) from core_users) as existing`.execute(trx);
  const created = Number(rows[0]?.created ?? 0);
  return created >= REBUILD_FROM && created >= Number(rows[0]?.existing ?? 0);
}

async function dropSqliteIndexes(trx: Kysely<Database>): Promise<string[]> {
  const { rows: indexes } = await sql<{ name: string; sql: string }>`select name, sql from sqlite_master
    where type = 'index' and tbl_name = 'core_users' and sql is not null and sql not like 'create unique %'`.execute(trx);
  for (const index of indexes) await sql`drop index ${sql.id(index.name)}`.execute(trx);
  return indexes.map((index) => index.sql);
}

/**
 * Every index of core_users but its primary key (which other tables' keys reference), every index and
 * key of core_user_roles, and core_users' own foreign key (of the tables named, both by default). The
 * unique indexes come back as they were; the checks have already made the file's values unique, and the
 * lock keeps anyone else from adding one. What is already dropped is not found, so not restored twice.
 */
export async function dropPostgresIndexesAndKeys(
  trx: Kysely<Database>,
  of: readonly ('core_users' | 'core_user_roles')[] = ['core_users', 'core_user_roles'],
): Promise<string[]> {
  const tables = sql`(${sql.join(of.map((table) => sql`${table}::regclass`))})`;
  const { rows: keys } = await sql<{ table: string; name: string; definition: string; kind: string }>`
    select conrelid::regclass::text as table, conname as name, pg_get_constraintdef(oid) as definition, contype as kind
    from pg_constraint where conrelid in ${tables}
      and (contype = 'f' or (contype = 'p' and conrelid = 'core_user_roles'::regclass))
    order by contype desc, conname`.execute(trx);
  const { rows: indexes } = await sql<{ name: string; definition: string }>`
    select i.indexrelid::regclass::text as name, pg_get_indexdef(i.indexrelid) as definition from pg_index i
    where i.indrelid in ${tables}
      and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid and c.conrelid = i.indrelid)
    order by 1`.execute(trx);
  for (const key of keys) await sql`alter table ${sql.raw(key.table)} drop constraint ${sql.id(key.name)}`.execute(trx);
  for (const index of indexes) await sql`drop index ${sql.raw(index.name)}`.execute(trx);
  // Primary key ('p') before the foreign keys, as ordered above.
  const addKeys = keys.map((key) => `alter table ${key.table} add constraint "${key.name}" ${key.definition}`);
  return [...indexes.map((index) => index.definition), ...addKeys];
}
