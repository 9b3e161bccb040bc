import os from 'node:os';
import type { Logger } from 'pino';
import type { Db } from '../../db/index.ts';
import type { TransferAccount } from '../account.types.ts';
import { createSessionsRepo, type LiveSession, type SessionRow, type SessionsRepo } from './sessions.repo.ts';

export type { LiveSession } from './sessions.repo.ts';

export interface SessionTiming {
  /** How often a node refreshes its rows. */
  heartbeatMs: number;
  /** Rows not refreshed for this long belong to a node that died: ignored, then deleted. */
  staleAfterMs: number;
}

/** Four heartbeats may be missed (a busy database, a clock a little off) before a node's sessions expire. */
export const defaultSessionTiming: SessionTiming = { heartbeatMs: 20_000, staleAfterMs: 90_000 };

/** Rows last seen before this belong to a dead node. */
function liveSince(now: Date, timing: SessionTiming): Date {
  return new Date(now.getTime() - timing.staleAfterMs);
}

/**
 * A node is its host and SFTP port: no two live processes hold both, and a node restarted on the same host and
 * port finds and deletes the rows its previous run left behind.
 */
export function nodeIdFor(port: number): string {
  return `${os.hostname()}:${port}`;
}

export interface SessionRegistryOptions {
  db: Db;
  clock: () => Date;
  log: Logger;
  timing?: SessionTiming;
}

/**
 * This node's logged-in sessions, shared with every node through transfer_sftp_sessions: the account's limit is
 * counted over all nodes' live rows and the row inserted in one transaction (sessions.repo.ts says how it holds
 * on each database). The heartbeat refreshes this node's rows and deletes other nodes' stale ones.
 */
export class SessionRegistry {
  /** Set by start(), once the SFTP port is known. */
  node = '';
  readonly timing: SessionTiming;
  readonly #repo: SessionsRepo;
  readonly #clock: () => Date;
  readonly #log: Logger;
  readonly #sessions = new Map<string, LiveSession>();
  /** Traffic last written per session, so a heartbeat writes only what changed. */
  readonly #written = new Map<string, string>();
  #timer: NodeJS.Timeout | undefined;
  #beating: Promise<void> | undefined;
  /** Deletions of closed sessions still under way, awaited by stop(). */
  readonly #closing = new Set<Promise<void>>();

  constructor(options: SessionRegistryOptions) {
    this.timing = options.timing ?? defaultSessionTiming;
    this.#repo = createSessionsRepo(options.db);
    this.#clock = options.clock;
    this.#log = options.log;
  }

  /** Deletes the rows a previous run of this node left (older than this run), then beats regularly. */
  async start(node: string): Promise<void> {
    this.node = node;
    const removed = await this.#repo.removeNodeRows(this.node, this.#clock());
    if (removed > 0) this.#log.info({ node: this.node, removed }, 'removed the sessions a previous run of this node left');
    this.#timer = setInterval(() => void this.heartbeat(), this.timing.heartbeatMs);
    this.#timer.unref();
  }

  /** Stops beating and deletes this node's remaining rows. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#beating;
    await Promise.allSettled(this.#closing);
    if (this.node) await this.#repo.removeNode(this.node);
    this.#sessions.clear();
  }

  /** Registers the session, or returns undefined when the account already has maxSessions on all nodes together. */
  async tryOpen(account: TransferAccount, address: string, id: string): Promise<LiveSession | undefined> {
    if (!this.node) throw new Error('the session registry is not started');
    const now = this.#clock();
    const session: LiveSession = { id, node: this.node, accountId: account.id, username: account.username, address, startedAt: now, traffic: { bytesIn: 0, bytesOut: 0 } };
    if (!(await this.#repo.tryInsert(this.#row(session, now), account.maxSessions, liveSince(now, this.timing)))) return undefined;
    this.#sessions.set(id, session);
    return session;
  }

  async close(id: string): Promise<void> {
    if (!this.#sessions.delete(id)) return;
    this.#written.delete(id);
    const removal = this.#repo.remove(id);
    this.#closing.add(removal);
    try {
      await removal;
    } finally {
      this.#closing.delete(removal);
    }
  }

  /** This node's session of that id, with its traffic counted to the byte. */
  local(id: string): LiveSession | undefined {
    return this.#sessions.get(id);
  }

  get size(): number {
    return this.#sessions.size;
  }

  /** Writes changed traffic, refreshes this node's rows (putting back any deleted meanwhile), deletes stale rows. */
  heartbeat(): Promise<void> {
    this.#beating ??= this.#beat()
      .catch((error: unknown) => this.#log.error({ err: error, node: this.node }, 'sftp session heartbeat failed'))
      .finally(() => (this.#beating = undefined));
    return this.#beating;
  }

  async #beat(): Promise<void> {
    const now = this.#clock();
    const sessions = [...this.#sessions.values()];
    for (const session of sessions) {
      const traffic = `${session.traffic.bytesIn}/${session.traffic.bytesOut}`;
      if (this.#written.get(session.id) === traffic) continue;
      await this.#repo.setTraffic(session.id, session.traffic);
      this.#written.set(session.id, traffic);
    }
    const touched = await this.#repo.touch(this.node, sessions.map((s) => s.id), now);
    if (touched < sessions.length) {
      this.#log.warn({ node: this.node, missing: sessions.length - touched }, 'sessions of this node were missing from the shared table: putting them back');
      await this.#repo.restore(sessions.filter((s) => this.#sessions.has(s.id)).map((s) => this.#row(s, now)));
    }
    const removed = await this.#repo.removeStale(liveSince(now, this.timing));
    if (removed > 0) this.#log.info({ removed }, 'removed sessions of nodes whose heartbeat stopped');
  }

  #row(session: LiveSession, now: Date): SessionRow {
    return { ...session, lastSeenAt: now };
  }
}

/**
 * Every node's live sessions (of one account when accountId is given), for the admin API. The answering node's
 * own sessions carry their traffic to the byte; other nodes' traffic is as of their last heartbeat.
 */
export async function listLiveSessions(
  db: Db,
  options: { now: Date; timing?: SessionTiming; local?: SessionRegistry; accountId?: number },
): Promise<LiveSession[]> {
  const rows = await createSessionsRepo(db).list(liveSince(options.now, options.timing ?? defaultSessionTiming), options.accountId);
  return rows.map((row) => options.local?.local(row.id) ?? row);
}
