import type { Kysely, Selectable } from 'kysely';
import { toBool, toDate, type Database, type DialectAdapter } from '../../db/index.ts';
import type { CoreUserTable } from '../../db/schema.ts';
import { applyListQuery } from '../../query/compile-list-query.ts';
import type { ListQuery } from '../../query/types.ts';
import { userQuerySchema } from '../query-schemas.ts';
import type { AuthenticationMethod, RoleRef, User, UserKey, UserRef } from './user.types.ts';

type UserRow = Selectable<CoreUserTable>;
type Executor = Kysely<Database>;

export async function findUserRow(db: Executor, key: UserKey): Promise<UserRow | undefined> {
  let query = db.selectFrom('core_users').selectAll();
  if ('id' in key) query = query.where('id', '=', key.id);
  else if ('login' in key) query = query.where('login', '=', key.login);
  else if ('employeeNumber' in key) query = query.where('employee_number', '=', key.employeeNumber);
  else query = query.where('email', '=', key.email);
  return query.executeTakeFirst();
}

export async function listUserRows(db: Executor, adapter: DialectAdapter, query: ListQuery): Promise<UserRow[]> {
  return applyListQuery(db.selectFrom('core_users').selectAll('core_users'), userQuerySchema, query, adapter).execute() as Promise<UserRow[]>;
}

/** Turns rows into users with their manager and roles, in two queries whatever the number of rows. */
export async function hydrateUsers(db: Executor, rows: UserRow[]): Promise<User[]> {
  if (rows.length === 0) return [];
  const managerIds = [...new Set(rows.map((r) => r.manager_id).filter((id): id is number => id !== null))];
  const managers = managerIds.length
    ? await db.selectFrom('core_users').selectAll().where('id', 'in', managerIds).execute()
    : [];
  const managerById = new Map(managers.map((m) => [m.id, toUserRef(m)]));
  const roleRows = await db
    .selectFrom('core_user_roles as ur')
    .innerJoin('core_roles as r', 'r.id', 'ur.role_id')
    .select(['ur.user_id', 'r.id', 'r.name', 'r.description'])
    .where((eb) => {
      const ids = rows.map((r) => r.id);
      const range = denseRange(ids);
      return range ? eb.between('ur.user_id', range[0], range[1]) : eb('ur.user_id', 'in', ids);
    })
    .orderBy('r.name')
    .execute();
  const rolesByUser = new Map<number, RoleRef[]>();
  for (const r of roleRows) {
    const list = rolesByUser.get(r.user_id) ?? [];
    list.push({ id: r.id, name: r.name, description: r.description });
    rolesByUser.set(r.user_id, list);
  }
  return rows.map((row) =>
    toUser(row, row.manager_id === null ? null : (managerById.get(row.manager_id) ?? null), rolesByUser.get(row.id) ?? []),
  );
}

export function toUserRef(row: UserRow): UserRef {
  return {
    id: row.id,
    login: row.login,
    email: row.email,
    firstname: row.firstname,
    lastname: row.lastname,
    employeeNumber: row.employee_number,
    active: toBool(row.active),
  };
}

function toUser(row: UserRow, manager: UserRef | null, roles: RoleRef[]): User {
  return {
    id: row.id,
    login: row.login,
    email: row.email,
    firstname: row.firstname,
    lastname: row.lastname,
    middlename: row.middlename,
    mentionName: row.mention_name,
    employeeNumber: row.employee_number,
    active: toBool(row.active),
    phoneWork: row.phone_work,
    phoneMobile: row.phone_mobile,
    defaultCurrency: row.default_currency,
    defaultLocale: row.default_locale,
    manager,
    roles,
    ccwUser: toBool(row.ccw_user),
    ssoIdentifier: row.sso_identifier,
    authenticationMethod: row.authentication_method as AuthenticationMethod | null,
    approvalLimit:
      row.approval_limit_amount === null ? null : { amount: row.approval_limit_amount, currency: row.approval_limit_currency ?? '' },
    exported: toBool(row.exported),
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
    createdBy: row.created_by,
    updatedBy: row.updated_by,
  };
}

/** The manager chain upward from a user id, nearest first, bounded so a bad row cannot loop forever. */
export async function managerChain(db: Executor, startId: number, maxDepth = 1000): Promise<Array<{ id: number; login: string }>> {
  const chain: Array<{ id: number; login: string }> = [];
  const seen = new Set<number>();
  let current: number | null = startId;
  while (current !== null && chain.length < maxDepth && !seen.has(current)) {
    seen.add(current);
    const row: { id: number; login: string; manager_id: number | null } | undefined = await db
      .selectFrom('core_users')
      .select(['id', 'login', 'manager_id'])
      .where('id', '=', current)
      .executeTakeFirst();
    if (!row) break;
    chain.push({ id: row.id, login: row.login });
    current = row.manager_id;
  }
  return chain;
}

export async function setUserRoles(db: Executor, userId: number, roleIds: number[]): Promise<void> {
  await db.deleteFrom('core_user_roles').where('user_id', '=', userId).execute();
  if (roleIds.length > 0) {
    await db
      .insertInto('core_user_roles')
      .values([...new Set(roleIds)].map((roleId) => ({ user_id: userId, role_id: roleId })))
      .execute();
  }
}

/** Which unique columns already hold these values on another user. */
export async function takenUniqueValues(
  db: Executor,
  values: { login?: string; email?: string; employeeNumber?: string | null; mentionName?: string | null },
  exceptId: number | null,
): Promise<Set<'login' | 'email' | 'employeeNumber' | 'mentionName'>> {
  const taken = new Set<'login' | 'email' | 'employeeNumber' | 'mentionName'>();
  const checks = [
    ['login', 'login', values.login],
    ['email', 'email', values.email],
    ['employeeNumber', 'employee_number', values.employeeNumber],
    ['mentionName', 'mention_name', values.mentionName],
  ] as const;
  for (const [name, column, value] of checks) {
    if (value === undefined || value === null) continue;
    let q = db.selectFrom('core_users').select('id').where(column, '=', value);
    if (exceptId !== null) q = q.where('id', '<>', exceptId);
    if (await q.executeTakeFirst()) taken.add(name);
  }
  return taken;
}

/** Up to `limit` user ids above `afterId`, ascending: reading every user in id ranges. */
export async function userIdsPage(db: Executor, afterId: number, limit: number, licensedOnly: boolean): Promise<number[]> {
  let query = db.selectFrom('core_users').select('id').where('id', '>', afterId);
  if (licensedOnly) query = query.where('ccw_user', '=', true);
  const rows = await query.orderBy('id').limit(limit).execute();
  return rows.map((r) => r.id);
}

/**
 * [min, max] when `ids` are many and dense enough that a range read (extra rows filtered by the caller)
 * beats an IN list of every id: bulk readers such as sync read users in id order.
 */
export function denseRange(ids: readonly number[]): [number, number] | undefined {
  if (ids.length < 64) return undefined;
  let min = Infinity;
  let max = -Infinity;
  for (const id of ids) {
    if (id < min) min = id;
    if (id > max) max = id;
  }
  return max - min + 1 <= ids.length * 2 ? [min, max] : undefined;
}
