import type { Kysely, Selectable } from 'kysely';
import { isoNow, toBool, toDate, type Database, type Db } from '../db/index.ts';
import type { CoreRoleTable } from '../db/schema.ts';
import { applyListQuery } from '../query/compile-list-query.ts';
import type { ListQuery } from '../query/types.ts';
import { NotFoundError } from '../shared/errors.ts';
import { roleQuerySchema } from './query-schemas.ts';
import type { Actor, RoleKey } from './users/user.types.ts';
import { clean, Problems } from './validation.ts';

export interface Role {
  id: number;
  name: string;
  description: string | null;
  predefined: boolean;
  createdAt: Date;
  updatedAt: Date;
  createdBy: string | null;
  updatedBy: string | null;
}

export interface RoleInput {
  name?: string;
  description?: string | null;
}

export function createRolesService(deps: { db: Db; clock: () => Date }) {
  const { kysely, adapter } = deps.db;
  return {
    async list(query: ListQuery): Promise<Role[]> {
      const rows = await applyListQuery(kysely.selectFrom('core_roles').selectAll('core_roles'), roleQuerySchema, query, adapter).execute();
      return (rows as Array<Selectable<CoreRoleTable>>).map(toRole);
    },

    async get(id: number): Promise<Role> {
      const row = await kysely.selectFrom('core_roles').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) throw new NotFoundError('role', id);
      return toRole(row);
    },

    async create(input: RoleInput, actor: Actor): Promise<Role> {
      const name = clean(input.name);
      const description = clean(input.description) ?? null;
      const problems = new Problems('role');
      if (problems.required('name', 'Name', name)) {
        problems.length('name', 'Name', name, 100);
        const existing = await kysely.selectFrom('core_roles').select('id').where('name', '=', name).executeTakeFirst();
        if (existing) problems.add('name', `Name "${name}" has already been taken`);
      }
      problems.length('description', 'Description', description, 255);
      problems.throwIfAny();
      const now = isoNow(deps.clock);
      const row = await kysely
        .insertInto('core_roles')
        .values({ name: name!, description, predefined: false, created_at: now, updated_at: now, created_by: actor, updated_by: actor })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toRole(row);
    },
  };
}

export type RolesService = ReturnType<typeof createRolesService>;

/** Resolves role keys to ids; names that do not exist are reported, each by name. */
export async function resolveRoles(db: Kysely<Database>, keys: RoleKey[], problems: Problems, field = 'roles'): Promise<number[]> {
  const ids: number[] = [];
  for (const key of keys) {
    const row =
      'id' in key
        ? await db.selectFrom('core_roles').select('id').where('id', '=', key.id).executeTakeFirst()
        : await db.selectFrom('core_roles').select('id').where('name', '=', key.name.trim()).executeTakeFirst();
    if (row) ids.push(row.id);
    else problems.add(field, `Role ${'id' in key ? `id ${key.id}` : `"${key.name}"`} does not exist`);
  }
  return ids;
}

function toRole(row: Selectable<CoreRoleTable>): Role {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    predefined: toBool(row.predefined),
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
    createdBy: row.created_by,
    updatedBy: row.updated_by,
  };
}
