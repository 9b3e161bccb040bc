import type { Kysely, Selectable } from 'kysely';
import { toBool, type Database, type Db } from '../db/index.ts';
import type { CoreAccountTypeSegmentTable, CoreAccountTypeTable } from '../db/schema.ts';
import { applyListQuery } from '../query/compile-list-query.ts';
import type { ListQuery } from '../query/types.ts';
import { NotFoundError } from '../shared/errors.ts';
import { createdColumns, presentColumns, toAudit, updatedColumns, type Audit } from './audit.ts';
import type { OutboxPort } from './outbox.port.ts';
import { inTransaction, slices } from './transaction.ts';
import { accountTypeQuerySchema } from './query-schemas.ts';
import type { Actor } from './users/user.types.ts';
import { clean, Problems } from './validation.ts';

export const MAX_SEGMENTS = 20;

export interface SegmentDefinition {
  position: number;
  fieldTypeCode: string | null;
  fieldTypeName: string;
  lookup: { id: number; name: string } | null;
}

export interface AccountType extends Audit {
  id: number;
  name: string;
  active: boolean;
  currency: string;
  segments: SegmentDefinition[];
  exported: boolean;
}

export type AccountTypeKey = { id: number } | { name: string };
export type LookupKey = { id: number } | { name: string };

export interface SegmentInput {
  position?: number;
  fieldTypeCode?: string | null;
  fieldTypeName?: string;
  lookup?: LookupKey | null;
}

export interface AccountTypeInput {
  name?: string;
  active?: boolean;
  currency?: string;
  segments?: SegmentInput[];
}

type Row = Selectable<CoreAccountTypeTable>;

export function createAccountTypesService(deps: { db: Db; clock: () => Date; outbox: OutboxPort }) {
  const { kysely, adapter } = deps.db;

  async function get(id: number, db: Kysely<Database> = kysely): Promise<AccountType> {
    const row = await db.selectFrom('core_account_types').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new NotFoundError('account-type', id);
    return (await hydrate(db, [row]))[0]!;
  }

  /** `db`: the caller's transaction (a feed's), used instead of a transaction of its own. */
  async function create(input: AccountTypeInput, actor: Actor, db?: Kysely<Database>): Promise<AccountType> {
    return inTransaction(kysely, db, deps.outbox, async (trx) => {
      const { columns, segments } = await prepare(trx, input, null);
      const { id } = await trx
        .insertInto('core_account_types')
        .values({ active: true, exported: false, ...columns, ...createdColumns(actor, deps.clock) } as never)
        .returning('id')
        .executeTakeFirstOrThrow();
      await writeSegments(trx, id, segments ?? []);
      await deps.outbox.recordMany(trx, [{ entity: 'account-type', entityId: id, kind: 'created' }]);
      return get(id, trx);
    });
  }

  /** Ids of the active charts of accounts (a Full feed's scope is all of them). */
  async function activeIds(_scope: 'all', db: Kysely<Database> = kysely): Promise<number[]> {
    const rows = await db.selectFrom('core_account_types').select('id').where('active', '=', true).orderBy('id').execute();
    return rows.map((r) => r.id);
  }

  return {
    get,
    create,
    activeIds,

    async find(key: AccountTypeKey, db: Kysely<Database> = kysely): Promise<AccountType | undefined> {
      const row = await findRow(db, key);
      return row ? (await hydrate(db, [row]))[0] : undefined;
    },

    /**
     * Full feed: deactivates (never deletes) the active charts of accounts not in `keepIds`, recording an
     * outbox event for each; returns their names.
     */
    async deactivateMissing(keepIds: readonly number[], scope: 'all', actor: Actor, db?: Kysely<Database>): Promise<string[]> {
      return inTransaction(kysely, db, deps.outbox, async (trx) => {
        const keep = new Set(keepIds);
        const missing = (await activeIds(scope, trx)).filter((id) => !keep.has(id));
        const names: string[] = [];
        for (const ids of slices(missing)) {
          await trx.updateTable('core_account_types').set({ active: false, ...updatedColumns(actor, deps.clock) }).where('id', 'in', ids).execute();
          await deps.outbox.recordMany(trx, ids.map((id) => ({ entity: 'account-type' as const, entityId: id, kind: 'updated' as const })));
          const rows = await trx.selectFrom('core_account_types').select('name').where('id', 'in', ids).orderBy('id').execute();
          names.push(...rows.map((r) => r.name));
        }
        return names;
      });
    },

    async list(query: ListQuery): Promise<AccountType[]> {
      const rows = await applyListQuery(
        kysely.selectFrom('core_account_types').selectAll('core_account_types'),
        accountTypeQuerySchema,
        query,
        adapter,
      ).execute();
      return hydrate(kysely, rows as Row[]);
    },

    async update(id: number, input: AccountTypeInput, actor: Actor, db?: Kysely<Database>): Promise<AccountType> {
      return inTransaction(kysely, db, deps.outbox, async (trx) => {
        const existing = await trx.selectFrom('core_account_types').selectAll().where('id', '=', id).executeTakeFirst();
        if (!existing) throw new NotFoundError('account-type', id);
        const { columns, segments } = await prepare(trx, input, existing);
        await trx
          .updateTable('core_account_types')
          .set({ ...columns, ...updatedColumns(actor, deps.clock) })
          .where('id', '=', id)
          .execute();
        if (segments) await writeSegments(trx, id, segments);
        await deps.outbox.recordMany(trx, [{ entity: 'account-type', entityId: id, kind: 'updated' }]);
        return get(id, trx);
      });
    },

    /** Clones a chart of accounts' definition (not its accounts) under a new name. */
    async copy(id: number, name: string | undefined, actor: Actor): Promise<AccountType> {
      const source = await get(id);
      const newName = clean(name) ?? (await freeCopyName(kysely, source.name));
      return create(
        {
          name: newName,
          active: source.active,
          currency: source.currency,
          segments: source.segments.map((s) => ({
            position: s.position,
            fieldTypeCode: s.fieldTypeCode,
            fieldTypeName: s.fieldTypeName,
            lookup: s.lookup ? { id: s.lookup.id } : null,
          })),
        },
        actor,
      );
    },

    async setExported(id: number, exported: boolean, actor: Actor): Promise<AccountType> {
      await get(id);
      await kysely.updateTable('core_account_types').set({ exported, ...updatedColumns(actor, deps.clock) }).where('id', '=', id).execute();
      return get(id);
    },
  };
}

export type AccountTypesService = ReturnType<typeof createAccountTypesService>;

export async function findRow(db: Kysely<Database>, key: AccountTypeKey): Promise<Row | undefined> {
  const query = db.selectFrom('core_account_types').selectAll();
  return ('id' in key ? query.where('id', '=', key.id) : query.where('name', '=', key.name.trim())).executeTakeFirst();
}

async function freeCopyName(db: Kysely<Database>, name: string): Promise<string> {
  for (let n = 1; n < 1000; n++) {
    const candidate = `${n === 1 ? 'Copy of' : `Copy ${n} of`} ${name}`.slice(0, 50);
    if (!(await findRow(db, { name: candidate }))) return candidate;
  }
  return `Copy ${Date.now()}`;
}

async function prepare(db: Kysely<Database>, raw: AccountTypeInput, existing: Row | null) {
  // Only the fields given: an update without name or currency keeps them (a blank one is an error).
  const input: AccountTypeInput = { ...raw };
  if ('name' in raw) input.name = clean(raw.name) ?? '';
  if ('currency' in raw) input.currency = clean(raw.currency)?.toUpperCase() ?? '';
  const problems = new Problems('account-type');
  const name = 'name' in raw ? input.name : existing?.name;
  const currency = 'currency' in raw ? input.currency : existing?.currency;
  if (problems.required('name', 'Name', name)) {
    problems.length('name', 'Name', name, 50);
    const other = await findRow(db, { name: name! });
    if (other && other.id !== existing?.id) problems.add('name', `Name "${name}" has already been taken`);
  }
  if (problems.required('currency', 'Currency', currency)) problems.currency('currency', 'Currency', currency);
  const segments = raw.segments ? await prepareSegments(db, raw.segments, problems) : undefined;
  if (segments && existing) await refuseDroppingUsedSegments(db, existing.id, segments.length, problems);
  problems.throwIfAny();
  const columns = presentColumns(input, [
    ['name', 'name'],
    ['active', 'active'],
    ['currency', 'currency'],
  ]);
  return { columns, segments };
}

type PreparedSegment = Omit<Selectable<CoreAccountTypeSegmentTable>, 'account_type_id'>;

async function prepareSegments(db: Kysely<Database>, segments: SegmentInput[], problems: Problems): Promise<PreparedSegment[]> {
  if (segments.length > MAX_SEGMENTS) problems.add('segments', `A chart of accounts has at most ${MAX_SEGMENTS} segments (got ${segments.length})`);
  const sorted = segments.map((s, i) => ({ ...s, position: s.position ?? i + 1 })).sort((a, b) => a.position - b.position);
  const prepared: PreparedSegment[] = [];
  for (const [index, segment] of sorted.entries()) {
    const label = `Segment ${segment.position}`;
    if (segment.position !== index + 1) {
      problems.add('segments', `Segments must be numbered 1..${sorted.length} without gaps; found segment ${segment.position} where ${index + 1} belongs`);
      break;
    }
    const fieldTypeName = clean(segment.fieldTypeName);
    const fieldTypeCode = clean(segment.fieldTypeCode) ?? null;
    if (problems.required('segments', `${label} field type name`, fieldTypeName)) {
      problems.length('segments', `${label} field type name`, fieldTypeName, 50);
    }
    problems.length('segments', `${label} field type code`, fieldTypeCode, 8);
    const lookupId = segment.lookup ? await resolveLookup(db, segment.lookup, label, problems) : null;
    prepared.push({ position: segment.position, field_type_code: fieldTypeCode, field_type_name: fieldTypeName ?? '', lookup_id: lookupId });
  }
  return prepared;
}

async function resolveLookup(db: Kysely<Database>, key: LookupKey, label: string, problems: Problems): Promise<number | null> {
  const query = db.selectFrom('core_lookups').select('id');
  const row = await ('id' in key ? query.where('id', '=', key.id) : query.where('name', '=', key.name)).executeTakeFirst();
  if (!row) problems.add('segments', `${label} lookup ${'id' in key ? `id ${key.id}` : `"${key.name}"`} does not exist`);
  return row?.id ?? null;
}

async function refuseDroppingUsedSegments(db: Kysely<Database>, id: number, count: number, problems: Problems): Promise<void> {
  if (count >= MAX_SEGMENTS) return;
  const column = `segment_${count + 1}` as 'segment_1';
  const used = await db
    .selectFrom('core_accounts')
    .select('code')
    .where('account_type_id', '=', id)
    .where(column, 'is not', null)
    .executeTakeFirst();
  if (used) problems.add('segments', `Segment ${count + 1} cannot be removed: account ${used.code} uses it`);
}

async function writeSegments(db: Kysely<Database>, id: number, segments: PreparedSegment[]): Promise<void> {
  await db.deleteFrom('core_account_type_segments').where('account_type_id', '=', id).execute();
  if (segments.length) {
    await db
      .insertInto('core_account_type_segments')
      .values(segments.map((s) => ({ ...s, account_type_id: id })))
      .execute();
  }
}

async function hydrate(db: Kysely<Database>, rows: Row[]): Promise<AccountType[]> {
  if (rows.length === 0) return [];
  const segmentRows = await db
    .selectFrom('core_account_type_segments as s')
    .leftJoin('core_lookups as l', 'l.id', 's.lookup_id')
    .select(['s.account_type_id', 's.position', 's.field_type_code', 's.field_type_name', 's.lookup_id', 'l.name as lookup_name'])
    .where(
      's.account_type_id',
      'in',
      rows.map((r) => r.id),
    )
    .orderBy('s.position')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    active: toBool(row.active),
    currency: row.currency,
    exported: toBool(row.exported),
    segments: segmentRows
      .filter((s) => s.account_type_id === row.id)
      .map((s) => ({
        position: s.position,
        fieldTypeCode: s.field_type_code,
        fieldTypeName: s.field_type_name,
        lookup: s.lookup_id === null ? null : { id: s.lookup_id, name: s.lookup_name ?? '' },
      })),
    ...toAudit(row),
  }));
}
