import type { Kysely, Selectable, Updateable } from 'kysely';
import { isoNow, toBool, type Database, type Db } from '../../db/index.ts';
import type { CoreUserTable } from '../../db/schema.ts';
import type { ListQuery } from '../../query/types.ts';
import { NotFoundError, ValidationError } from '../../shared/errors.ts';
import type { OutboxPort } from '../outbox.port.ts';
import { resolveRoles } from '../roles.service.ts';
import { clean, Problems } from '../validation.ts';
import type { Actor, User, UserInput, UserKey } from './user.types.ts';
import { checkUserFields, normalizeAuthenticationMethod } from './user-fields.ts';
import { denseRange, findUserRow, hydrateUsers, listUserRows, managerChain, setUserRoles, takenUniqueValues, userIdsPage } from './users.repo.ts';

type UserRow = Selectable<CoreUserTable>;
type Columns = Updateable<CoreUserTable>;

const uniqueLabels = { login: 'Login', email: 'Email', employeeNumber: 'Employee number', mentionName: 'Mention name' } as const;
const uniqueFields = { login: 'login', email: 'email', employeeNumber: 'employee-number', mentionName: 'mention-name' } as const;

export function createUsersService(deps: { db: Db; clock: () => Date; outbox: OutboxPort }) {
  const { kysely, adapter } = deps.db;

  /** Sync needs to hear about a user who holds the Workforce licence now or held it before the change. */
  async function recordChange(trx: Kysely<Database>, id: number, kind: 'created' | 'updated', licensed: boolean): Promise<void> {
    if (licensed) await deps.outbox.recordMany(trx, [{ entity: 'user', entityId: id, kind }]);
  }

  async function committed<T>(work: Promise<T>): Promise<T> {
    const result = await work;
    deps.outbox.committed();
    return result;
  }

  async function get(id: number, db: Kysely<Database> = kysely): Promise<User> {
    const row = await findUserRow(db, { id });
    if (!row) throw new NotFoundError('user', id);
    const [user] = await hydrateUsers(db, [row]);
    return user!;
  }

  return {
    get,

    async find(key: UserKey): Promise<User | undefined> {
      const row = await findUserRow(kysely, key);
      return row ? (await hydrateUsers(kysely, [row]))[0] : undefined;
    },

    async list(query: ListQuery): Promise<User[]> {
      return hydrateUsers(kysely, await listUserRows(kysely, adapter, query));
    },

    /** Users by id, with manager and roles, in a few queries whatever their number; unknown ids are absent. */
    async getMany(ids: readonly number[], db: Kysely<Database> = kysely): Promise<User[]> {
      if (ids.length === 0) return [];
      const range = denseRange(ids);
      const query = db.selectFrom('core_users').selectAll();
      if (!range) return hydrateUsers(db, await query.where('id', 'in', [...ids]).orderBy('id').execute());
      const wanted = new Set(ids);
      const rows = await query.where('id', '>=', range[0]).where('id', '<=', range[1]).orderBy('id').execute();
      return hydrateUsers(db, rows.filter((r) => wanted.has(r.id)));
    },

    /** Ids above `afterId` in ascending order, for reading all users in ranges (licensed ones only if asked). */
    async idsPage(afterId: number, limit: number, options: { licensedOnly?: boolean } = {}, db: Kysely<Database> = kysely): Promise<number[]> {
      return userIdsPage(db, afterId, limit, options.licensedOnly ?? false);
    },

    async create(input: UserInput, actor: Actor): Promise<User> {
      return withUniqueGuard(async () =>
        committed(kysely.transaction().execute(async (trx) => {
          const { roleIds, ...columns } = await prepareColumns(trx, normalize(input), null);
          const now = isoNow(deps.clock);
          const inserted = await trx
            .insertInto('core_users')
            .values({
              ...defaults,
              ...columns,
              created_at: now,
              updated_at: now,
              created_by: actor,
              updated_by: actor,
            } as never)
            .returning('id')
            .executeTakeFirstOrThrow();
          if (roleIds) await setUserRoles(trx, inserted.id, roleIds);
          await recordChange(trx, inserted.id, 'created', columns.ccw_user === true);
          return get(inserted.id, trx);
        })),
      );
    },

    async update(id: number, input: UserInput, actor: Actor): Promise<User> {
      return withUniqueGuard(async () =>
        committed(kysely.transaction().execute(async (trx) => {
          const existing = await findUserRow(trx, { id });
          if (!existing) throw new NotFoundError('user', id);
          const { roleIds, ...columns } = await prepareColumns(trx, normalize(input), existing);
          await trx
            .updateTable('core_users')
            .set({ ...columns, updated_at: isoNow(deps.clock), updated_by: actor })
            .where('id', '=', id)
            .execute();
          if (roleIds) await setUserRoles(trx, id, roleIds);
          await recordChange(trx, id, 'updated', toBool(existing.ccw_user) || columns.ccw_user === true);
          return get(id, trx);
        })),
      );
    },

    /** The platform's "mark exported" special action: changes only the flag. */
    async setExported(id: number, exported: boolean, actor: Actor): Promise<User> {
      const result = await kysely
        .updateTable('core_users')
        .set({ exported, updated_at: isoNow(deps.clock), updated_by: actor })
        .where('id', '=', id)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) throw new NotFoundError('user', id);
      return get(id);
    },
  };

  /** A concurrent writer may take a unique value between our check and our insert: report it the same way. */
  async function withUniqueGuard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (!adapter.isUniqueViolation(error)) throw error;
      throw new ValidationError('user', [{ field: 'login', message: 'Login, email, employee number or mention name has already been taken' }]);
    }
  }
}

export type UsersService = ReturnType<typeof createUsersService>;

const defaults = { active: true, ccw_user: false, exported: false };

function normalize(input: UserInput): UserInput {
  const out: UserInput = { ...input };
  for (const key of Object.keys(out) as Array<keyof UserInput>) {
    const value = out[key];
    if (typeof value === 'string' || value === null) (out as Record<string, unknown>)[key] = clean(value);
  }
  if (typeof out.authenticationMethod === 'string') out.authenticationMethod = normalizeAuthenticationMethod(out.authenticationMethod);
  if (out.defaultCurrency) out.defaultCurrency = out.defaultCurrency.toUpperCase();
  return out;
}

/**
 * Validates the merged state (existing row + input) with every rule of a user, resolving the manager
 * and roles, and returns the columns to write. Throws one ValidationError listing every problem.
 */
async function prepareColumns(
  db: Kysely<Database>,
  input: UserInput,
  existing: UserRow | null,
): Promise<Columns & { roleIds?: number[] }> {
  const problems = new Problems('user');
  const pick = <K extends keyof UserInput>(key: K, current: UserInput[K]): UserInput[K] => (key in input ? input[key] : current);
  const login = pick('login', existing?.login);
  const email = pick('email', existing?.email);
  const firstname = pick('firstname', existing?.firstname);
  const lastname = pick('lastname', existing?.lastname);

  checkUserFields(problems, input, { login, email, firstname, lastname });

  const taken = await takenUniqueValues(
    db,
    {
      login: 'login' in input ? (input.login ?? undefined) : undefined,
      email: 'email' in input ? (input.email ?? undefined) : undefined,
      employeeNumber: input.employeeNumber,
      mentionName: input.mentionName,
    },
    existing?.id ?? null,
  );
  for (const name of taken) problems.add(uniqueFields[name], `${uniqueLabels[name]} has already been taken`);

  const managerId = 'manager' in input ? await resolveManager(db, input.manager ?? null, existing, problems) : undefined;
  const roleIds = input.roles ? await resolveRoles(db, input.roles, problems) : undefined;
  problems.throwIfAny();

  return {
    ...textColumns(input),
    ...(managerId !== undefined ? { manager_id: managerId } : {}),
    ...(roleIds ? { roleIds } : {}),
  };
}

function textColumns(input: UserInput): Columns {
  const map: Array<[keyof UserInput, keyof Columns]> = [
    ['login', 'login'],
    ['email', 'email'],
    ['firstname', 'firstname'],
    ['lastname', 'lastname'],
    ['middlename', 'middlename'],
    ['mentionName', 'mention_name'],
    ['employeeNumber', 'employee_number'],
    ['active', 'active'],
    ['phoneWork', 'phone_work'],
    ['phoneMobile', 'phone_mobile'],
    ['defaultCurrency', 'default_currency'],
    ['defaultLocale', 'default_locale'],
    ['ccwUser', 'ccw_user'],
    ['ssoIdentifier', 'sso_identifier'],
    ['authenticationMethod', 'authentication_method'],
  ];
  const columns: Record<string, unknown> = {};
  for (const [from, to] of map) if (from in input) columns[to] = input[from] ?? null;
  if ('approvalLimit' in input) {
    columns.approval_limit_amount = input.approvalLimit?.amount ?? null;
    columns.approval_limit_currency = input.approvalLimit?.currency?.toUpperCase() ?? null;
  }
  return columns as Columns;
}

function describeKey(key: UserKey): string {
  if ('id' in key) return `id ${key.id}`;
  if ('login' in key) return `login "${key.login}"`;
  if ('employeeNumber' in key) return `employee number "${key.employeeNumber}"`;
  return `email "${key.email}"`;
}

/** The manager's id, after refusing unknown managers, self-management and cycles (naming the chain). */
async function resolveManager(
  db: Kysely<Database>,
  key: UserKey | null,
  existing: UserRow | null,
  problems: Problems,
): Promise<number | null> {
  if (key === null) return null;
  const manager = await findUserRow(db, key);
  if (!manager) {
    problems.add('manager', `Manager with ${describeKey(key)} does not exist`);
    return null;
  }
  if (existing && manager.id === existing.id) {
    problems.add('manager', `A user cannot be their own manager (${existing.login})`);
    return null;
  }
  if (existing) {
    const chain = await managerChain(db, manager.id);
    const loop = chain.findIndex((link) => link.id === existing.id);
    if (loop >= 0) {
      const names = [existing.login, ...chain.slice(0, loop + 1).map((link) => link.login)];
      problems.add('manager', `Manager ${manager.login} would create a cycle: ${names.join(' -> ')}`);
      return null;
    }
  }
  return manager.id;
}
