import crypto from 'node:crypto';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { BulkColumn, Database, Db } from '../../../db/index.ts';

/**
 * The staging tables of one bulk import: temporary, inside the import's transaction, gone at its end.
 * Rows are staged as given; checks and the plan then run as set-based SQL over them.
 */
export const stageUserColumns: readonly BulkColumn[] = [
  { name: 'line', pgType: 'integer' },
  { name: 'login', pgType: 'text' },
  { name: 'email', pgType: 'text' },
  { name: 'firstname', pgType: 'text' },
  { name: 'lastname', pgType: 'text' },
  { name: 'middlename', pgType: 'text' },
  { name: 'mention_name', pgType: 'text' },
  { name: 'employee_number', pgType: 'text' },
  { name: 'active', pgType: 'boolean' },
  { name: 'phone_work', pgType: 'text' },
  { name: 'phone_mobile', pgType: 'text' },
  { name: 'default_currency', pgType: 'text' },
  { name: 'default_locale', pgType: 'text' },
  { name: 'manager_login', pgType: 'text' },
  { name: 'ccw_user', pgType: 'boolean' },
  { name: 'sso_identifier', pgType: 'text' },
  { name: 'authentication_method', pgType: 'text' },
  { name: 'approval_limit_amount', pgType: 'text' },
  { name: 'approval_limit_currency', pgType: 'text' },
  { name: 'has_roles', pgType: 'boolean' },
  { name: 'has_error', pgType: 'boolean' },
  /** PostgreSQL: the row's role ids, sorted and distinct, comma-separated (see roleSetOf); null on SQLite, which stages links. */
  { name: 'role_ids', pgType: 'text' },
];

export const stageProblemColumns: readonly BulkColumn[] = [
  { name: 'line', pgType: 'integer' },
  { name: 'field', pgType: 'text' },
  { name: 'message', pgType: 'text' },
];

export const stageRoleColumns: readonly BulkColumn[] = [
  { name: 'line', pgType: 'integer' },
  { name: 'role_id', pgType: 'integer' },
];

/**
 * Where one import's stage tables live. PostgreSQL, where the role may create schemas: unlogged tables
 * in a schema of this import's own (first on the search path for the transaction, dropped at close;
 * a rollback removes it too). Unlike temporary tables, which live in one backend's local buffers,
 * these can be read by parallel workers, so the plan's joins and the stage's indexes use both cores
 * (the checks of a million rows took 5.7 s on temporary tables, 4.0 s on these). Otherwise temporary
 * tables, gone when the transaction (PostgreSQL) or the import (SQLite) ends.
 */
export interface StageSpace {
  /** `create temp table` or `create unlogged table`. */
  readonly createTable: RawBuilder<unknown>;
  /** `on commit drop` for PostgreSQL's temporary tables, else nothing. */
  readonly suffix: RawBuilder<unknown>;
  /** The import's own schema and the search path to restore, when it has one. */
  readonly schema?: { name: string; searchPath: string };
}

export async function createStageTables(db: Db, trx: Kysely<Database>): Promise<StageSpace> {
  const { adapter } = db;
  const bool = sql.raw(adapter.booleanType);
  if (adapter.name === 'postgres') {
    // For this transaction only: the plan's hash joins of a million staged rows against a million users
    // spilled to disk in batches with the default 4 MB, and the stage's indexes sort in memory.
    await sql`set local work_mem = '128MB'`.execute(trx);
    await sql`set local maintenance_work_mem = '256MB'`.execute(trx);
    // Compiling the big statements (JIT) took 1.5 s of one 24 s update and about 2 s per file in all.
    await sql`set local jit = off`.execute(trx);
  }
  // SQLite keeps temporary tables for the connection's life: an import cut off before close left them.
  if (adapter.name === 'sqlite') await dropSqliteStageTables(trx);
  const space = await stageSpace(db, trx);
  const { createTable, suffix } = space;
  const text = stageUserColumns
    .filter((c) => c.pgType === 'text')
    .map((c) => sql`${sql.id(c.name)} text`);
  // PostgreSQL copies each batch into stage_batch and moves it, matched, into stage_users
  // (matchStagedBatch), keyed once every row is in. SQLite's integer primary key is the row id itself.
  const postgres = adapter.name === 'postgres';
  const line = postgres ? sql`line integer not null` : sql`line integer primary key`;
  const staged = sql`${line},
    ${sql.join(text)},
    active ${bool}, ccw_user ${bool}, has_roles ${bool} not null, has_error ${bool} not null`;
  const matched = sql`target_id integer, matched_by text, outcome text, was_licensed ${bool}, manager_before integer, manager_after integer`;
  if (postgres) {
    await sql`${createTable} stage_batch (${staged}) ${suffix}`.execute(trx);
    // Pages keep 15% free: the outcomes written back later (decideOutcomesByHash) and the error flags
    // touch no indexed column, so with room on the page they are heap-only updates without new index
    // entries (100,000 outcomes of a million rows: 0.96-1.1 s on full pages, 0.48 s with room).
    await sql`${createTable} stage_users (${staged}, ${matched}, login_taken boolean, email_owner text)
      with (fillfactor = 85) ${suffix}`.execute(trx);
  } else {
    await sql`${createTable} stage_users (${staged}, ${matched}) ${suffix}`.execute(trx);
  }
  await sql`${createTable} stage_problems (line integer not null, field text not null, message text not null) ${suffix}`.execute(trx);
  // SQLite's links of each row to its roles; PostgreSQL keeps a row's roles as one set (role_ids).
  if (adapter.name === 'sqlite') await sql`${createTable} stage_user_roles (line integer not null, role_id integer not null) ${suffix}`.execute(trx);
  await sql`${createTable} stage_deactivated (user_id integer primary key) ${suffix}`.execute(trx);
  return space;
}

async function stageSpace(db: Db, trx: Kysely<Database>): Promise<StageSpace> {
  const temporary = { createTable: sql`create temp table`, suffix: sql.raw(db.adapter.tempTableSuffix) };
  if (db.adapter.name !== 'postgres') return temporary;
  const { rows } = await sql<{ may: boolean; path: string }>`
    select has_database_privilege(current_database(), 'CREATE') as may, current_setting('search_path') as path`.execute(trx);
  if (!rows[0]?.may) return temporary;
  const name = `workgate_stage_${crypto.randomBytes(8).toString('hex')}`;
  await sql`create schema ${sql.id(name)}`.execute(trx);
  await sql`select set_config('search_path', ${`${name}, ${rows[0].path}`}, true)`.execute(trx);
  return { createTable: sql`create unlogged table`, suffix: sql``, schema: { name, searchPath: rows[0].path } };
}

/**
 * Once every row is staged: the indexes the checks and the plan join on. Built from the loaded rows
 * (a sort) rather than kept up row by row while staging. PostgreSQL then gets statistics: autovacuum
 * never analyzes these tables, so without them it plans every join blind. PostgreSQL's login index
 * only when `wanted` (a plan by lookups, or logins that may repeat): 0.9-1.3 s of a million rows; its
 * target index not for a first load, whose ids were each drawn once from the sequence (0.2-0.4 s).
 */
export async function indexStageTables(
  db: Db,
  trx: Kysely<Database>,
  wanted: { logins: boolean; targets: boolean } = { logins: true, targets: true },
): Promise<{ loginsUnique: boolean; targetsUnique: boolean }> {
  const postgres = db.adapter.name === 'postgres';
  // SQLite matches rows by login through this index.
  const logins = wanted.logins || !postgres;
  const loginsUnique = logins && postgres && (await tryUniqueIndex(db, trx, sql`stage_users_login on stage_users (login)`));
  if (logins && !loginsUnique) await sql`create index stage_users_login on stage_users (login)`.execute(trx);
  // PostgreSQL has matched every row by now (and numbered the new ones); SQLite matches later. A first
  // load's ids were each drawn once from the sequence: unique with no index to prove it.
  const targetsUnique = postgres && (!wanted.targets || (await tryUniqueIndex(db, trx, sql`stage_users_target on stage_users (target_id)`)));
  if (!targetsUnique) await sql`create index stage_users_target on stage_users (target_id)`.execute(trx);
  await sql`create index stage_problems_line on stage_problems (line)`.execute(trx);
  if (postgres) await sql`analyze stage_users, stage_problems`.execute(trx);
  else await sql`create index stage_user_roles_line on stage_user_roles (line, role_id)`.execute(trx);
  return { loginsUnique, targetsUnique };
}

/**
 * PostgreSQL: an index built unique, which proves in the same sort that no value repeats, so the check
 * for repeats needs no group-by of its own (0.8 s at a million rows). Where one does repeat, the plain
 * index is built and the check names the lines.
 */
async function tryUniqueIndex(db: Db, trx: Kysely<Database>, index: RawBuilder<unknown>): Promise<boolean> {
  await sql`savepoint stage_unique`.execute(trx);
  try {
    await sql`create unique index ${index}`.execute(trx);
  } catch (error) {
    if (!db.adapter.isUniqueViolation(error)) throw error;
    await sql`rollback to savepoint stage_unique`.execute(trx);
    return false;
  }
  await sql`release savepoint stage_unique`.execute(trx);
  return true;
}

/**
 * PostgreSQL: statistics again once the plan has filled outcome (the first ones saw only nulls there,
 * so later joins on it were planned as if it matched nothing), for the columns the plan wrote only.
 */
export async function refreshStageStatistics(db: Db, trx: Kysely<Database>): Promise<void> {
  if (db.adapter.name === 'postgres') await sql`analyze stage_users (outcome, has_error, was_licensed, manager_after)`.execute(trx);
}

/** Removes the stage tables when the import ends: SQLite keeps temporary tables for the connection's life. */
export async function dropStageTables(db: Db, trx: Kysely<Database>, space: StageSpace): Promise<void> {
  if (space.schema) {
    await sql`drop schema ${sql.id(space.schema.name)} cascade`.execute(trx);
    await sql`select set_config('search_path', ${space.schema.searchPath}, true)`.execute(trx);
  }
  if (db.adapter.name === 'sqlite') await dropSqliteStageTables(trx);
}

async function dropSqliteStageTables(trx: Kysely<Database>): Promise<void> {
  for (const table of ['stage_users', 'stage_problems', 'stage_user_roles', 'stage_deactivated']) {
    await sql`drop table if exists temp.${sql.raw(table)}`.execute(trx);
  }
}

/**
 * A row's role set as one value, the ids sorted and distinct ('3,7,12'), compared on PostgreSQL with the
 * same text aggregated from the user's links: one lookup per row instead of two anti-joins of every
 * staged link against every existing one (6.6 of the 12.8 s the outcome update took at a million rows).
 */
export function roleSetOf(roleIds: readonly number[]): string {
  return [...new Set(roleIds)].sort((a, b) => a - b).join(',');
}

/** Marks the rows that have problems so every later step can skip them. */
export async function flagRowsWithProblems(trx: Kysely<Database>): Promise<void> {
  await sql`update stage_users set has_error = ${true}
    where has_error = ${false} and line in (select line from stage_problems)`.execute(trx);
}
