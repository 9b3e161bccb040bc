import type { Kysely } from 'kysely';
import type { DialectAdapter } from '../database.ts';
import { indexes, type Migration } from './helpers.ts';

/**
 * Live SFTP sessions of every node (src/transfer/sftp/session-registry.ts): each node inserts a row at login
 * and deletes it at logout, and its heartbeat refreshes `last_seen_at` (with the traffic so far). Rows whose
 * heartbeat is older than a bound belong to a node that died and are ignored, then deleted. Counting an
 * account's rows is how `max-sessions` holds across nodes.
 */
export function sftpSessionsMigration(adapter: DialectAdapter): Migration {
  const ts = adapter.timestampType;
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('transfer_sftp_sessions')
        .addColumn('session_id', 'varchar(32)', (c) => c.primaryKey())
        .addColumn('node_id', 'varchar(255)', (c) => c.notNull())
        .addColumn('account_id', 'integer', (c) => c.notNull())
        .addColumn('username', 'varchar(255)', (c) => c.notNull())
        .addColumn('address', 'varchar(64)', (c) => c.notNull())
        .addColumn('started_at', ts, (c) => c.notNull())
        .addColumn('last_seen_at', ts, (c) => c.notNull())
        .addColumn('bytes_in', 'bigint', (c) => c.notNull())
        .addColumn('bytes_out', 'bigint', (c) => c.notNull())
        .execute();
      await indexes(db, 'transfer_sftp_sessions', [{ columns: ['account_id', 'last_seen_at'] }, { columns: ['node_id'] }, { columns: ['last_seen_at'] }]);
    },
  };
}
