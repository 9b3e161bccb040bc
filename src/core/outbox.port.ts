import type { Kysely } from 'kysely';
import type { Database } from '../db/index.ts';

/**
 * What Core tells the outside world about its changes: one event per changed record, written in the
 * same transaction as the change. Core defines the port; src/sync implements and reads it (Core never
 * imports sync or Workforce). Events carry ids, not state: a consumer re-reads the current state.
 */
export const outboxEntities = ['user', 'account-type', 'account', 'lookup-value'] as const;
export type OutboxEntity = (typeof outboxEntities)[number];

export interface OutboxEvent {
  entity: OutboxEntity;
  entityId: number;
  /** "created" or "updated". */
  kind: 'created' | 'updated';
  /** Facts the current state no longer holds, e.g. an account's previous segments. */
  detail?: Record<string, unknown> | null;
}

export interface OutboxPort {
  /**
   * Records events inside `trx`, the transaction of the change (multi-row inserts, so a bulk feed of a
   * million rows can hand over its events in chunks). Rolling back `trx` removes them with the change.
   */
  recordMany(trx: Kysely<Database>, events: readonly OutboxEvent[]): Promise<void>;
  /** Called after the transaction committed: lets an in-process consumer wake up at once. */
  committed(): void;
}

/** For Core used without sync (tools, tests of Core alone): records nothing. */
export const noOutbox: OutboxPort = {
  recordMany: async () => {},
  committed: () => {},
};
