import { sql, type Kysely } from 'kysely';
import type { Database, Db } from '../../../db/index.ts';
import type { FieldProblem } from '../../../shared/errors.ts';
import type { OutboxPort } from '../../outbox.port.ts';
import { Problems } from '../../validation.ts';
import { checkUserFields } from '../user-fields.ts';
import type { UserInput } from '../user.types.ts';
import {
  deactivateMissing,
  decideOutcomes,
  findMissing,
  insertCreatedUsers,
  replaceRoles,
  updateChangedUsers,
  type ApplyContext,
} from './apply.ts';
import {
  checkDuplicateKeys,
  checkEmployeeNumbersKept,
  checkManagers,
  checkOneRowPerUser,
  checkTakenValues,
  keyMatchedStage,
  matchExistingUsers,
  matchStagedBatch,
  userIdSequence,
  type KeyColumn,
} from './checks.ts';
import { deleteLinksOfFailedRows, stageFirstLoadBatch, startFirstLoad } from './first-load.ts';
import { RepeatDetector } from './repeats.ts';
import { managerLoops } from './cycles.ts';
import { loosenForBigInsert, restoreAfterBigInsert } from './big-insert.ts';
import { recordOutboxEvents } from './outbox-events.ts';
import { outcomeOf, readOutcomes, StagedKeys, type OutcomeCount } from './outcomes.ts';
import {
  createStageTables,
  dropStageTables,
  flagRowsWithProblems,
  indexStageTables,
  refreshStageStatistics,
  roleSetOf,
  stageProblemColumns,
  stageRoleColumns,
  stageUserColumns,
} from './stage.ts';

export interface UserImportRow {
  line: number;
  /** Trimmed; an empty cell is null; manager as {login}; roles as [{name}] (empty = leave roles as they are). */
  input: UserInput;
  /** What the file layer already found wrong with the row (a bad boolean, ...). */
  problems: FieldProblem[];
  /** The record could not be read at all: report its problems, check nothing else. */
  unreadable?: boolean;
}

export type UserOutcome = 'created' | 'updated' | 'unchanged' | 'deactivated' | 'error';

export interface UserImportOutcome {
  /** null for a user a Full file deactivated (it has no line). */
  line: number | null;
  key: string;
  outcome: UserOutcome;
  problems: FieldProblem[];
}

export interface UserImportCounts {
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  deactivated: number;
  errors: number;
  /** Full feeds: active users the file does not name, and all active users before it. */
  missing: number;
  activeBefore: number;
}

export interface UserImportOptions {
  fullFeed: boolean;
  /** The fields the file's header gives; the others are left as they are on existing users. */
  given: ReadonlySet<keyof UserInput>;
  actor: string;
}

export interface UserImportDeps {
  db: Db;
  clock: () => Date;
  outbox: OutboxPort;
  /**
   * PostgreSQL: does a file of `rows` rows against `users` users decide its outcomes by whole-table hash
   * joins rather than a lookup per row? Default: 10,000 rows or more naming at least a quarter of the users.
   */
  planByHash?: (rows: number, users: number) => boolean;
}

const PLAN_BY_HASH_FROM = 10_000;

/** A file naming at least a quarter of the users, and 10,000 rows or more: its plan reads whole tables. */
export const coversManyUsers = (rows: number, users: number): boolean => rows >= PLAN_BY_HASH_FROM && rows * 4 >= users;

const STAGE_BATCH = 5_000;

/**
 * PostgreSQL: rows per write (copy, then match). Each write's statements wait for the event loop, which
 * the caller holds while it reads the next rows, so fewer, larger writes overlap the reading better: a
 * million rows staged in 7.5-8.8 s written 2,000 at a time, 4.9-6.4 s at 10,000, 4.6-5.1 s at 25,000
 * (but 60 MB more memory at its peak).
 */
const WRITE_ROWS = 10_000;

interface StagedBatch {
  rows: number;
  users: unknown[][];
  roleLinks: unknown[][];
  problems: unknown[][];
}

const emptyBatch = (): StagedBatch => ({ rows: 0, users: [], roleLinks: [], problems: [] });

/**
 * A file of users applied in one transaction (the caller's), set-based so a million rows take
 * seconds: rows are staged, checked together (duplicates, keys, uniqueness, managers, cycles),
 * then written with a handful of statements. Field rules are the API's (checkUserFields).
 */
export async function startUserImport(deps: UserImportDeps, trx: Kysely<Database>, options: UserImportOptions) {
  const { db } = deps;
  const space = await createStageTables(db, trx);
  const roles = await roleIndex(trx);
  // PostgreSQL stages a row's roles as one set (role_ids); SQLite as a table of links (stage_user_roles).
  const rolesAsSets = db.adapter.name === 'postgres';
  // PostgreSQL matches each batch as it is copied (matchStagedBatch); SQLite once every row is in.
  const idSequence = db.adapter.name === 'postgres' ? await userIdSequence(trx) : undefined;
  const firstLoad = idSequence ? await startFirstLoad(trx, options.given.has('roles')) : undefined;
  let staged = 0;
  // Which of these key columns may hold one value twice, seen while staging: the checks group only those.
  const repeats = {
    login: new RepeatDetector(),
    email: new RepeatDetector(),
    employee_number: new RepeatDetector(),
    mention_name: new RepeatDetector(),
  };
  // The write under way on the transaction's connection while the caller reads and checks the next rows
  // (PostgreSQL copies and matches as JavaScript works), and at most one more queued behind it: memory
  // stays bounded, and the database has the next write at hand when one ends.
  let writing: Promise<void> = Promise.resolve();
  let queued: Promise<void> = Promise.resolve();

  const keys = new StagedKeys();
  // PostgreSQL: rows prepared since the last write, sent once there are WRITE_ROWS of them.
  let pending: StagedBatch | undefined;

  async function add(rows: readonly UserImportRow[]): Promise<void> {
    for (let i = 0; i < rows.length; i += STAGE_BATCH) {
      const slice = rows.slice(i, i + STAGE_BATCH);
      if (db.adapter.name === 'sqlite') {
        // SQLite writes synchronously anyway: nothing to overlap, and no second batch held in memory.
        await write(prepare(slice, emptyBatch()));
        continue;
      }
      pending = prepare(slice, pending ?? emptyBatch());
      if (pending.rows >= WRITE_ROWS) await send();
    }
  }

  /** Queues the pending rows behind the write under way, waiting while an earlier one is still queued. */
  async function send(): Promise<void> {
    const batch = pending;
    pending = undefined;
    if (!batch) return;
    await queued;
    queued = writing;
    writing = writing.then(() => write(batch));
    // Rejections surface at the next add or at plan; never unhandled meanwhile.
    writing.catch(() => {});
  }

  /** Checks the rows and adds them to the batch. */
  function prepare(rows: readonly UserImportRow[], batch: StagedBatch): StagedBatch {
    batch.rows += rows.length;
    for (const row of rows) {
      const found = new Problems('user');
      if (!row.unreadable) checkUserFields(found, row.input, row.input);
      const roleIds = row.unreadable ? [] : resolveRoleNames(row.input.roles ?? [], roles, found);
      const all = found.count === 0 ? row.problems : [...row.problems, ...problemsOf(found)];
      for (const p of all) batch.problems.push([row.line, p.field, p.message]);
      if (!rolesAsSets) for (const roleId of roleIds) batch.roleLinks.push([row.line, roleId]);
      batch.users.push(stageRow(row, options, roleIds, all.length > 0, rolesAsSets));
      keys.add(row.line, row.input.employeeNumber ?? row.input.login ?? '');
      noteKeys(row.input);
    }
    return batch;
  }

  function noteKeys(input: UserInput): void {
    repeats.login.add(input.login);
    repeats.email.add(input.email);
    repeats.employee_number.add(input.employeeNumber);
    repeats.mention_name.add(input.mentionName);
  }

  async function write(batch: StagedBatch): Promise<void> {
    if (idSequence && firstLoad) await stageFirstLoadBatch(db, trx, firstLoad, idSequence, batch.users);
    else {
      await db.bulkInsert(trx, idSequence ? 'stage_batch' : 'stage_users', stageUserColumns, batch.users);
      if (idSequence) await matchStagedBatch(trx, idSequence);
    }
    if (!rolesAsSets) await db.bulkInsert(trx, 'stage_user_roles', stageRoleColumns, batch.roleLinks);
    await db.bulkInsert(trx, 'stage_problems', stageProblemColumns, batch.problems);
    staged += batch.rows;
  }

  async function plan(): Promise<UserImportCounts> {
    await send();
    await writing;
    const byHash = db.adapter.name === 'postgres' && (await plansByHash());
    await matchRowsToUsers(byHash);
    await checkTakenValues(db, trx);
    if (options.given.has('manager')) await checkManagers(db, trx);
    await decideOutcomes(db, trx, space, options.given, byHash);
    await refreshStageStatistics(db, trx);
    return (planned = await counts(false));
  }

  /** Each row's user, with the checks of keys that come with finding it, in the order each database answers them. */
  async function matchRowsToUsers(byHash: boolean): Promise<void> {
    const mayRepeat = new Set<KeyColumn>();
    for (const [column, seen] of Object.entries(repeats)) if (seen.mayRepeat()) mayRepeat.add(column as KeyColumn);
    if (db.adapter.name === 'sqlite') {
      await indexStageTables(db, trx);
      await checkDuplicateKeys(db, trx, mayRepeat);
      await matchExistingUsers(db, trx);
      await checkOneRowPerUser(db, trx, { targetsUnique: false });
      return;
    }
    await keyMatchedStage(trx);
    // A plan by whole-table hash joins looks nothing up by login: the index is built only to find repeats.
    const indexed = await indexStageTables(db, trx, { logins: !byHash || mayRepeat.has('login'), targets: !firstLoad });
    if (indexed.loginsUnique) mayRepeat.delete('login');
    await checkDuplicateKeys(db, trx, mayRepeat);
    await checkOneRowPerUser(db, trx, indexed);
    await checkEmployeeNumbersKept(db, trx);
  }

  async function plansByHash(): Promise<boolean> {
    const policy = deps.planByHash ?? coversManyUsers;
    // The usual small file needs no count of the users.
    if (policy === coversManyUsers && staged < PLAN_BY_HASH_FROM) return false;
    const { rows } = await sql<{ n: number | string }>`select count(*) as n from core_users`.execute(trx);
    return policy(staged, Number(rows[0]?.n ?? 0));
  }

  let full: { missing: number; active: number } | undefined;
  // What the plan decided; a manager loop found while applying only fails rows, never adds writes.
  let planned: UserImportCounts | undefined;
  // The stage's outcomes as counts() last found them: the result reads only the rows unlike the most common.
  let lastCounts: OutcomeCount[] | undefined;

  async function countOutcomes(): Promise<OutcomeCount[]> {
    const { rows } = await sql<OutcomeCount>`select has_error, outcome, count(*) as n from stage_users group by has_error, outcome`.execute(trx);
    return rows;
  }

  async function counts(applied: boolean): Promise<UserImportCounts> {
    const rows = (lastCounts = await countOutcomes());
    const by = (name: UserOutcome) => rows.filter((r) => outcomeOf(r.has_error, r.outcome) === name).reduce((sum, r) => sum + Number(r.n), 0);
    // Found once, by the plan (what the hold judges); applied ones count as deactivated.
    full ??= options.fullFeed ? await findMissing(trx) : { missing: 0, active: 0 };
    return {
      rows: staged,
      created: by('created'),
      updated: by('updated'),
      unchanged: by('unchanged'),
      deactivated: by('deactivated') + (applied ? full.missing : 0),
      errors: by('error'),
      missing: full.missing,
      activeBefore: full.active,
    };
  }

  /** Writes the plan. A manager loop found after writing undoes the writes, fails those rows, and writes again. */
  async function apply(): Promise<UserImportCounts> {
    if (!planned) throw new Error('a user import is applied after its plan');
    const linksStaged = firstLoad?.restoreLinks !== undefined;
    const ctx: ApplyContext = { db, trx, given: options.given, fullFeed: options.fullFeed, now: deps.clock().toISOString(), actor: options.actor };
    for (let attempt = 0; attempt < 5; attempt++) {
      await sql`savepoint user_import`.execute(trx);
      const restore = await loosenForBigInsert(ctx);
      // Rows fail after staging in the checks and the plan, and in an earlier attempt's manager loops.
      if (linksStaged && (planned.errors > 0 || attempt > 0)) await deleteLinksOfFailedRows(trx);
      // A statement with nothing to write still reads the whole stage (0.2-0.3 s of a million rows).
      if (planned.created > 0) await insertCreatedUsers(ctx);
      if (planned.updated + planned.deactivated > 0) await updateChangedUsers(ctx);
      // A first load's rows are all new: with its links copied while staging, there are none to write.
      if (planned.updated + planned.deactivated > 0 || (planned.created > 0 && !linksStaged)) await replaceRoles(ctx);
      await restoreAfterBigInsert(ctx, [...restore, ...(firstLoad?.restoreLinks ?? [])]);
      await deactivateMissing(ctx);
      const loops = options.given.has('manager') ? await managerLoops(trx) : [];
      if (loops.length === 0) {
        await sql`release savepoint user_import`.execute(trx);
        await recordOutboxEvents(trx, space, deps.outbox);
        return counts(true);
      }
      await sql`rollback to savepoint user_import`.execute(trx);
      await db.bulkInsert(trx, 'stage_problems', stageProblemColumns, loops);
      await flagRowsWithProblems(trx);
      // Rows naming the user of a failed row as their manager fail too.
      if (options.given.has('manager')) await checkManagers(db, trx);
    }
    throw new Error('manager loops kept appearing after 5 attempts');
  }

  /** Every row in line order, then the users a Full file deactivated, a page at a time. Read before the transaction ends. */
  async function* outcomes(): AsyncGenerator<UserImportOutcome[]> {
    yield* readOutcomes(trx, keys, lastCounts ?? (await countOutcomes()));
  }

  async function close(): Promise<void> {
    await writing.catch(() => {});
    await dropStageTables(db, trx, space);
  }

  return { add, plan, apply, outcomes, close };
}

export type UserImport = Awaited<ReturnType<typeof startUserImport>>;

function problemsOf(found: Problems): FieldProblem[] {
  try {
    found.throwIfAny();
    return [];
  } catch (error) {
    return (error as { problems: FieldProblem[] }).problems;
  }
}

async function roleIndex(trx: Kysely<Database>): Promise<Map<string, number>> {
  const rows = await trx.selectFrom('core_roles').select(['id', 'name']).execute();
  const index = new Map<string, number>();
  for (const row of rows) index.set(row.name.toLowerCase(), row.id);
  return index;
}

function resolveRoleNames(keys: NonNullable<UserInput['roles']>, roles: Map<string, number>, problems: Problems): number[] {
  const ids: number[] = [];
  for (const key of keys) {
    if (!('name' in key)) continue;
    const id = roles.get(key.name.trim().toLowerCase());
    if (id === undefined) problems.add('roles', `Role "${key.name}" does not exist`);
    else ids.push(id);
  }
  return ids;
}

function stageRow(row: UserImportRow, options: UserImportOptions, roleIds: readonly number[], hasError: boolean, withRoleSet: boolean): unknown[] {
  const i = row.input;
  const manager = i.manager && 'login' in i.manager ? i.manager.login : null;
  return [
    row.line,
    i.login ?? null,
    i.email ?? null,
    i.firstname ?? null,
    i.lastname ?? null,
    i.middlename ?? null,
    i.mentionName ?? null,
    i.employeeNumber ?? null,
    options.fullFeed ? true : (i.active ?? true),
    i.phoneWork ?? null,
    i.phoneMobile ?? null,
    i.defaultCurrency ?? null,
    i.defaultLocale ?? null,
    manager,
    i.ccwUser ?? null,
    i.ssoIdentifier ?? null,
    i.authenticationMethod ?? null,
    i.approvalLimit?.amount ?? null,
    i.approvalLimit?.currency ?? null,
    roleIds.length > 0,
    hasError,
    withRoleSet && roleIds.length > 0 ? roleSetOf(roleIds) : null,
    // Room for the user's id and outcome, which stageFirstLoadBatch fills: pushing them would grow each
    // row's array to twice its size (a million rows' arrays took the heap past 500 MB).
    null,
    null,
  ];
}
