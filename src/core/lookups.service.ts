import type { Kysely, Selectable } from 'kysely';
import { toBool, type Database, type Db } from '../db/index.ts';
import type { CoreLookupTable } from '../db/schema.ts';
import { applyListQuery } from '../query/compile-list-query.ts';
import type { ListQuery } from '../query/types.ts';
import { NotFoundError } from '../shared/errors.ts';
import type { LookupKey } from './account-types.service.ts';
import { createdColumns, presentColumns, toAudit, updatedColumns, type Audit } from './audit.ts';
import { lookupQuerySchema } from './query-schemas.ts';
import { inTransaction, slices } from './transaction.ts';
import type { Actor } from './users/user.types.ts';
import { clean, Problems } from './validation.ts';

export const MAX_LOOKUP_LEVELS = 10;

export interface Lookup extends Audit {
  id: number;
  name: string;
  description: string | null;
  active: boolean;
  /** Names of the hierarchy's levels, index 0 = level 1. */
  levelNames: string[];
  exported: boolean;
}

export interface LookupInput {
  name?: string;
  description?: string | null;
  active?: boolean;
  levelNames?: string[];
}

type Row = Selectable<CoreLookupTable>;

export function createLookupsService(deps: { db: Db; clock: () => Date }) {
  const { kysely, adapter } = deps.db;

  async function get(id: number, db: Kysely<Database> = kysely): Promise<Lookup> {
    const row = await db.selectFrom('core_lookups').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new NotFoundError('lookup', id);
    return toLookup(row);
  }

  async function prepare(db: Kysely<Database>, input: LookupInput, existing: Row | null): Promise<Record<string, unknown>> {
    const problems = new Problems('lookup');
    const name = 'name' in input ? (clean(input.name) ?? '') : existing?.name;
    if (problems.required('name', 'Name', name)) {
      problems.length('name', 'Name', name, 100);
      const other = await db.selectFrom('core_lookups').select('id').where('name', '=', name!).executeTakeFirst();
      if (other && other.id !== existing?.id) problems.add('name', `Name "${name}" has already been taken`);
    }
    const description = 'description' in input ? (clean(input.description) ?? null) : undefined;
    problems.length('description', 'Description', description, 255);
    const levelNames = input.levelNames?.map((l) => clean(l) ?? '');
    if (levelNames) {
      if (levelNames.length > MAX_LOOKUP_LEVELS) problems.add('level-names', `A lookup has at most ${MAX_LOOKUP_LEVELS} levels`);
      levelNames.forEach((level, i) => problems.length('level-names', `Level ${i + 1} name`, level, 100));
    }
    problems.throwIfAny();
    return {
      ...presentColumns({ ...input, name, description }, [
        ['name', 'name'],
        ['description', 'description'],
        ['active', 'active'],
      ]),
      ...(levelNames ? { level_names: JSON.stringify(levelNames) } : {}),
    };
  }

  /** Ids of the active lookups (a Full feed's scope is all of them). */
  async function activeIds(_scope: 'all', db: Kysely<Database> = kysely): Promise<number[]> {
    const rows = await db.selectFrom('core_lookups').select('id').where('active', '=', true).orderBy('id').execute();
    return rows.map((r) => r.id);
  }

  return {
    get: (id: number) => get(id),
    activeIds,

    async find(key: LookupKey, db: Kysely<Database> = kysely): Promise<Lookup | undefined> {
      const query = db.selectFrom('core_lookups').selectAll();
      const row = await ('id' in key ? query.where('id', '=', key.id) : query.where('name', '=', key.name)).executeTakeFirst();
      return row ? toLookup(row) : undefined;
    },

    async list(query: ListQuery): Promise<Lookup[]> {
      const rows = await applyListQuery(kysely.selectFrom('core_lookups').selectAll('core_lookups'), lookupQuerySchema, query, adapter).execute();
      return (rows as Row[]).map(toLookup);
    },

    /** `db`: the caller's transaction (a feed's), used instead of a transaction of its own. */
    async create(input: LookupInput, actor: Actor, db?: Kysely<Database>): Promise<Lookup> {
      return inTransaction(kysely, db, undefined, async (trx) => {
        const columns = await prepare(trx, input, null);
        const { id } = await trx
          .insertInto('core_lookups')
          .values({ active: true, exported: false, level_names: '[]', ...columns, ...createdColumns(actor, deps.clock) } as never)
          .returning('id')
          .executeTakeFirstOrThrow();
        return get(id, trx);
      });
    },

    async update(id: number, input: LookupInput, actor: Actor, db?: Kysely<Database>): Promise<Lookup> {
      return inTransaction(kysely, db, undefined, async (trx) => {
        const existing = await trx.selectFrom('core_lookups').selectAll().where('id', '=', id).executeTakeFirst();
        if (!existing) throw new NotFoundError('lookup', id);
        const columns = await prepare(trx, input, existing);
        await trx
          .updateTable('core_lookups')
          .set({ ...columns, ...updatedColumns(actor, deps.clock) })
          .where('id', '=', id)
          .execute();
        return get(id, trx);
      });
    },

    /**
     * Full feed: deactivates (never deletes) the active lookups not in `keepIds`; returns their names.
     * Lookups are not synchronized, so no outbox event is recorded (as for their other changes).
     */
    async deactivateMissing(keepIds: readonly number[], scope: 'all', actor: Actor, db?: Kysely<Database>): Promise<string[]> {
      return inTransaction(kysely, db, undefined, async (trx) => {
        const keep = new Set(keepIds);
        const missing = (await activeIds(scope, trx)).filter((id) => !keep.has(id));
        const names: string[] = [];
        for (const ids of slices(missing)) {
          await trx.updateTable('core_lookups').set({ active: false, ...updatedColumns(actor, deps.clock) }).where('id', 'in', ids).execute();
          const rows = await trx.selectFrom('core_lookups').select('name').where('id', 'in', ids).orderBy('id').execute();
          names.push(...rows.map((r) => r.name));
        }
        return names;
      });
    },

    async setExported(id: number, exported: boolean, actor: Actor): Promise<Lookup> {
      await get(id);
      await kysely.updateTable('core_lookups').set({ exported, ...updatedColumns(actor, deps.clock) }).where('id', '=', id).execute();
      return get(id);
    },
  };
}

export type LookupsService = ReturnType<typeof createLookupsService>;

function toLookup(row: Row): Lookup {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    active: toBool(row.active),
    levelNames: JSON.parse(row.level_names) as string[],
    exported: toBool(row.exported),
    ...toAudit(row),
  };
}
