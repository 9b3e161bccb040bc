import type { Kysely } from 'kysely';
import type { OutboxEvent, OutboxPort } from '../core/index.ts';
import { isoNow, type Database } from '../db/index.ts';

/** Rows per multi-row INSERT: 6 columns, well under both databases' parameter limits. */
const ROWS_PER_INSERT = 1000;

export interface SyncOutbox extends OutboxPort {
  /** Registers a callback run after each Core commit that recorded events (the applier's wake-up). */
  onCommitted(listener: () => void): void;
}

/** The outbox port Core writes to: rows in `sync_outbox`, inside the caller's transaction. */
export function createOutbox(clock: () => Date = () => new Date()): SyncOutbox {
  const listeners: Array<() => void> = [];
  return {
    async recordMany(trx: Kysely<Database>, events: readonly OutboxEvent[]): Promise<void> {
      const now = isoNow(clock);
      for (let i = 0; i < events.length; i += ROWS_PER_INSERT) {
        const rows = events.slice(i, i + ROWS_PER_INSERT).map((e) => ({
          entity: e.entity,
          entity_id: e.entityId,
          kind: e.kind,
          detail: e.detail ? JSON.stringify(e.detail) : null,
          created_at: now,
        }));
        await trx.insertInto('sync_outbox').values(rows).execute();
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
