import type { Insertable, Selectable } from 'kysely';
import { toDate, type Db, type TransferSftpSessionTable } from '../../db/index.ts';

/** A client connection that logged in, on some node. */
export interface LiveSession {
  id: string;
  /** The node holding the connection (see nodeIdFor). */
  node: string;
  accountId: number;
  username: string;
  address: string;
  startedAt: Date;
  traffic: { bytesIn: number; bytesOut: number };
}

/** A row of transfer_sftp_sessions: a session and when its node last said it is alive. */
export interface SessionRow extends LiveSession {
  lastSeenAt: Date;
}

export type SessionsRepo = ReturnType<typeof createSessionsRepo>;

type Executor = Db['kysely'];

function toRow(row: Selectable<TransferSftpSessionTable>): SessionRow {
  return {
    id: row.session_id,
    node: row.node_id,
    accountId: row.account_id,
    username: row.username,
    address: row.address,
    startedAt: toDate(row.started_at),
    lastSeenAt: toDate(row.last_seen_at),
    traffic: { bytesIn: Number(row.bytes_in), bytesOut: Number(row.bytes_out) },
  };
}

function values(row: SessionRow): Insertable<TransferSftpSessionTable> {
  return {
    session_id: row.id,
    node_id: row.node,
    account_id: row.accountId,
    username: row.username,
    address: row.address,
    started_at: row.startedAt.toISOString(),
    last_seen_at: row.lastSeenAt.toISOString(),
    bytes_in: row.traffic.bytesIn,
    bytes_out: row.traffic.bytesOut,
  };
}

async function insertIfRoom(trx: Executor, row: SessionRow, maxSessions: number, liveSince: Date): Promise<boolean> {
  const { count } = await trx
    .selectFrom('transfer_sftp_sessions')
    .select((eb) => eb.fn.countAll<number | string>().as('count'))
    .where('account_id', '=', row.accountId)
    .where('last_seen_at', '>=', liveSince.toISOString())
    .executeTakeFirstOrThrow();
  if (Number(count) >= maxSessions) return false;
  await trx.insertInto('transfer_sftp_sessions').values(values(row)).execute();
  return true;
}

/** Kysely only: the shared table of live SFTP sessions (migration 0009). */
export function createSessionsRepo(db: Db) {
  const k = db.kysely;
  return {
    /**
     * Inserts the session unless the account already has `maxSessions` rows seen since `liveSince`, on any node.
     * PostgreSQL: the account's row is locked first, so logins of one account on several nodes count and insert
     * one after the other. SQLite: one writer at a time, and a transaction that read before another process
     * wrote fails instead of writing.
     */
    async tryInsert(row: SessionRow, maxSessions: number, liveSince: Date): Promise<boolean> {
      return k.transaction().execute(async (trx) => {
        if (db.adapter.name === 'postgres') {
          await trx.selectFrom('transfer_accounts').select('id').where('id', '=', row.accountId).forNoKeyUpdate().execute();
        }
        return insertIfRoom(trx, row, maxSessions, liveSince);
      });
    },
    /** Inserts rows a heartbeat found missing (deleted as stale while this node could not reach the database). */
    async restore(rows: SessionRow[]): Promise<void> {
      const present = new Set(
        rows.length === 0
          ? []
          : (await k.selectFrom('transfer_sftp_sessions').select('session_id').where('session_id', 'in', rows.map((r) => r.id)).execute()).map((r) => r.session_id),
      );
      const missing = rows.filter((r) => !present.has(r.id));
      if (missing.length > 0) await k.insertInto('transfer_sftp_sessions').values(missing.map(values)).execute();
    },
    async remove(sessionId: string): Promise<void> {
      await k.deleteFrom('transfer_sftp_sessions').where('session_id', '=', sessionId).execute();
    },
    /** Marks the given sessions of the node seen at `now`; answers how many rows were there. */
    async touch(node: string, sessionIds: string[], now: Date): Promise<number> {
      if (sessionIds.length === 0) return 0;
      const result = await k
        .updateTable('transfer_sftp_sessions')
        .set({ last_seen_at: now.toISOString() })
        .where('node_id', '=', node)
        .where('session_id', 'in', sessionIds)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
    async setTraffic(sessionId: string, traffic: LiveSession['traffic']): Promise<void> {
      await k.updateTable('transfer_sftp_sessions').set({ bytes_in: traffic.bytesIn, bytes_out: traffic.bytesOut }).where('session_id', '=', sessionId).execute();
    },
    async removeNode(node: string): Promise<void> {
      await k.deleteFrom('transfer_sftp_sessions').where('node_id', '=', node).execute();
    },
    /** Deletes the node's rows last seen before `before` (a previous run of the node); answers how many. */
    async removeNodeRows(node: string, before: Date): Promise<number> {
      const result = await k.deleteFrom('transfer_sftp_sessions').where('node_id', '=', node).where('last_seen_at', '<', before.toISOString()).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    /** Deletes every node's rows not seen since `liveSince`; answers how many. */
    async removeStale(liveSince: Date): Promise<number> {
      const result = await k.deleteFrom('transfer_sftp_sessions').where('last_seen_at', '<', liveSince.toISOString()).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    /** Rows seen since `liveSince`, of every account or one, oldest first. */
    async list(liveSince: Date, accountId?: number): Promise<SessionRow[]> {
      let query = k.selectFrom('transfer_sftp_sessions').selectAll().where('last_seen_at', '>=', liveSince.toISOString());
      if (accountId !== undefined) query = query.where('account_id', '=', accountId);
      return (await query.orderBy('started_at').orderBy('session_id').execute()).map(toRow);
    },
  };
}
