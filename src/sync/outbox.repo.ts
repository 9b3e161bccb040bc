import { sql, type Kysely, type Selectable } from 'kysely';
import { toBool, toDate, type Database, type DialectAdapter } from '../db/index.ts';
import type { SyncOutboxTable } from '../db/schema.ts';

export type Executor = Kysely<Database>;
type Row = Selectable<SyncOutboxTable>;

export interface PendingEvent {
  id: number;
  entity: string;
  entityId: number;
  kind: string;
  detail: Record<string, unknown> | null;
  attempts: number;
  createdAt: Date;
  /** Set when the stored detail is unreadable: applying the event fails (and it is retried, then parked). */
  detailError?: string;
}

function parseDetail(text: string | null): { detail: Record<string, unknown> | null; detailError?: string } {
  if (!text) return { detail: null };
  try {
    return { detail: JSON.parse(text) as Record<string, unknown> };
  } catch (error) {
    return { detail: null, detailError: `detail is not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** After this many failed attempts an event is parked: reported in status, no longer retried. */
export const MAX_ATTEMPTS = 8;

/** Literal so SQLite can use the partial index on pending rows. */
function notParked(adapter: DialectAdapter) {
  return sql<boolean>`parked = ${sql.raw(adapter.name === 'postgres' ? 'false' : '0')}`;
}

function toEvent(row: Pick<Row, 'id' | 'entity' | 'entity_id' | 'kind' | 'detail' | 'attempts' | 'created_at'>): PendingEvent {
  return {
    id: Number(row.id),
    entity: row.entity,
    entityId: row.entity_id,
    kind: row.kind,
    attempts: row.attempts,
    createdAt: toDate(row.created_at),
    ...parseDetail(row.detail),
  };
}

/**
 * The next pending events in id order, skipping parked ones, those waiting for a retry, and every later
 * event of an entity that has one waiting (order per entity). Two cheap queries: the few entities in
 * back-off, then the head of the pending queue read as an id range from the first pending id. Both shapes
 * keep the work proportional to the batch even while the planner believes the table is empty (as it does
 * while a first sync of a million users runs ahead of autovacuum), where `order by id limit n` alone was
 * planned as a sort of every pending row.
 */
export async function claimable(db: Executor, adapter: DialectAdapter, now: string, limit: number): Promise<PendingEvent[]> {
  const blockedFrom = await blockedEntities(db, now);
  const claimed: PendingEvent[] = [];
  for (let after = 0; claimed.length < limit; ) {
    const rows = await pendingWindow(db, adapter, after, limit);
    const events = rows.map(toEvent).filter((e) => e.id < (blockedFrom.get(`${e.entity}:${e.entityId}`) ?? Infinity));
    claimed.push(...events);
    // Read further only past events held back by an entity in back-off, so that they never starve the others.
    if (events.length === rows.length) break;
    after = Number(rows.at(-1)!.id);
  }
  return claimed.slice(0, limit);
}

/** Ids past the first pending one that a claim looks at. */
const CLAIM_WINDOW_FACTOR = 4;

/** Up to `limit` pending events from the first pending id above `after`, within a window of ids. */
function pendingWindow(db: Executor, adapter: DialectAdapter, after: number, limit: number): Promise<Row[]> {
  const first = db
    .selectFrom('sync_outbox')
    .select((eb) => eb.fn.min('id').as('first'))
    .where('applied_at', 'is', null)
    .where(notParked(adapter))
    .where('id', '>', after);
  return db
    .selectFrom('sync_outbox')
    .selectAll()
    .where('applied_at', 'is', null)
    .where(notParked(adapter))
    .where('id', '>=', first)
    .where('id', '<', sql<number>`(${first}) + ${limit * CLAIM_WINDOW_FACTOR}`)
    .orderBy('id')
    .limit(limit)
    .execute();
}

/**
 * Entity -> id of its first event waiting for a retry. Reads the small retrying index only: `parked` is
 * checked here, not in SQL, so that the pending index (whose predicate names it) is no candidate.
 */
async function blockedEntities(db: Executor, now: string): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('sync_outbox')
    .select(['id', 'entity', 'entity_id', 'parked'])
    .where('next_attempt_at', 'is not', null)
    .where('applied_at', 'is', null)
    .where('next_attempt_at', '>', now)
    .execute();
  const first = new Map<string, number>();
  for (const row of rows) {
    if (toBool(row.parked)) continue;
    const key = `${row.entity}:${row.entity_id}`;
    first.set(key, Math.min(Number(row.id), first.get(key) ?? Infinity));
  }
  return first;
}

/**
 * Marks the events applied in one statement: the ids travel as one array (PostgreSQL) or one JSON text
 * (SQLite), inside the id range they span so that the primary key bounds the scan whatever the statistics.
 */
export async function markApplied(db: Executor, adapter: DialectAdapter, ids: readonly number[], now: string): Promise<void> {
  if (ids.length === 0) return;
  const list = adapter.name === 'postgres' ? sql<boolean>`id = any(${[...ids]}::bigint[])` : sql<boolean>`id in (select value from json_each(${JSON.stringify(ids)}))`;
  await db
    .updateTable('sync_outbox')
    .set({ applied_at: now, last_error: null })
    .where('id', '>=', Math.min(...ids))
    .where('id', '<=', Math.max(...ids))
    .where(list)
    .execute();
}

/** Back-off before the next attempt: 1 s, 2 s, 4 s ... capped at 5 minutes. */
export function backoffMs(attempts: number): number {
  return Math.min(300_000, 1000 * 2 ** Math.max(0, attempts - 1));
}

export async function recordFailure(db: Executor, event: PendingEvent, message: string, clock: () => Date): Promise<boolean> {
  const attempts = event.attempts + 1;
  const parked = attempts >= MAX_ATTEMPTS;
  await db
    .updateTable('sync_outbox')
    .set({
      attempts,
      last_error: message.slice(0, 2000),
      next_attempt_at: new Date(clock().getTime() + backoffMs(attempts)).toISOString(),
      parked,
    })
    .where('id', '=', event.id)
    .execute();
  return parked;
}

/** Applied events older than `before` are removed: the outbox is a queue, not an archive. */
export async function purgeApplied(db: Executor, before: string): Promise<number> {
  const result = await db.deleteFrom('sync_outbox').where('applied_at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function isPending(db: Executor, id: number): Promise<boolean> {
  const row = await db.selectFrom('sync_outbox').select('applied_at').where('id', '=', id).executeTakeFirst();
  return row !== undefined && row.applied_at === null;
}
