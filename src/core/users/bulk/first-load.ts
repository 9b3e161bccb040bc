import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { BulkColumn, Database, Db } from '../../../db/index.ts';
import { dropPostgresIndexesAndKeys, ownsUserTables } from './big-insert.ts';
import { stageUserColumns } from './stage.ts';

/**
 * PostgreSQL, a file that starts when Core has no users (a first load): nothing to match, so each batch
 * goes straight into the stage with its users' ids, and with a Roles column the role links go straight
 * into core_user_roles while the file is read (see startFirstLoad).
 */

/** A row staged into a Core without users: its user's id, and 'created'. */
const newUserStageColumns: readonly BulkColumn[] = [...stageUserColumns, { name: 'target_id', pgType: 'integer' }, { name: 'outcome', pgType: 'text' }];

const linkColumns: readonly BulkColumn[] = [
  { name: 'user_id', pgType: 'integer' },
  { name: 'role_id', pgType: 'integer' },
];

const hasErrorAt = stageUserColumns.findIndex((c) => c.name === 'has_error');
const roleIdsAt = stageUserColumns.findIndex((c) => c.name === 'role_ids');

export interface FirstLoad {
  /**
   * With links staged: what puts core_user_roles' keys and index back. The links of rows found bad
   * after staging are deleted before (deleteLinksOfFailedRows).
   */
  readonly restoreLinks?: readonly string[];
}

/** PostgreSQL: does Core have no users at all? */
async function coreHasNoUsers(trx: Kysely<Database>): Promise<boolean> {
  const { rows } = await sql<{ none: boolean }>`select not exists (select 1 from core_users) as none`.execute(trx);
  return rows[0]?.none === true;
}

/**
 * Undefined when Core has users. A file with a Roles column, where the role owns the tables, locks
 * core_users and core_user_roles until it commits (readers wait; there is no user to read yet) and drops
 * the links' keys and index, so the links are copied while the file is read, on the database's core the
 * reading leaves idle, instead of inserted from the stage when applying (2.2-2.3 s of a million users).
 * Both tables are locked at once and first: a big insert later drops core_users' indexes, and a lock
 * taken then could deadlock with a reader holding core_users and waiting for core_user_roles. Core is
 * checked again under the lock.
 */
export async function startFirstLoad(trx: Kysely<Database>, withRoles: boolean): Promise<FirstLoad | undefined> {
  if (!(await coreHasNoUsers(trx))) return undefined;
  if (!withRoles || !(await ownsUserTables(trx))) return {};
  await sql`lock table core_users, core_user_roles in access exclusive mode`.execute(trx);
  if (!(await coreHasNoUsers(trx))) return undefined;
  return { restoreLinks: await dropPostgresIndexesAndKeys(trx, ['core_user_roles']) };
}

/**
 * One batch copied straight into stage_users, every row 'created' with an id drawn from the sequence in
 * line order, instead of through stage_batch and matchStagedBatch's lookups (the database's side of
 * staging a first load of a million users: 3-4.7 s of statements, the JavaScript's side idle
 * meanwhile); then the good rows' role links into core_user_roles. Without the lock (no Roles column),
 * a user another writer adds while the file stages is found by the unique indexes when the file is
 * applied, which then fails whole.
 */
export async function stageFirstLoadBatch(db: Db, trx: Kysely<Database>, load: FirstLoad, sequence: RawBuilder<unknown>, rows: unknown[][]): Promise<void> {
  const { rows: ids } = await sql<{ id: number }>`select nextval(${sequence})::integer as id from generate_series(1, ${rows.length})`.execute(trx);
  const at = stageUserColumns.length;
  for (let i = 0; i < rows.length; i++) {
    // The row's two slots after the staged columns (stageRow leaves them for this).
    rows[i]![at] = ids[i]!.id;
    rows[i]![at + 1] = 'created';
  }
  await db.bulkInsert(trx, 'stage_users', newUserStageColumns, rows);
  if (load.restoreLinks) await db.bulkInsert(trx, 'core_user_roles', linkColumns, linksOf(rows));
}

/** The links of the rows without errors: (user id, role id) from each row's role set ('3,7'). */
function linksOf(rows: readonly unknown[][]): unknown[][] {
  const links: unknown[][] = [];
  const at = stageUserColumns.length;
  for (const row of rows) {
    const roleIds = row[roleIdsAt];
    if (row[hasErrorAt] === true || typeof roleIds !== 'string') continue;
    for (const roleId of roleIds.split(',')) links.push([row[at], Number(roleId)]);
  }
  return links;
}

/** The staged links of rows that the checks, the plan or a manager loop failed after they were copied. */
export async function deleteLinksOfFailedRows(trx: Kysely<Database>): Promise<void> {
  await sql`delete from core_user_roles where user_id in (select target_id from stage_users where has_error = ${true})`.execute(trx);
}
