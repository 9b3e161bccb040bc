import type { ExpressionBuilder, Selectable } from 'kysely';
import { isoNow, toBool, toDate, type Database, type DialectName } from '../db/index.ts';
import { bulkWrite } from './bulk-sql.ts';
import type { WorkforceUserTable } from '../db/schema.ts';
import type { Executor, SyncedUser, WorkforceUser } from './types.ts';

export type UserRow = Selectable<WorkforceUserTable>;

/** Rows per multi-row statement: under SQLite's and PostgreSQL's bound-parameter limits for ~16 columns. */
export const ROWS_PER_STATEMENT = 500;

export function chunks<T>(items: readonly T[], size = ROWS_PER_STATEMENT): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Ids to look up, as statements' worth: one range when they are dense (a sync batch of consecutive Core
 * ids), else IN lists. A range is planned as a short index scan even while the table's statistics still
 * say it is empty (a first sync outruns autovacuum); a long IN list then is planned as a sequential scan.
 * A range may match ids that were not asked for: callers look rows up by the ids they want.
 */
type IdPart = { range: [number, number] } | { list: number[] };

export function idParts(ids: readonly number[]): IdPart[] {
  const range = denseRange(ids);
  return range ? [{ range }] : chunks([...new Set(ids)]).map((list) => ({ list }));
}

function denseRange(ids: readonly number[]): [number, number] | undefined {
  if (ids.length < 64) return undefined;
  let min = Infinity;
  let max = -Infinity;
  for (const id of ids) {
    if (id < min) min = id;
    if (id > max) max = id;
  }
  return max - min < 2 * ids.length ? [min, max] : undefined;
}

function among(column: 'source_id' | 'supervisor_source_id', part: IdPart) {
  return (eb: ExpressionBuilder<Database, 'workforce_users'>) => ('range' in part ? eb.between(column, part.range[0], part.range[1]) : eb(column, 'in', part.list));
}

export async function rowsBySource(db: Executor, sourceIds: readonly number[]): Promise<Map<number, UserRow>> {
  const byId = new Map<number, UserRow>();
  for (const part of idParts(sourceIds)) {
    const rows = await db.selectFrom('workforce_users').selectAll().where(among('source_id', part)).execute();
    for (const row of rows) byId.set(row.source_id!, row);
  }
  return byId;
}

/** The columns a synced user writes (supervisor_id is linked separately). */
export function syncedColumns(user: SyncedUser) {
  return {
    source_id: user.sourceId,
    user_name: user.userName,
    first_name: user.firstName,
    last_name: user.lastName,
    nick_name: user.nickName,
    email: user.email,
    phone_number: user.phoneNumber,
    default_currency: user.defaultCurrency,
    employee_number: user.employeeNumber,
    active: user.active,
    supervisor_source_id: user.supervisorSourceId,
    approval_limit_amount: user.approvalLimit?.amount ?? null,
    approval_limit_currency: user.approvalLimit?.currency ?? null,
  };
}

type SyncedColumns = ReturnType<typeof syncedColumns>;
const comparedColumns = Object.keys(syncedColumns({} as SyncedUser)) as Array<keyof SyncedColumns>;

export function differs(row: UserRow, wanted: SyncedColumns): boolean {
  return comparedColumns.some((column) => {
    const have = row[column];
    const want = wanted[column];
    return column === 'active' ? toBool(have as boolean | number) !== want : have !== want;
  });
}

const upsertColumns = [...comparedColumns, 'supervisor_id', 'created_at', 'updated_at'] as const;
const pgTypes: Record<(typeof upsertColumns)[number], string> = {
  source_id: 'int',
  user_name: 'text',
  first_name: 'text',
  last_name: 'text',
  nick_name: 'text',
  email: 'text',
  phone_number: 'text',
  default_currency: 'text',
  employee_number: 'text',
  active: 'bool',
  supervisor_source_id: 'int',
  approval_limit_amount: 'text',
  approval_limit_currency: 'text',
  supervisor_id: 'int',
  created_at: 'timestamptz',
  updated_at: 'timestamptz',
};
const updatedOnConflict = upsertColumns.filter((c) => c !== 'source_id' && c !== 'created_at');

/**
 * Multi-row upsert keyed by source_id, each row with its supervisor link already resolved (`supervisorIds`:
 * source id -> Workforce id of the supervisors that exist). Returns the Workforce id of every source id.
 */
export async function upsertSynced(db: Executor, dialect: DialectName, rows: SyncedColumns[], supervisorIds: ReadonlyMap<number, number>, now: string): Promise<Map<number, number>> {
  const values = rows.map((row) => [
    ...comparedColumns.map((c) => row[c]),
    row.supervisor_source_id === null ? null : (supervisorIds.get(row.supervisor_source_id) ?? null),
    now,
    now,
  ]);
  const written = await bulkWrite(db, dialect, {
    table: 'workforce_users',
    columns: upsertColumns,
    rows: values,
    upsert: { conflict: 'source_id', update: updatedOnConflict },
    returning: ['id', 'source_id'],
    pgTypes: upsertColumns.map((c) => pgTypes[c]),
  });
  return new Map(written.map((r) => [Number(r.source_id), Number(r.id)]));
}

/** Workforce ids of the users mirroring these sources (those that exist). */
export async function idsBySource(db: Executor, sourceIds: readonly number[]): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (const part of idParts(sourceIds)) {
    const rows = await db.selectFrom('workforce_users').select(['id', 'source_id']).where(among('source_id', part)).execute();
    for (const r of rows) out.set(r.source_id!, r.id);
  }
  return out;
}

/**
 * Links the users that were waiting for these (newly created) supervisors, one statement per range or
 * list: each waiting user takes the Workforce id of the user mirroring its supervisor's source.
 */
export async function linkWaiting(db: Executor, supervisorSourceIds: readonly number[]): Promise<void> {
  for (const part of idParts(supervisorSourceIds)) {
    await db
      .updateTable('workforce_users as u')
      .from('workforce_users as s')
      .set((eb) => ({ supervisor_id: eb.ref('s.id') }))
      .whereRef('s.source_id', '=', 'u.supervisor_source_id')
      .where('u.supervisor_id', 'is', null)
      .where((eb) => ('range' in part ? eb.between('u.supervisor_source_id', part.range[0], part.range[1]) : eb('u.supervisor_source_id', 'in', part.list)))
      .execute();
  }
}

/** Links (or unlinks) the users of these sources to the Workforce user of their wanted supervisor, where it exists. */
export async function linkSupervisors(db: Executor, sourceIds: readonly number[]): Promise<void> {
  for (const part of chunks(sourceIds)) {
    await db
      .updateTable('workforce_users as u')
      .set((eb) => ({
        supervisor_id: eb
          .selectFrom('workforce_users as s')
          .select('s.id')
          .whereRef('s.source_id', '=', 'u.supervisor_source_id')
          .limit(1),
      }))
      .where('u.source_id', 'in', part)
      .execute();
  }
}

export async function setActive(db: Executor, ids: readonly number[], active: boolean, clock: () => Date): Promise<void> {
  for (const part of chunks(ids)) {
    await db.updateTable('workforce_users').set({ active, updated_at: isoNow(clock) }).where('id', 'in', part).execute();
  }
}

export async function findByUserName(db: Executor, userName: string): Promise<UserRow | undefined> {
  return db.selectFrom('workforce_users').selectAll().where('user_name', '=', userName).executeTakeFirst();
}

/** Rows as users with their supervisor and roles, in two more queries whatever their number. */
export async function hydrate(db: Executor, rows: UserRow[]): Promise<WorkforceUser[]> {
  if (rows.length === 0) return [];
  const supervisorIds = [...new Set(rows.map((r) => r.supervisor_id).filter((id): id is number => id !== null))];
  const supervisors = supervisorIds.length
    ? await db.selectFrom('workforce_users').select(['id', 'user_name', 'active']).where('id', 'in', supervisorIds).execute()
    : [];
  const supervisorById = new Map(supervisors.map((s) => [s.id, { id: s.id, userName: s.user_name, active: toBool(s.active) }]));
  const roleRows = await db
    .selectFrom('workforce_user_roles as ur')
    .innerJoin('workforce_roles as r', 'r.id', 'ur.role_id')
    .select(['ur.user_id', 'r.name'])
    .where('ur.user_id', 'in', rows.map((r) => r.id))
    .orderBy('r.name')
    .execute();
  const rolesByUser = new Map<number, string[]>();
  for (const r of roleRows) rolesByUser.set(r.user_id, [...(rolesByUser.get(r.user_id) ?? []), r.name]);
  return rows.map((row) => toUser(row, row.supervisor_id === null ? null : (supervisorById.get(row.supervisor_id) ?? null), rolesByUser.get(row.id) ?? []));
}

function toUser(row: UserRow, supervisor: WorkforceUser['supervisor'], roles: string[]): WorkforceUser {
  return {
    id: row.id,
    sourceId: row.source_id,
    userName: row.user_name,
    firstName: row.first_name,
    lastName: row.last_name,
    nickName: row.nick_name,
    email: row.email,
    phoneNumber: row.phone_number,
    defaultCurrency: row.default_currency,
    employeeNumber: row.employee_number,
    active: toBool(row.active),
    supervisor,
    roles,
    approvalLimit: row.approval_limit_amount === null ? null : { amount: row.approval_limit_amount, currency: row.approval_limit_currency ?? '' },
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  };
}
