import { sql, type Kysely, type Selectable } from 'kysely';
import { toDate, type Database, type DialectAdapter } from '../db/index.ts';
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
 * back-off (a small partial index), then the head of the pending queue (the pending partial index).
 */
export async function claimable(db: Executor, adapter: DialectAdapter, now: string, limit: number): Promise<PendingEvent[]> {
  const waiting = await db
    .selectFrom('sync_outbox')
    .select(['entity', 'entity_id', (eb) => eb.fn.min('id').as('first')])
    .where('next_attempt_at', 'is not', null)
    .where('applied_at', 'is', null)
    .where(notParked(adapter))
    .where('next_attempt_at', '>', now)
    .groupBy(['entity', 'entity_id'])
    .execute();
  const blockedFrom = new Map(waiting.map((w) => [`${w.entity}:${w.entity_id}`, Number(w.first)]));
  const rows = await db
    .selectFrom('sync_outbox')
    .select(['id', 'entity', 'entity_id', 'kind', 'detail', 'attempts', 'created_at'])
    .where('applied_at', 'is', null)
    .where(notParked(adapter))
    .orderBy('id')
    .limit(limit + blockedFrom.size)
    .execute();
  return rows
    .map(toEvent)
    .filter((e) => e.id < (blockedFrom.get(`${e.entity}:${e.entityId}`) ?? Infinity))
    .slice(0, limit);
}

export async function markApplied(db: Executor, ids: readonly number[], now: string): Promise<void> {
  for (let i = 0; i < ids.length; i += 1000) {
    await db.updateTable('sync_outbox').set({ applied_at: now, last_error: null }).where('id', 'in', ids.slice(i, i + 1000)).execute();
  }
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
