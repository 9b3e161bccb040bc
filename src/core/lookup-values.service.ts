import type { Kysely, Selectable } from 'kysely';
import { toBool, type Database, type Db } from '../db/index.ts';
import type { CoreLookupValueTable } from '../db/schema.ts';
import { applyListQuery } from '../query/compile-list-query.ts';
import type { ListQuery } from '../query/types.ts';
import { NotFoundError, ValidationError } from '../shared/errors.ts';
import { findRow as findAccountTypeRow, type AccountTypeKey, type LookupKey } from './account-types.service.ts';
import { createdColumns, presentColumns, toAudit, updatedColumns, type Audit } from './audit.ts';
import type { OutboxPort } from './outbox.port.ts';
import { lookupValueQuerySchema } from './query-schemas.ts';
import { inTransaction, slices } from './transaction.ts';
import type { Actor } from './users/user.types.ts';
import { clean, Problems } from './validation.ts';

export interface LookupValue extends Audit {
  id: number;
  name: string;
  description: string | null;
  active: boolean;
  lookup: { id: number; name: string };
  externalRefNum: string | null;
  externalRefCode: string | null;
  parent: { id: number; name: string; externalRefCode: string | null } | null;
  depth: number;
  isDefault: boolean;
  accountType: { id: number; name: string } | null;
  exported: boolean;
}

export type LookupValueKey = { id: number } | { externalRefCode: string } | { name: string };

export interface LookupValueInput {
  name?: string;
  description?: string | null;
  active?: boolean;
  lookup?: LookupKey;
  externalRefNum?: string | null;
  externalRefCode?: string | null;
  parent?: LookupValueKey | null;
  isDefault?: boolean;
  accountType?: AccountTypeKey | null;
}

/**
 * A value found within its lookup: by external ref code, else by external ref num or name under a
 * parent (given by its external ref code; null = a root value). A name is unique under its parent.
 */
export type LookupValueMatch = { lookup: LookupKey } & (
  | { externalRefCode: string }
  | { externalRefNum: string; parent: { externalRefCode: string } | null }
  | { name: string; parent: { externalRefCode: string } | null }
);

/** Which values a Full feed covers: those of the lookups present in the file. */
export interface LookupValueScope {
  lookupIds: readonly number[];
}

export interface LookupValueRef {
  lookup: string;
  name: string;
  externalRefNum: string | null;
  externalRefCode: string | null;
}

type Row = Selectable<CoreLookupValueTable>;

/** External ref codes are the path of external ref nums from the root, joined like account codes. */
export const REF_CODE_SEPARATOR = '-';

export function createLookupValuesService(deps: { db: Db; clock: () => Date; outbox: OutboxPort }) {
  const { kysely, adapter } = deps.db;

  async function get(id: number, db: Kysely<Database> = kysely): Promise<LookupValue> {
    const row = await db.selectFrom('core_lookup_values').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new NotFoundError('lookup-value', id);
    return (await hydrate(db, [row]))[0]!;
  }

  async function write(id: number | null, input: LookupValueInput, actor: Actor, db: Kysely<Database> | undefined): Promise<LookupValue> {
    try {
      return await inTransaction(kysely, db, deps.outbox, async (trx) => {
        const existing = id === null ? null : await trx.selectFrom('core_lookup_values').selectAll().where('id', '=', id).executeTakeFirst();
        if (id !== null && !existing) throw new NotFoundError('lookup-value', id);
        const columns = await prepare(trx, input, existing ?? null);
        if (columns.is_default === true) {
          await trx.updateTable('core_lookup_values').set({ is_default: false }).where('lookup_id', '=', columns.lookup_id as number).execute();
        }
        if (existing) {
          await trx.updateTable('core_lookup_values').set({ ...columns, ...updatedColumns(actor, deps.clock) }).where('id', '=', existing.id).execute();
          await deps.outbox.recordMany(trx, [{ entity: 'lookup-value', entityId: existing.id, kind: 'updated' }]);
          return get(existing.id, trx);
        }
        const { id: newId } = await trx
          .insertInto('core_lookup_values')
          .values({ active: true, is_default: false, exported: false, ...columns, ...createdColumns(actor, deps.clock) } as never)
          .returning('id')
          .executeTakeFirstOrThrow();
        await deps.outbox.recordMany(trx, [{ entity: 'lookup-value', entityId: newId, kind: 'created' }]);
        return get(newId, trx);
      });
    } catch (error) {
      if (!adapter.isUniqueViolation(error)) throw error;
      throw new ValidationError('lookup-value', [{ field: 'name', message: 'Name or external ref code has already been taken in this lookup' }]);
    }
  }

  async function activeIds(scope: LookupValueScope, db: Kysely<Database> = kysely): Promise<number[]> {
    if (scope.lookupIds.length === 0) return [];
    const rows = await db
      .selectFrom('core_lookup_values')
      .select('id')
      .where('active', '=', true)
      .where('lookup_id', 'in', [...scope.lookupIds])
      .orderBy('id')
      .execute();
    return rows.map((r) => r.id);
  }

  return {
    get,
    /** `db`: the caller's transaction (a feed's), used instead of a transaction of its own. */
    create: (input: LookupValueInput, actor: Actor, db?: Kysely<Database>) => write(null, input, actor, db),
    update: (id: number, input: LookupValueInput, actor: Actor, db?: Kysely<Database>) => write(id, input, actor, db),
    /** Ids of the active values of the scope's lookups. */
    activeIds,

    /** The value a match names; a ref num that several values under the parent share is a ValidationError. */
    async find(match: LookupValueMatch, db: Kysely<Database> = kysely): Promise<LookupValue | undefined> {
      const rows = await findRows(db, match);
      if (rows.length > 1 && 'externalRefNum' in match) {
        const message = `External ref num "${match.externalRefNum}" matches more than one value under the same parent; give the external ref code`;
        throw new ValidationError('lookup-value', [{ field: 'external-ref-num', message }]);
      }
      return rows[0] ? (await hydrate(db, [rows[0]]))[0] : undefined;
    },

    /**
     * Full feed: deactivates (never deletes) the active values of the scope's lookups not in `keepIds`,
     * recording an outbox event for each; returns their keys.
     */
    async deactivateMissing(keepIds: readonly number[], scope: LookupValueScope, actor: Actor, db?: Kysely<Database>): Promise<LookupValueRef[]> {
      return inTransaction(kysely, db, deps.outbox, async (trx) => {
        const keep = new Set(keepIds);
        const missing = (await activeIds(scope, trx)).filter((id) => !keep.has(id));
        const refs: LookupValueRef[] = [];
        for (const ids of slices(missing)) {
          await trx.updateTable('core_lookup_values').set({ active: false, ...updatedColumns(actor, deps.clock) }).where('id', 'in', ids).execute();
          await deps.outbox.recordMany(trx, ids.map((id) => ({ entity: 'lookup-value' as const, entityId: id, kind: 'updated' as const })));
          const values = await hydrate(trx, await trx.selectFrom('core_lookup_values').selectAll().where('id', 'in', ids).orderBy('id').execute());
          refs.push(...values.map((v) => ({ lookup: v.lookup.name, name: v.name, externalRefNum: v.externalRefNum, externalRefCode: v.externalRefCode })));
        }
        return refs;
      });
    },

    async list(query: ListQuery): Promise<LookupValue[]> {
      const rows = await applyListQuery(
        kysely.selectFrom('core_lookup_values').selectAll('core_lookup_values'),
        lookupValueQuerySchema,
        query,
        adapter,
      ).execute();
      return hydrate(kysely, rows as Row[]);
    },

    /** Values of a lookup above `afterId`, ascending by id, for copying a lookup in pages. */
    async pageOfLookup(lookupId: number, afterId: number, limit: number, db: Kysely<Database> = kysely): Promise<LookupValue[]> {
      const rows = await db
        .selectFrom('core_lookup_values')
        .selectAll()
        .where('lookup_id', '=', lookupId)
        .where('id', '>', afterId)
        .orderBy('id')
        .limit(limit)
        .execute();
      return hydrate(db, rows);
    },

    async setExported(id: number, exported: boolean, actor: Actor): Promise<LookupValue> {
      await get(id);
      await kysely.updateTable('core_lookup_values').set({ exported, ...updatedColumns(actor, deps.clock) }).where('id', '=', id).execute();
      return get(id);
    },
  };
}

export type LookupValuesService = ReturnType<typeof createLookupValuesService>;

async function findRows(db: Kysely<Database>, match: LookupValueMatch): Promise<Row[]> {
  const lookup = await resolveLookup(db, match.lookup, null, new Problems('lookup-value'));
  if (!lookup) return [];
  let query = db.selectFrom('core_lookup_values').selectAll().where('lookup_id', '=', lookup.id);
  if ('externalRefCode' in match) return query.where('external_ref_code', '=', match.externalRefCode).execute();
  if (match.parent === null) query = query.where('parent_id', 'is', null);
  else {
    const parent = await db
      .selectFrom('core_lookup_values')
      .select('id')
      .where('lookup_id', '=', lookup.id)
      .where('external_ref_code', '=', match.parent.externalRefCode)
      .executeTakeFirst();
    if (!parent) return [];
    query = query.where('parent_id', '=', parent.id);
  }
  query = 'externalRefNum' in match ? query.where('external_ref_num', '=', match.externalRefNum) : query.where('name', '=', match.name);
  return query.orderBy('id').limit(2).execute();
}

async function prepare(db: Kysely<Database>, input: LookupValueInput, existing: Row | null): Promise<Record<string, unknown>> {
  const problems = new Problems('lookup-value');
  const lookup = await resolveLookup(db, input.lookup, existing, problems);
  const name = 'name' in input ? (clean(input.name) ?? '') : existing?.name;
  if (problems.required('name', 'Name', name)) problems.length('name', 'Name', name, 255);
  const description = 'description' in input ? (clean(input.description) ?? null) : undefined;
  problems.length('description', 'Description', description, 255);
  const refNum = 'externalRefNum' in input ? (clean(input.externalRefNum) ?? null) : (existing?.external_ref_num ?? null);
  problems.length('external-ref-num', 'External ref num', refNum, 255);

  const parent = lookup ? await resolveParent(db, input, existing, lookup.id, problems) : undefined;
  const parentId = parent === undefined ? (existing?.parent_id ?? null) : (parent?.id ?? null);
  const depth = parent === undefined ? (existing?.depth ?? 1) : parent ? parent.depth + 1 : 1;
  const givenCode = 'externalRefCode' in input ? (clean(input.externalRefCode) ?? null) : undefined;
  const refCode =
    givenCode !== undefined
      ? givenCode
      : refNum === null
        ? (existing?.external_ref_code ?? null)
        : parent?.external_ref_code
          ? `${parent.external_ref_code}${REF_CODE_SEPARATOR}${refNum}`
          : refNum;
  problems.length('external-ref-code', 'External ref code', refCode, 2000);

  if (lookup && name) await checkUnique(db, { lookupId: lookup.id, parentId, name, refCode, exceptId: existing?.id ?? null }, problems);
  const accountTypeId = await resolveAccountType(db, input.accountType, problems);
  problems.throwIfAny();
  return {
    ...presentColumns({ ...input, description }, [
      ['description', 'description'],
      ['active', 'active'],
      ['isDefault', 'is_default'],
    ]),
    lookup_id: lookup!.id,
    name,
    external_ref_num: refNum,
    external_ref_code: refCode,
    parent_id: parentId,
    depth,
    ...(accountTypeId !== undefined ? { account_type_id: accountTypeId } : {}),
  };
}

async function resolveLookup(db: Kysely<Database>, key: LookupKey | undefined, existing: Row | null, problems: Problems) {
  if (!key && existing) return { id: existing.lookup_id };
  if (!key) {
    problems.add('lookup', "Lookup can't be blank");
    return undefined;
  }
  const query = db.selectFrom('core_lookups').select(['id', 'name']);
  const row = await ('id' in key ? query.where('id', '=', key.id) : query.where('name', '=', key.name.trim())).executeTakeFirst();
  if (!row) problems.add('lookup', `Lookup ${'id' in key ? `id ${key.id}` : `"${key.name}"`} does not exist`);
  return row;
}

/** undefined = parent not given; null = a root value. Refuses parents in other lookups and moves of values with children. */
async function resolveParent(db: Kysely<Database>, input: LookupValueInput, existing: Row | null, lookupId: number, problems: Problems) {
  if (!('parent' in input)) return undefined;
  if (!input.parent) return null;
  const key = input.parent;
  let query = db.selectFrom('core_lookup_values').selectAll().where('lookup_id', '=', lookupId);
  if ('id' in key) query = query.where('id', '=', key.id);
  else if ('externalRefCode' in key) query = query.where('external_ref_code', '=', key.externalRefCode);
  else query = query.where('name', '=', key.name);
  const parent = await query.executeTakeFirst();
  const label = 'id' in key ? `id ${key.id}` : 'externalRefCode' in key ? `external ref code "${key.externalRefCode}"` : `"${key.name}"`;
  if (!parent) {
    problems.add('parent', `Parent lookup value ${label} does not exist in this lookup`);
    return null;
  }
  if (existing && parent.id === existing.id) problems.add('parent', 'A lookup value cannot be its own parent');
  if (existing && parent.id !== existing.parent_id) {
    const child = await db.selectFrom('core_lookup_values').select('name').where('parent_id', '=', existing.id).executeTakeFirst();
    if (child) problems.add('parent', `"${existing.name}" has child values (e.g. "${child.name}"); move them before moving it`);
  }
  return parent;
}

async function checkUnique(
  db: Kysely<Database>,
  v: { lookupId: number; parentId: number | null; name: string; refCode: string | null; exceptId: number | null },
  problems: Problems,
): Promise<void> {
  let sameName = db.selectFrom('core_lookup_values').select('id').where('lookup_id', '=', v.lookupId).where('name', '=', v.name);
  sameName = v.parentId === null ? sameName.where('parent_id', 'is', null) : sameName.where('parent_id', '=', v.parentId);
  const byName = await sameName.executeTakeFirst();
  if (byName && byName.id !== v.exceptId) problems.add('name', `Name "${v.name}" has already been taken under the same parent`);
  if (v.refCode === null) return;
  const byCode = await db
    .selectFrom('core_lookup_values')
    .select('id')
    .where('lookup_id', '=', v.lookupId)
    .where('external_ref_code', '=', v.refCode)
    .executeTakeFirst();
  if (byCode && byCode.id !== v.exceptId) problems.add('external-ref-code', `External ref code "${v.refCode}" has already been taken`);
}

async function resolveAccountType(db: Kysely<Database>, key: AccountTypeKey | null | undefined, problems: Problems) {
  if (key === undefined) return undefined;
  if (key === null) return null;
  const row = await findAccountTypeRow(db, key);
  if (!row) problems.add('account-type', `Chart of accounts ${'id' in key ? `id ${key.id}` : `"${key.name}"`} does not exist`);
  return row?.id ?? null;
}

async function hydrate(db: Kysely<Database>, rows: Row[]): Promise<LookupValue[]> {
  if (rows.length === 0) return [];
  const unique = (ids: Array<number | null>) => [...new Set(ids.filter((id): id is number => id !== null))];
  const lookupIds = unique(rows.map((r) => r.lookup_id));
  const parentIds = unique(rows.map((r) => r.parent_id));
  const chartIds = unique(rows.map((r) => r.account_type_id));
  const lookups = await db.selectFrom('core_lookups').select(['id', 'name']).where('id', 'in', lookupIds).execute();
  const parents = parentIds.length
    ? await db.selectFrom('core_lookup_values').select(['id', 'name', 'external_ref_code']).where('id', 'in', parentIds).execute()
    : [];
  const charts = chartIds.length ? await db.selectFrom('core_account_types').select(['id', 'name']).where('id', 'in', chartIds).execute() : [];
  const byId = <T extends { id: number }>(list: T[]) => new Map(list.map((x) => [x.id, x]));
  const lookupById = byId(lookups);
  const parentById = byId(parents);
  const chartById = byId(charts);
  return rows.map((row) => {
    const parent = row.parent_id === null ? undefined : parentById.get(row.parent_id);
    return {
      id: row.id,
      name: row.name,
      description: row.description,
      active: toBool(row.active),
      lookup: lookupById.get(row.lookup_id) ?? { id: row.lookup_id, name: '' },
      externalRefNum: row.external_ref_num,
      externalRefCode: row.external_ref_code,
      parent: parent ? { id: parent.id, name: parent.name, externalRefCode: parent.external_ref_code } : null,
      depth: row.depth,
      isDefault: toBool(row.is_default),
      accountType: row.account_type_id === null ? null : (chartById.get(row.account_type_id) ?? null),
      exported: toBool(row.exported),
      ...toAudit(row),
    };
  });
}
