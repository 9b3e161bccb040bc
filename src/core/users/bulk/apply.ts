import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database, Db } from '../../../db/index.ts';
import type { UserInput } from '../user.types.ts';
import type { StageSpace } from './stage.ts';

/** Stage columns written to core_users, by the input field that gives them. */
export const columnsByField: Partial<Record<keyof UserInput, readonly string[]>> = {
  login: ['login'],
  email: ['email'],
  firstname: ['firstname'],
  lastname: ['lastname'],
  middlename: ['middlename'],
  mentionName: ['mention_name'],
  employeeNumber: ['employee_number'],
  active: ['active'],
  phoneWork: ['phone_work'],
  phoneMobile: ['phone_mobile'],
  defaultCurrency: ['default_currency'],
  defaultLocale: ['default_locale'],
  ccwUser: ['ccw_user'],
  ssoIdentifier: ['sso_identifier'],
  authenticationMethod: ['authentication_method'],
  approvalLimit: ['approval_limit_amount', 'approval_limit_currency'],
};

export function givenColumns(given: ReadonlySet<keyof UserInput>): string[] {
  return [...given].flatMap((field) => columnsByField[field] ?? []);
}

/**
 * Joined to a staged row `s`: its manager's id after this file, `manager_after`. The user of the good
 * row with that login (new or existing), else the Core user with it (checkManagers has made sure one
 * exists for every good row). Computed where it is used for new users (one pass less over the rows);
 * decideOutcomes stores it for the changing rows, whose update then joins nothing (two hash joins of a
 * million rows, 0.6 s of the 5.4 s the changed case's update took).
 */
const managerJoins = sql`left join stage_users mt on mt.login = s.manager_login and mt.has_error = ${false}
  left join core_users mu on mu.login = s.manager_login`;
const managerAfter = sql`coalesce(mt.target_id, mu.id)`;

/** Does staged row `s` change its user `u`? Only the file's columns count. */
function differs(db: Db, given: ReadonlySet<keyof UserInput>): RawBuilder<boolean> {
  const { adapter } = db;
  const checks: RawBuilder<unknown>[] = givenColumns(given).map((c) => adapter.isDistinct(sql.ref(`s.${c}`), sql.ref(`u.${c}`)));
  if (given.has('manager')) checks.push(adapter.isDistinct(managerAfter, sql.ref('u.manager_id')));
  if (given.has('roles')) checks.push(db.adapter.name === 'postgres' ? sql`(s.has_roles = ${true} and s.role_ids is distinct from rs.role_ids)` : sql`rc.line is not null`);
  return checks.length ? sql<boolean>`(${sql.join(checks, sql` or `)})` : sql<boolean>`(1 = 0)`;
}

/**
 * created, updated or deactivated (an active user set inactive), decided before anything is written.
 * A good row left without an outcome is unchanged: only the rows that change are written here.
 */
export async function decideOutcomes(
  db: Db,
  trx: Kysely<Database>,
  space: StageSpace,
  given: ReadonlySet<keyof UserInput>,
  byHash: boolean,
): Promise<void> {
  // PostgreSQL numbered the new users while matching (matchStagedBatch).
  if (db.adapter.name === 'sqlite') await assignNewIds(trx);
  const postgres = db.adapter.name === 'postgres';
  const roleSets = postgres ? (byHash ? roleSetsOfAll : roleSetNow) : sql`left join (${roleChanges}) rc on rc.line = s.line`;
  const changes = sql`select s.line, u.ccw_user as was_licensed, u.manager_id as manager_before,
        case when u.active = ${true} and s.active = ${false} then 'deactivated' else 'updated' end as outcome,
        ${given.has('manager') ? managerAfter : sql`cast(null as integer)`} as manager_after
      from stage_users s join core_users u on u.id = s.target_id ${given.has('manager') ? managerJoins : sql``}
        ${given.has('roles') ? roleSets : sql``}
      where s.has_error = ${false} and ${differs(db, given)}`;
  if (postgres && byHash) return decideOutcomesByHash(db, trx, space, changes);
  // Right after a big load core_user_roles has no statistics yet: the planner then expects thousands of
  // links per user and reads each user's few by a bitmap scan.
  await withPlannerSettings(db, trx, { enable_bitmapscan: 'off' }, sql`update stage_users set ${outcomeColumns}
    from (${changes}) c where stage_users.line = c.line`);
}

/**
 * What decideOutcomes writes to a changing row. A manager loop found after writing fails more rows and
 * the plan is written again (UserImport.apply) without deciding again: a row whose manager's row failed
 * then either keeps the same manager (an existing user, not renamed) or fails itself (checkManagers).
 */
const outcomeColumns = sql`was_licensed = c.was_licensed, outcome = c.outcome, manager_before = c.manager_before, manager_after = c.manager_after`;

type PlannerSetting = 'enable_nestloop' | 'enable_bitmapscan' | 'parallel_tuple_cost';

/** Runs one statement with planner settings (constants of this file) changed on PostgreSQL, back to default after it; as it is on SQLite. */
async function withPlannerSettings(db: Db, trx: Kysely<Database>, settings: Partial<Record<PlannerSetting, string>>, statement: RawBuilder<unknown>): Promise<void> {
  const postgres = db.adapter.name === 'postgres';
  const names = Object.keys(settings) as PlannerSetting[];
  if (postgres) for (const name of names) await sql`set local ${sql.raw(name)} = ${sql.raw(settings[name]!)}`.execute(trx);
  await statement.execute(trx);
  if (postgres) for (const name of names) await sql`set local ${sql.raw(name)} to default`.execute(trx);
}

/**
 * PostgreSQL, a file naming a good share of the users: the changing rows are found by one pass of hash
 * joins into a table of their own, then written to the stage by line. As one update with a lookup per
 * row (core_users by id, the manager's login twice, the role links) a million rows took 8 to 9 s, half
 * of it in the role-set lookups; this way 5.1 s, and 1.2 s to write 100,000 outcomes to the stage.
 */
async function decideOutcomesByHash(db: Db, trx: Kysely<Database>, space: StageSpace, changes: RawBuilder<unknown>): Promise<void> {
  // In parallel: the planner counts every joined row as passing through the gather (the filter keeps a
  // tenth), so by default it ran this alone on one core while the other idled (a million rows on the
  // 2-core bench machine: 5.1 s alone, 3.6 s with the default two workers, 3.3 s with one). How many
  // workers stays the server's setting (max_parallel_workers_per_gather).
  await withPlannerSettings(db, trx, { enable_nestloop: 'off', parallel_tuple_cost: '0.001' }, sql`${space.createTable} stage_changes ${space.suffix} as ${changes}`);
  await sql`update stage_users set ${outcomeColumns} from stage_changes c where stage_users.line = c.line`.execute(trx);
  await sql`drop table stage_changes`.execute(trx);
}

/** PostgreSQL: the role set user `u` has now, as roleSetOf writes the row's, looked up only for rows giving roles. */
const roleSetNow = sql`left join lateral (select string_agg(ur.role_id::text, ',' order by ur.role_id) as role_ids
      from core_user_roles ur where ur.user_id = u.id and s.has_roles = ${true}) rs on true`;

/**
 * PostgreSQL: every user's role set, aggregated from all links in one pass and joined by hash. The links
 * are read in (user, role) order and aggregated without an ORDER BY of the aggregate's own, which in
 * PostgreSQL 15 sorts each user's two or three links apart (0.9 s of a million users, 0.4 s this way).
 * Were the order ever lost, equal sets would compare unequal: the row would count as updated and be
 * written again unchanged, never left unwritten.
 */
const roleSetsOfAll = sql`left join (select ur.user_id, string_agg(ur.role_id::text, ',') as role_ids
      from (select user_id, role_id from core_user_roles order by user_id, role_id) ur group by ur.user_id) rs on rs.user_id = u.id`;

/**
 * SQLite: the lines of existing users (rows not 'created') whose role set the file changes: a role the row
 * adds, or one the user has and the row leaves out. Joined into the outcome's update rather than
 * written to the stage first (each update of the stage rewrites the rows it touches).
 */
const roleChanges = sql`select s.line from stage_users s join stage_user_roles r on r.line = s.line
      left join core_user_roles ur on ur.user_id = s.target_id and ur.role_id = r.role_id
    where s.has_error = ${false} and s.has_roles = ${true} and s.outcome is null and ur.user_id is null
    union
    select s.line from stage_users s join core_user_roles ur on ur.user_id = s.target_id
      left join stage_user_roles r on r.line = s.line and r.role_id = ur.role_id
    where s.has_error = ${false} and s.has_roles = ${true} and s.outcome is null and r.line is null`;

/**
 * SQLite: a good row without a user becomes 'created' and gets the id its user will have, in line
 * order, so manager links to users of the same file are known before anything is written (one insert,
 * no second pass over core_users). The ids continue after the highest id SQLite ever gave, under the
 * write lock this transaction holds.
 */
async function assignNewIds(trx: Kysely<Database>): Promise<void> {
  await sql`update stage_users set outcome = 'created', target_id = n.id from (
      select line, row_number() over (order by line) + max(
          coalesce((select seq from sqlite_sequence where name = 'core_users'), 0),
          coalesce((select max(id) from core_users), 0)) as id
      from (select line from stage_users where has_error = ${false} and target_id is null) o) n
    where stage_users.line = n.line`.execute(trx);
}

export interface ApplyContext {
  db: Db;
  trx: Kysely<Database>;
  given: ReadonlySet<keyof UserInput>;
  fullFeed: boolean;
  now: string;
  actor: string;
}

export async function insertCreatedUsers(ctx: ApplyContext): Promise<void> {
  const { trx, now, actor } = ctx;
  const manager = ctx.given.has('manager') ? managerAfter : sql`null`;
  // Managers are linked in the same statement: a row may name a user inserted after it (foreign keys
  // are checked at the statement's end on both databases). Rows go in in line order: SQLite reads its
  // stage by line, its row id; PostgreSQL's stage is written in line order and read in it (the manager
  // join keeps its outer side's order), so it does not sort the wide rows again (at a million rows a
  // 150 MB sort on disk, 1.3 s). Only the heap's layout depends on that order, not any result.
  const order = ctx.db.adapter.name === 'sqlite' ? sql`order by s.line` : sql``;
  await sql`insert into core_users (id, login, email, firstname, lastname, middlename, mention_name, employee_number, active,
      phone_work, phone_mobile, default_currency, default_locale, manager_id, ccw_user, sso_identifier, authentication_method,
      approval_limit_amount, approval_limit_currency, exported, created_at, updated_at, created_by, updated_by)
    select s.target_id, s.login, s.email, s.firstname, s.lastname, s.middlename, s.mention_name, s.employee_number, coalesce(s.active, ${true}),
      s.phone_work, s.phone_mobile, s.default_currency, s.default_locale, ${manager}, coalesce(s.ccw_user, ${false}), s.sso_identifier,
      s.authentication_method, s.approval_limit_amount, s.approval_limit_currency, ${false}, ${now}, ${now}, ${actor}, ${actor}
    from stage_users s ${ctx.given.has('manager') ? managerJoins : sql``}
    where s.outcome = 'created' and s.has_error = ${false} ${order}`.execute(trx);
}

export async function updateChangedUsers(ctx: ApplyContext): Promise<void> {
  const { trx, now, actor } = ctx;
  const columns = [...givenColumns(ctx.given), ...(ctx.given.has('manager') ? ['manager_after'] : [])];
  const sets = columns.map((c) => sql`${sql.id(c === 'manager_after' ? 'manager_id' : c)} = c.${sql.id(c)}`);
  await sql`update core_users set ${sql.join([...sets, sql`updated_at = ${now}`, sql`updated_by = ${actor}`])}
    from stage_users c where c.has_error = ${false} and c.outcome in ('updated', 'deactivated') and core_users.id = c.target_id`.execute(trx);
}

/**
 * The role links of the changing rows become the file's: links the file drops are deleted and links it
 * adds are inserted; links it keeps are left alone (a delete and insert of every link of every changed
 * user cost two foreign-key checks per link, 6.7 of the 11.6 s the million-row changed case spent here).
 */
export async function replaceRoles(ctx: ApplyContext): Promise<void> {
  if (!ctx.given.has('roles')) return;
  if (ctx.db.adapter.name === 'postgres') return replaceRolesBySet(ctx);
  await sql`delete from core_user_roles
    where user_id in (select s.target_id from stage_users s where ${changingRoles} and s.outcome <> 'created')
    and not exists (select 1 from stage_users s join stage_user_roles r on r.line = s.line
      where s.target_id = core_user_roles.user_id and r.role_id = core_user_roles.role_id and ${changingRoles})`.execute(ctx.trx);
  await sql`insert into core_user_roles (user_id, role_id)
    select distinct s.target_id, r.role_id from stage_user_roles r join stage_users s on s.line = r.line
    where ${changingRoles} and (s.outcome = 'created'
      or not exists (select 1 from core_user_roles ur where ur.user_id = s.target_id and ur.role_id = r.role_id))`.execute(ctx.trx);
}

const changingRoles = sql`s.has_error = ${false} and s.has_roles = ${true} and s.outcome in ('created', 'updated', 'deactivated')`;

/**
 * PostgreSQL: the same from each row's role set (role_ids), with no table of links to join: at a million
 * rows the links were a second stage of 1.7 million rows, joined to the users' by line and made distinct
 * (2.3 to 2.7 s to insert, 1.2 s to delete). One row per user (checkOneRowPerUser) and sets without
 * repeats (roleSetOf) make each (user, role) pair appear once.
 */
async function replaceRolesBySet(ctx: ApplyContext): Promise<void> {
  const roleIds = sql`string_to_array(s.role_ids, ',')::integer[]`;
  await sql`delete from core_user_roles ur using stage_users s
    where s.target_id = ur.user_id and ${changingRoles} and s.outcome <> 'created' and not (ur.role_id = any (${roleIds}))`.execute(ctx.trx);
  await sql`insert into core_user_roles (user_id, role_id)
    select s.target_id, r.role_id from stage_users s cross join lateral unnest(${roleIds}) as r(role_id)
    where ${changingRoles} and (s.outcome = 'created'
      or not exists (select 1 from core_user_roles ur where ur.user_id = s.target_id and ur.role_id = r.role_id))`.execute(ctx.trx);
}

/** Full feed: the file is the complete set; the active users it does not name (findMissing) are deactivated, never deleted. */
export async function deactivateMissing(ctx: ApplyContext): Promise<void> {
  if (!ctx.fullFeed) return;
  const { trx, now, actor } = ctx;
  await sql`update core_users set active = ${false}, updated_at = ${now}, updated_by = ${actor}
    where id in (select user_id from stage_deactivated)`.execute(trx);
}

/**
 * Full feed, while planning: the active users the file does not name go to stage_deactivated, which the
 * safety hold counts and deactivateMissing applies, so both judge the same set, found once (counting it
 * and finding it again at apply were two anti-joins of every user, 0.4 and 0.6 s at a million). Every
 * row names its user even when it has an error, so a row's mistake never deactivates its user.
 */
export async function findMissing(trx: Kysely<Database>): Promise<{ missing: number; active: number }> {
  const inserted = await sql`insert into stage_deactivated (user_id)
    select u.id from core_users u where u.active = ${true}
      and not exists (select 1 from stage_users s where s.target_id = u.id)`.execute(trx);
  const { rows } = await sql<{ active: number | string }>`select count(*) as active from core_users where active = ${true}`.execute(trx);
  return { missing: Number(inserted.numAffectedRows ?? 0), active: Number(rows[0]?.active ?? 0) };
}
