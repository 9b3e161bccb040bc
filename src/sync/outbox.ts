import { CompiledQuery, type Kysely } from 'kysely';
import type { OutboxEvent, OutboxPort } from '../core/index.ts';
import { isoNow, type Database, type DialectName } from '../db/index.ts';

/** The PostgreSQL channel notified at each commit that recorded events (src/sync/commit-listener.ts listens). */
export const SYNC_CHANNEL = 'workgate_sync_outbox';

/** Events per statement: each statement carries its rows as one JSON (SQLite) or four array (PostgreSQL) parameters. */
const EVENTS_PER_STATEMENT = 10_000;

export interface SyncOutbox extends OutboxPort {
  /** Registers a callback run after each Core commit that recorded events (the applier's wake-up). */
  onCommitted(listener: () => void): void;
}

const insertSql: Record<DialectName, string> = {
  sqlite:
    'insert into sync_outbox (entity, entity_id, kind, detail, created_at) ' +
    "select json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'), json_extract(value, '$[3]'), ? from json_each(?)",
  // pg_notify inside the Core transaction: PostgreSQL delivers it when (and only if) that transaction
  // commits, to every listening applier on any node (one notification per transaction and channel).
  postgres:
    'with inserted as (insert into sync_outbox (entity, entity_id, kind, detail, created_at) ' +
    'select e, i, k, d, $1::timestamptz from unnest($2::text[], $3::int[], $4::text[], $5::text[]) with ordinality as t(e, i, k, d, n) order by n) ' +
    `select pg_notify('${SYNC_CHANNEL}', '')`,
};

function parameters(dialect: DialectName, events: readonly OutboxEvent[], now: string): unknown[] {
  const detail = (e: OutboxEvent) => (e.detail ? JSON.stringify(e.detail) : null);
  if (dialect === 'sqlite') return [now, JSON.stringify(events.map((e) => [e.entity, e.entityId, e.kind, detail(e)]))];
  return [now, events.map((e) => e.entity), events.map((e) => e.entityId), events.map((e) => e.kind), events.map(detail)];
}

/**
 * The outbox port Core writes to: rows in `sync_outbox`, inside the caller's transaction, in the order
 * given (ids ascend with it). A million events of a bulk load take a hundred statements. On PostgreSQL the
 * same statement notifies SYNC_CHANNEL, so appliers on other nodes wake at the commit instead of the next poll.
 */
export function createOutbox(dialect: DialectName, clock: () => Date = () => new Date()): SyncOutbox {
  const listeners: Array<() => void> = [];
  return {
    async recordMany(trx: Kysely<Database>, events: readonly OutboxEvent[]): Promise<void> {
      const now = isoNow(clock);
      for (let i = 0; i < events.length; i += EVENTS_PER_STATEMENT) {
        await trx.executeQuery(CompiledQuery.raw(insertSql[dialect], parameters(dialect, events.slice(i, i + EVENTS_PER_STATEMENT), now)));
      }
    },
    committed() {
      for (const listener of listeners) listener();
    },
    onCommitted(listener) {
      listeners.push(listener);
    },
  };
}
