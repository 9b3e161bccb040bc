import { sql } from 'kysely';
import { toDate, type Db } from '../db/index.ts';

export interface ParkedEvent {
  id: number;
  entity: string;
  entityId: number;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
}

/** An event not applied yet: `nextAttemptAt` and `lastError` are set once it failed. */
export interface PendingEvent extends ParkedEvent {
  nextAttemptAt: Date | null;
}

/** How many of the pending and of the parked events the status lists (the next ones, in id order). */
const listedEvents = 20;

export interface SyncStatus {
  pending: number;
  /** Pending events waiting for a retry after a failure. */
  retrying: number;
  parked: number;
  oldestPendingAt: Date | null;
  /** Seconds since the oldest pending event was committed (0 when none). */
  lagSeconds: number;
  lastAppliedAt: Date | null;
  lastError: { eventId: number; entity: string; entityId: number; message: string } | null;
  parkedEvents: ParkedEvent[];
  /** The next pending events to be applied, in id order (at most 20). */
  pendingEvents: PendingEvent[];
}

/** What `workgate sync status` and GET /api/admin/sync/status show. */
export async function syncStatus(db: Db, clock: () => Date): Promise<SyncStatus> {
  const k = db.kysely;
  const falseLiteral = sql.raw(db.adapter.name === 'postgres' ? 'false' : '0');
  const pending = await k
    .selectFrom('sync_outbox')
    .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min('created_at').as('oldest'), sql<number>`sum(case when last_error is not null then 1 else 0 end)`.as('retrying')])
    .where('applied_at', 'is', null)
    .where(sql<boolean>`parked = ${falseLiteral}`)
    .executeTakeFirstOrThrow();
  const parkedRows = await k
    .selectFrom('sync_outbox')
    .select(['id', 'entity', 'entity_id', 'attempts', 'last_error', 'created_at'])
    .where('applied_at', 'is', null)
    .where('parked', '=', true)
    .orderBy('id')
    .limit(listedEvents)
    .execute();
  // The same predicate as the count above, so the partial index of pending rows serves it.
  const pendingRows = await k
    .selectFrom('sync_outbox')
    .select(['id', 'entity', 'entity_id', 'attempts', 'last_error', 'created_at', 'next_attempt_at'])
    .where('applied_at', 'is', null)
    .where(sql<boolean>`parked = ${falseLiteral}`)
    .orderBy('id')
    .limit(listedEvents)
    .execute();
  const parkedCount = await k.selectFrom('sync_outbox').select((eb) => eb.fn.countAll<number>().as('n')).where('applied_at', 'is', null).where('parked', '=', true).executeTakeFirstOrThrow();
  const lastApplied = await k.selectFrom('sync_outbox').select((eb) => eb.fn.max('applied_at').as('at')).where('applied_at', 'is not', null).executeTakeFirstOrThrow();
  const lastError = await k
    .selectFrom('sync_outbox')
    .select(['id', 'entity', 'entity_id', 'last_error'])
    .where('applied_at', 'is', null)
    .where('last_error', 'is not', null)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  const oldest = pending.oldest ? toDate(pending.oldest as Date | string) : null;
  return {
    pending: Number(pending.n),
    retrying: Number(pending.retrying ?? 0),
    parked: Number(parkedCount.n),
    oldestPendingAt: oldest,
    lagSeconds: oldest ? Math.max(0, (clock().getTime() - oldest.getTime()) / 1000) : 0,
    lastAppliedAt: lastApplied.at ? toDate(lastApplied.at as Date | string) : null,
    lastError: lastError ? { eventId: Number(lastError.id), entity: lastError.entity, entityId: lastError.entity_id, message: lastError.last_error ?? '' } : null,
    parkedEvents: parkedRows.map(eventOf),
    pendingEvents: pendingRows.map((r) => ({ ...eventOf(r), nextAttemptAt: r.next_attempt_at ? toDate(r.next_attempt_at) : null })),
  };
}

function eventOf(r: { id: number | string | bigint; entity: string; entity_id: number; attempts: number; last_error: string | null; created_at: Date | string }): ParkedEvent {
  return { id: Number(r.id), entity: r.entity, entityId: r.entity_id, attempts: r.attempts, lastError: r.last_error, createdAt: toDate(r.created_at) };
}
