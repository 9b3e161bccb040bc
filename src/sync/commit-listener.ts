import pg from 'pg';
import type { Logger } from 'pino';
import { SYNC_CHANNEL } from './outbox.ts';

export interface CommitListenerOptions {
  /** The PostgreSQL database the outbox lives in. */
  url: string;
  log: Logger;
  /** Called for each notification, and once after every (re)connection: commits may have been missed meanwhile. */
  onCommit: () => void;
  /** Wait before reconnecting after the connection was lost, ms. */
  retryMs?: number;
}

export interface CommitListener {
  /** Resolves once LISTEN is in place (or the first attempt failed: polling covers the gap). */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

/**
 * LISTENs on the outbox channel over a connection of its own (a pooled one could be handed to a query
 * that needs the pool), so a Core commit on any node wakes this node's applier at once. A lost connection
 * is reopened after `retryMs`; until then the applier's poll finds the events.
 */
export function listenForCommits(options: CommitListenerOptions): CommitListener {
  const retryMs = options.retryMs ?? 1000;
  let client: pg.Client | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;

  async function connect(): Promise<void> {
    const next = new pg.Client({ connectionString: options.url, application_name: 'workgate-sync-listener' });
    next.on('notification', () => options.onCommit());
    next.on('error', (error) => lost(next, error));
    next.on('end', () => lost(next, undefined));
    client = next;
    try {
      await next.connect();
      await next.query(`listen ${SYNC_CHANNEL}`);
      if (closed) return;
      options.log.debug({ channel: SYNC_CHANNEL }, 'listening for outbox commits');
      options.onCommit();
    } catch (error) {
      lost(next, error);
    }
  }

  function lost(which: pg.Client, error: unknown): void {
    if (closed || which !== client) return;
    client = undefined;
    which.end().catch(() => {});
    options.log.warn({ err: error, retryMs }, 'sync commit listener disconnected; polling until it is back');
    retry = setTimeout(() => void connect(), retryMs);
    retry.unref();
  }

  const ready = connect();
  return {
    ready,
    async close() {
      closed = true;
      clearTimeout(retry);
      const last = client;
      client = undefined;
      await ready;
      await last?.end().catch(() => {});
    },
  };
}
