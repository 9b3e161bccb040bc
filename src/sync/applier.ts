import type { Logger } from 'pino';
import type { CoreService } from '../core/index.ts';
import { isoNow, type Db } from '../db/index.ts';
import type { WorkforceService } from '../workforce/index.ts';
import { applyEvents } from './apply-events.ts';
import { listenForCommits, type CommitListener } from './commit-listener.ts';
import { tryTakeLease } from './lease.ts';
import { claimable, markApplied, purgeApplied, recordFailure, type PendingEvent } from './outbox.repo.ts';

export interface ApplierDeps {
  db: Db;
  core: CoreService;
  workforce: WorkforceService;
  log: Logger;
  clock: () => Date;
  /** Poll interval when idle and nothing woke the applier (other nodes' commits), ms. */
  pollMs?: number;
  /** Events per transaction. */
  batchSize?: number;
  /** Applied events are purged after this long, ms. */
  retentionMs?: number;
  /** PostgreSQL: LISTEN on this database for commits of other nodes and processes (see commit-listener.ts). */
  listenUrl?: string;
  /** Told about each round of the started applier that applied or failed events, and what began it. */
  onRound?: (round: RoundResult & { cause: WakeCause }) => void;
}

/**
 * What began a round of the started applier: its start, a commit in this process, a notification of a
 * commit elsewhere (PostgreSQL), the poll, or a full batch before it (a backlog is applied back to back).
 */
export type WakeCause = 'start' | 'commit' | 'notification' | 'poll' | 'backlog';

export interface RoundResult {
  applied: number;
  failed: number;
  /** False when another node held the lease. */
  leased: boolean;
}

class BatchError extends Error {
  readonly events: PendingEvent[];
  constructor(events: PendingEvent[], cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.events = events;
  }
}

/** The sync applier: a job of the worker role that applies outbox events to Workforce, in id order. */
export function createApplier(deps: ApplierDeps) {
  const { db, log, clock } = deps;
  const pollMs = deps.pollMs ?? 500;
  const batchSize = deps.batchSize ?? 2000;
  const retentionMs = deps.retentionMs ?? 7 * 24 * 3600 * 1000;
  let running = false;
  let woken: WakeCause | undefined;
  let waiter: ((cause: WakeCause) => void) | undefined;
  let loopDone: Promise<void> | undefined;
  let listener: CommitListener | undefined;
  let lastPurge = 0;

  /** One transaction: take the lease, claim up to `limit` events, apply them, mark them applied. */
  async function batch(limit: number): Promise<RoundResult> {
    return db.kysely.transaction().execute(async (trx) => {
      if (!(await tryTakeLease(trx, db.adapter))) return { applied: 0, failed: 0, leased: false };
      const events = await claimable(trx, db.adapter, isoNow(clock), limit);
      if (events.length === 0) return { applied: 0, failed: 0, leased: true };
      try {
        await applyEvents({ trx, core: deps.core, workforce: deps.workforce }, events);
      } catch (error) {
        throw new BatchError(events, error);
      }
      await markApplied(trx, db.adapter, events.map((e) => e.id), isoNow(clock));
      return { applied: events.length, failed: 0, leased: true };
    });
  }

  /** A batch failed: apply its events one by one so the bad one is isolated, retried later, parked at last. */
  async function isolate(count: number): Promise<RoundResult> {
    const total: RoundResult = { applied: 0, failed: 0, leased: true };
    for (let i = 0; i < count; i++) {
      try {
        const one = await batch(1);
        if (!one.leased || one.applied === 0) break;
        total.applied += one.applied;
      } catch (error) {
        if (!(error instanceof BatchError)) throw error;
        const event = error.events[0]!;
        const parked = await recordFailure(db.kysely, event, error.message, clock);
        total.failed++;
        log[parked ? 'error' : 'warn']({ event: event.id, entity: event.entity, entityId: event.entityId, err: error.cause }, parked ? 'sync event parked' : 'sync event failed; will retry');
      }
    }
    return total;
  }

  async function runOnce(): Promise<RoundResult> {
    try {
      return await batch(batchSize);
    } catch (error) {
      if (!(error instanceof BatchError)) throw error;
      return isolate(error.events.length);
    }
  }

  async function purge(): Promise<void> {
    if (clock().getTime() - lastPurge < 60_000) return;
    lastPurge = clock().getTime();
    const removed = await purgeApplied(db.kysely, new Date(lastPurge - retentionMs).toISOString());
    if (removed > 0) log.debug({ removed }, 'purged applied sync events');
  }

  /** Resolves with the first wake-up since the last round, or 'poll' after pollMs. */
  function nextWake(): Promise<WakeCause> {
    const pending = woken;
    woken = undefined;
    if (pending) return Promise.resolve(pending);
    return new Promise((resolve) => {
      const timer = setTimeout(() => done('poll'), pollMs);
      timer.unref();
      function done(cause: WakeCause): void {
        clearTimeout(timer);
        waiter = undefined;
        resolve(cause);
      }
      waiter = done;
    });
  }

  function wake(cause: WakeCause): void {
    if (waiter) waiter(cause);
    else woken ??= cause;
  }

  async function loop(): Promise<void> {
    let cause: WakeCause = 'start';
    while (running) {
      let result: RoundResult = { applied: 0, failed: 0, leased: true };
      try {
        result = await runOnce();
        await purge();
      } catch (error) {
        log.error({ err: error }, 'sync applier round failed');
      }
      if (result.applied + result.failed > 0) deps.onRound?.({ ...result, cause });
      cause = result.applied + result.failed >= batchSize ? 'backlog' : await nextWake();
    }
  }

  return {
    runOnce,

    /** Applies until nothing is claimable (tests, CLI, benchmark). */
    async drain(): Promise<RoundResult> {
      const total: RoundResult = { applied: 0, failed: 0, leased: true };
      for (;;) {
        const round = await runOnce();
        total.applied += round.applied;
        total.failed += round.failed;
        if (round.applied + round.failed === 0) return total;
      }
    },

    /** Called after a Core commit in this process: starts the next round at once instead of at the next poll. */
    wake(): void {
      wake('commit');
    },

    /** Starts applying; resolves once the commit listener (PostgreSQL) is in place. */
    async start(): Promise<void> {
      if (running) return;
      running = true;
      loopDone = loop();
      if (deps.listenUrl) listener = listenForCommits({ url: deps.listenUrl, log, onCommit: () => wake('notification') });
      log.info({ pollMs, batchSize, listening: Boolean(listener) }, 'sync applier started');
      await listener?.ready;
    },

    /** Finishes the batch in flight, then stops. */
    async stop(): Promise<void> {
      running = false;
      waiter?.('poll');
      await listener?.close();
      listener = undefined;
      await loopDone;
    },
  };
}

export type Applier = ReturnType<typeof createApplier>;
