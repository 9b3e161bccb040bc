import { sql, type Kysely, type Selectable } from 'kysely';
import { toBool, type Database, type Db } from '../db/index.ts';
import type { CoreAccountTable, SegmentColumns } from '../db/schema.ts';
import { applyListQuery } from '../query/compile-list-query.ts';
import type { ListQuery } from '../query/types.ts';
import { NotFoundError, ValidationError } from '../shared/errors.ts';
import { findRow as findAccountTypeRow, MAX_SEGMENTS, type AccountTypeKey } from './account-types.service.ts';
import { createdColumns, presentColumns, toAudit, updatedColumns, type Audit } from './audit.ts';
import type { OutboxPort } from './outbox.port.ts';
import { inTransaction, slices } from './transaction.ts';
import { accountQuerySchema } from './query-schemas.ts';
import type { Actor } from './users/user.types.ts';
import { clean, Problems } from './validation.ts';

export interface Account extends Audit {
  id: number;
  name: string | null;
  code: string;
  active: boolean;
  accountType: { id: number; name: string };
  /** segments[0] is segment 1; trailing unused segments are absent. */
  segments: string[];
  exported: boolean;
}

export interface AccountInput {
  name?: string | null;
  active?: boolean;
  accountType?: AccountTypeKey;
  /** Index 0 = segment 1. null/empty = unused. */
  segments?: Array<string | null | undefined>;
}

/** A value of one segment position in a chart's accounts; `active` when some active account uses it. */
export interface SegmentValueUsage {
  value: string;
  active: boolean;
}

/** Two adjacent segment values (position p and p + 1) that some active account combines. */
export interface SegmentPair {
  parent: string;
  child: string;
}

type Row = Selectable<CoreAccountTable>;
const segmentColumns = Array.from({ length: MAX_SEGMENTS }, (_, i) => `segment_${i + 1}` as keyof SegmentColumns);

export function accountCode(segments: string[]): string {
  return segments.join('-');
}

/** An account by its identity: its chart of accounts and its code (the segments joined with `-`). */
export interface AccountKey {
  accountType: AccountTypeKey;
  code: string;
}

/** Which accounts a Full feed covers: those of the charts of accounts present in the file. */
export interface AccountScope {
  accountTypeIds: readonly number[];
}

export function createAccountsService(deps: { db: Db; clock: () => Date; outbox: OutboxPort }) {
  const { kysely, adapter } = deps.db;

  async function activeIds(scope: AccountScope, db: Kysely<Database> = kysely): Promise<number[]> {
    if (scope.accountTypeIds.length === 0) return [];
    const rows = await db
      .selectFrom('core_accounts')
      .select('id')
      .where('active', '=', true)
      .where('account_type_id', 'in', [...scope.accountTypeIds])
      .orderBy('id')
      .execute();
    return rows.map((r) => r.id);
  }

  async function get(id: number, db: Kysely<Database> = kysely): Promise<Account> {
    const row = await db.selectFrom('core_accounts').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new NotFoundError('account', id);
    return (await hydrate(db, [row]))[0]!;
  }

  return {
    get,
    /** Ids of the active accounts in the scope's charts of accounts. */
    activeIds,

    async find(key: AccountKey, db: Kysely<Database> = kysely): Promise<Account | undefined> {
      const chart = await findAccountTypeRow(db, key.accountType);
      if (!chart) return undefined;
      const row = await db.selectFrom('core_accounts').selectAll().where('account_type_id', '=', chart.id).where('code', '=', key.code).executeTakeFirst();
      return row ? (await hydrate(db, [row]))[0] : undefined;
    },

    /**
     * Full feed: deactivates (never deletes) the active accounts of the scope's charts not in `keepIds`,
     * recording an outbox event for each; returns their keys.
     */
    async deactivateMissing(keepIds: readonly number[], scope: AccountScope, actor: Actor, db?: Kysely<Database>): Promise<Array<{ accountType: string; code: string }>> {
      return inTransaction(kysely, db, deps.outbox, async (trx) => {
        const keep = new Set(keepIds);
        const missing = (await activeIds(scope, trx)).filter((id) => !keep.has(id));
        const keys: Array<{ accountType: string; code: string }> = [];
        for (const ids of slices(missing)) {
          const rows = await trx.selectFrom('core_accounts').selectAll().where('id', 'in', ids).orderBy('id').execute();
          await trx.updateTable('core_accounts').set({ active: false, ...updatedColumns(actor, deps.clock) }).where('id', 'in', ids).execute();
          await deps.outbox.recordMany(trx, rows.map((row) => ({ entity: 'account', entityId: row.id, kind: 'updated', detail: { previous: previousOf(row) } })));
          const accounts = await hydrate(trx, rows);
          keys.push(...accounts.map((a) => ({ accountType: a.accountType.name, code: a.code })));
        }
        return keys;
      });
    },

    async list(query: ListQuery): Promise<Account[]> {
      const rows = await applyListQuery(kysely.selectFrom('core_accounts').selectAll('core_accounts'), accountQuerySchema, query, adapter).execute();
      return hydrate(kysely, rows as Row[]);
    },

    /** `db`: the caller's transaction (a feed's), used instead of a transaction of its own. */
    async create(input: AccountInput, actor: Actor, db?: Kysely<Database>): Promise<Account> {
      return guardUnique(adapter, () =>
        inTransaction(kysely, db, deps.outbox, async (trx) => {
          const columns = await prepare(trx, input, null);
          const { id } = await trx
            .insertInto('core_accounts')
            .values({ active: true, exported: false, ...columns, ...createdColumns(actor, deps.clock) } as never)
            .returning('id')
            .executeTakeFirstOrThrow();
          await deps.outbox.recordMany(trx, [{ entity: 'account', entityId: id, kind: 'created' }]);
          return get(id, trx);
        }),
      );
    },

    async update(id: number, input: AccountInput, actor: Actor, db?: Kysely<Database>): Promise<Account> {
      return guardUnique(adapter, () =>
        inTransaction(kysely, db, deps.outbox, async (trx) => {
          const existing = await trx.selectFrom('core_accounts').selectAll().where('id', '=', id).executeTakeFirst();
          if (!existing) throw new NotFoundError('account', id);
          const columns = await prepare(trx, input, existing);
          await trx
            .updateTable('core_accounts')
            .set({ ...columns, ...updatedColumns(actor, deps.clock) })
            .where('id', '=', id)
            .execute();
          await deps.outbox.recordMany(trx, [{ entity: 'account', entityId: id, kind: 'updated', detail: { previous: previousOf(existing) } }]);
          return get(id, trx);
        }),
      );
    },

    /** The distinct values at segment `position` in a chart's accounts (only those listed, if `only` is given). */
    async segmentValues(chartId: number, position: number, only?: readonly string[], db: Kysely<Database> = kysely): Promise<SegmentValueUsage[]> {
      if (only && only.length === 0) return [];
      const column = segmentColumn(position);
      let query = db
        .selectFrom('core_accounts')
        .select([sql<string>`${sql.ref(column)}`.as('value'), sql<number>`max(case when active then 1 else 0 end)`.as('used')])
        .where('account_type_id', '=', chartId)
        .where(column, 'is not', null);
      if (only) query = query.where(column, 'in', [...only]);
      const rows = await query.groupBy(column).orderBy(column).execute();
      return rows.map((r) => ({ value: r.value, active: Number(r.used) === 1 }));
    },

    /** The (position, position + 1) value pairs of a chart's active accounts (only under the given parents, if given). */
    async segmentPairs(chartId: number, position: number, parents?: readonly string[], db: Kysely<Database> = kysely): Promise<SegmentPair[]> {
      if (parents && parents.length === 0) return [];
      const parent = segmentColumn(position);
      const child = segmentColumn(position + 1);
      let query = db
        .selectFrom('core_accounts')
        .select([sql<string>`${sql.ref(parent)}`.as('parent'), sql<string>`${sql.ref(child)}`.as('child')])
        .distinct()
        .where('account_type_id', '=', chartId)
        .where('active', '=', true)
        .where(parent, 'is not', null)
        .where(child, 'is not', null);
      if (parents) query = query.where(parent, 'in', [...parents]);
      return query.execute();
    },

    async getMany(ids: readonly number[], db: Kysely<Database> = kysely): Promise<Account[]> {
      if (ids.length === 0) return [];
      return hydrate(db, await db.selectFrom('core_accounts').selectAll().where('id', 'in', [...ids]).execute());
    },

    async setExported(id: number, exported: boolean, actor: Actor): Promise<Account> {
      await get(id);
      await kysely.updateTable('core_accounts').set({ exported, ...updatedColumns(actor, deps.clock) }).where('id', '=', id).execute();
      return get(id);
    },
  };
}

export type AccountsService = ReturnType<typeof createAccountsService>;

function segmentColumn(position: number): keyof SegmentColumns {
  if (!Number.isInteger(position) || position < 1 || position > MAX_SEGMENTS) throw new Error(`no segment ${position}`);
  return `segment_${position}` as keyof SegmentColumns;
}

async function guardUnique<T>(adapter: Db['adapter'], work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!adapter.isUniqueViolation(error)) throw error;
    throw new ValidationError('account', [{ field: 'code', message: 'Code has already been taken in this chart of accounts' }]);
  }
}

/** What sync needs to hear about an account's state before a change. */
function previousOf(row: Row): { accountTypeId: number; segments: string[] } {
  return { accountTypeId: row.account_type_id, segments: rowSegments(row) };
}

function rowSegments(row: Row): string[] {
  const segments: string[] = [];
  for (const column of segmentColumns) {
    const value = row[column];
    if (value === null) break;
    segments.push(value);
  }
  return segments;
}

async function prepare(db: Kysely<Database>, input: AccountInput, existing: Row | null): Promise<Record<string, unknown>> {
  const problems = new Problems('account');
  const chart = input.accountType
    ? await findAccountTypeRow(db, input.accountType)
    : existing
      ? await findAccountTypeRow(db, { id: existing.account_type_id })
      : undefined;
  if (!chart) {
    problems.add('account-type', input.accountType ? `Chart of accounts ${describe(input.accountType)} does not exist` : "Account type can't be blank");
  }
  const segments = input.segments ? input.segments.map((s) => clean(s ?? null) ?? null) : existing ? rowSegments(existing) : [];
  const used = checkSegments(segments, problems);
  if (chart) {
    const { count } = await db
      .selectFrom('core_account_type_segments')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('account_type_id', '=', chart.id)
      .executeTakeFirstOrThrow();
    if (used.length > Number(count)) {
      problems.add('segments', `Chart of accounts "${chart.name}" defines ${count} segments; the account has ${used.length}`);
    }
  }
  const name = 'name' in input ? (clean(input.name) ?? null) : undefined;
  problems.length('name', 'Name', name, 1024);
  const code = accountCode(used);
  if (chart && used.length > 0) {
    const other = await db
      .selectFrom('core_accounts')
      .select('id')
      .where('account_type_id', '=', chart.id)
      .where('code', '=', code)
      .executeTakeFirst();
    if (other && other.id !== existing?.id) problems.add('code', `Account ${code} already exists in chart of accounts "${chart.name}"`);
  }
  problems.throwIfAny();
  const columns: Record<string, unknown> = { ...presentColumns({ ...input, name }, [['name', 'name'], ['active', 'active']]) };
  if (input.accountType) columns.account_type_id = chart!.id;
  if (input.segments) {
    segmentColumns.forEach((column, i) => (columns[column] = used[i] ?? null));
    columns.code = code;
  }
  return columns;
}

/** Segment 1 is required, each at most 100 characters, and no gaps: returns the used segments. */
function checkSegments(segments: Array<string | null>, problems: Problems): string[] {
  if (segments.length > MAX_SEGMENTS) problems.add('segments', `An account has at most ${MAX_SEGMENTS} segments`);
  const lastUsed = segments.findLastIndex((s) => s !== null);
  if (lastUsed < 0) {
    problems.add('segment-1', "Segment 1 can't be blank");
    return [];
  }
  const used = segments.slice(0, lastUsed + 1);
  used.forEach((value, i) => {
    if (value === null) problems.add(`segment-${i + 1}`, `Segment ${i + 1} can't be blank when segment ${lastUsed + 1} is given (no gaps)`);
    else problems.length(`segment-${i + 1}`, `Segment ${i + 1}`, value, 100);
  });
  return used.filter((s): s is string => s !== null);
}

function describe(key: AccountTypeKey): string {
  return 'id' in key ? `id ${key.id}` : `"${key.name}"`;
}

async function hydrate(db: Kysely<Database>, rows: Row[]): Promise<Account[]> {
  if (rows.length === 0) return [];
  const charts = await db
    .selectFrom('core_account_types')
    .select(['id', 'name'])
    .where('id', 'in', [...new Set(rows.map((r) => r.account_type_id))])
    .execute();
  const chartById = new Map(charts.map((c) => [c.id, c]));
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    code: row.code,
    active: toBool(row.active),
    accountType: chartById.get(row.account_type_id) ?? { id: row.account_type_id, name: '' },
    segments: rowSegments(row),
    exported: toBool(row.exported),
    ...toAudit(row),
  }));
}
