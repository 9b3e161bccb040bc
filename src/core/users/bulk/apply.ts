import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database, Db } from '../../../db/index.ts';
import type { UserInput } from '../user.types.ts';

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

function differs(db: Db, given: ReadonlySet<keyof UserInput>): RawBuilder<boolean> {
  const { adapter } = db;
  const checks: RawBuilder<unknown>[] = givenColumns(given).map((c) => adapter.isDistinct(sql.ref(`stage_users.${c}`), sql.ref(`u.${c}`)));
  if (given.has('manager')) {
    checks.push(adapter.isDistinct(sql.ref('stage_users.manager_id'), sql.ref('u.manager_id')));
  }
  if (given.has('roles')) {
    checks.push(sql`(stage_users.has_roles = ${true} and (
      exists (select 1 from stage_user_roles r where r.line = stage_users.line
        and not exists (select 1 from core_user_roles ur where ur.user_id = u.id and ur.role_id = r.role_id))
      or exists (select 1 from core_user_roles ur where ur.user_id = u.id
        and not exists (select 1 from stage_user_roles r where r.line = stage_users.line and r.role_id = ur.role_id))))`);
  }
  return checks.length ? sql<boolean>`(${sql.join(checks, sql` or `)})` : sql<boolean>`(1 = 0)`;
}

/** created, updated, deactivated (an active user set inactive) or unchanged, decided before anything is written. */
export async function decideOutcomes(db: Db, trx: Kysely<Database>, given: ReadonlySet<keyof UserInput>): Promise<void> {
  await assignNewIds(db, trx);
  if (given.has('manager')) await resolveManagers(trx);
  await sql`update stage_users set was_licensed = u.ccw_user,
      outcome = case when ${differs(db, given)}
        then case when u.active = ${true} and stage_users.active = ${false} then 'deactivated' else 'updated' end
        else 'unchanged' end
    from core_users u where u.id = stage_users.target_id and stage_users.has_error = ${false}`.execute(trx);
}

/**
 * A good row without a user becomes 'created' and gets the id its user will have, in line order, so
 * manager links to users of the same file are known before anything is written (one insert, no
 * second pass over core_users). PostgreSQL draws the ids from the identity sequence; SQLite, whose
 * write lock this transaction holds, continues after the highest id it ever gave.
 */
async function assignNewIds(db: Db, trx: Kysely<Database>): Promise<void> {
  const newRows = sql`select line from stage_users where has_error = ${false} and target_id is null`;
  const numbered =
    db.adapter.name === 'postgres'
      ? sql`select line, nextval(pg_get_serial_sequence('core_users', 'id')) as id from (${newRows} order by line) o`
      : sql`select line, row_number() over (order by line) + max(
            coalesce((select seq from sqlite_sequence where name = 'core_users'), 0),
            coalesce((select max(id) from core_users), 0)) as id
          from (${newRows}) o`;
  await sql`update stage_users set outcome = 'created', target_id = n.id from (${numbered}) n
    where stage_users.line = n.line`.execute(trx);
}

/**
 * Each good row's manager id after this file: the user of the good row with that login (new or
 * existing), else the Core user with it (checkManagers has made sure one of them exists).
 */
export async function resolveManagers(trx: Kysely<Database>): Promise<void> {
  await sql`update stage_users set manager_id = m.id from (
      select s.line, coalesce(t.target_id, u.id) as id from stage_users s
      left join stage_users t on t.login = s.manager_login and t.has_error = ${false}
      left join core_users u on u.login = s.manager_login
      where s.has_error = ${false} and s.manager_login is not null) m
    where stage_users.line = m.line`.execute(trx);
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
  // Managers are linked in the same statement: a row may name a user inserted after it (foreign keys
  // are checked at the statement's end on both databases).
  await sql`insert into core_users (id, login, email, firstname, lastname, middlename, mention_name, employee_number, active,
      phone_work, phone_mobile, default_currency, default_locale, manager_id, ccw_user, sso_identifier, authentication_method,
      approval_limit_amount, approval_limit_currency, exported, created_at, updated_at, created_by, updated_by)
    select target_id, login, email, firstname, lastname, middlename, mention_name, employee_number, coalesce(active, ${true}),
      phone_work, phone_mobile, default_currency, default_locale, manager_id, coalesce(ccw_user, ${false}), sso_identifier, authentication_method,
      approval_limit_amount, approval_limit_currency, ${false}, ${now}, ${now}, ${actor}, ${actor}
    from stage_users where outcome = 'created' and has_error = ${false} order by line`.execute(trx);
}

export async function updateChangedUsers(ctx: ApplyContext): Promise<void> {
  const { trx, now, actor } = ctx;
  const columns = [...givenColumns(ctx.given), ...(ctx.given.has('manager') ? ['manager_id'] : [])];
  const sets = columns.map((c) => sql`${sql.id(c)} = s.${sql.id(c)}`);
  await sql`update core_users set ${sql.join([...sets, sql`updated_at = ${now}`, sql`updated_by = ${actor}`])}
    from stage_users s
    where core_users.id = s.target_id and s.has_error = ${false} and s.outcome in ('updated', 'deactivated')`.execute(trx);
}

export async function replaceRoles(ctx: ApplyContext): Promise<void> {
  if (!ctx.given.has('roles')) return;
  const changed = sql`select target_id from stage_users
    where has_error = ${false} and has_roles = ${true} and outcome <> 'unchanged'`;
  await sql`delete from core_user_roles where user_id in (${changed})`.execute(ctx.trx);
  await sql`insert into core_user_roles (user_id, role_id)
    select distinct s.target_id, r.role_id from stage_user_roles r join stage_users s on s.line = r.line
    where s.has_error = ${false} and s.has_roles = ${true} and s.outcome <> 'unchanged'`.execute(ctx.trx);
}

/** Full feed: the file is the complete set; active users it does not name are deactivated, never deleted. */
export async function deactivateMissing(ctx: ApplyContext): Promise<void> {
  if (!ctx.fullFeed) return;
  const { trx, now, actor } = ctx;
  await sql`insert into stage_deactivated (user_id)
    select u.id from core_users u where u.active = ${true}
      and not exists (select 1 from stage_users s where s.target_id = u.id)`.execute(trx);
  await sql`update core_users set active = ${false}, updated_at = ${now}, updated_by = ${actor}
    where id in (select user_id from stage_deactivated)`.execute(trx);
}

/** How many active users a Full file would deactivate, and how many are active now (for the safety hold). */
export async function countMissing(trx: Kysely<Database>): Promise<{ missing: number; active: number }> {
  const { rows } = await sql<{ missing: number | string; active: number | string }>`
    select
      (select count(*) from core_users u where u.active = ${true}
        and not exists (select 1 from stage_users s where s.target_id = u.id)) as missing,
      (select count(*) from core_users where active = ${true}) as active`.execute(trx);
  return { missing: Number(rows[0]?.missing ?? 0), active: Number(rows[0]?.active ?? 0) };
}
