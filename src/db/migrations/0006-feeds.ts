import type { Kysely } from 'kysely';
import type { DialectAdapter } from '../database.ts';
import { idColumn, indexes, type Migration } from './helpers.ts';

/** The record of every file the feed pipeline takes up (the API's data_file_sources) and its row errors. */
export function feedsMigration(adapter: DialectAdapter): Migration {
  const bool = adapter.booleanType;
  const ts = adapter.timestampType;
  return {
    async up(db: Kysely<unknown>) {
      await idColumn(db.schema.createTable('feed_runs'), adapter)
        .addColumn('received_file_id', 'integer', (c) => c.notNull())
        .addColumn('account_id', 'integer', (c) => c.notNull())
        .addColumn('folder', 'varchar(40)', (c) => c.notNull())
        .addColumn('file_name', 'varchar(255)', (c) => c.notNull())
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('sha256', 'varchar(64)', (c) => c.notNull())
        .addColumn('content_sha256', 'varchar(64)')
        .addColumn('encrypted', bool, (c) => c.notNull())
        .addColumn('layout', 'varchar(60)')
        .addColumn('mode', 'varchar(10)')
        .addColumn('status', 'varchar(20)', (c) => c.notNull())
        .addColumn('approved', bool, (c) => c.notNull())
        .addColumn('rows_read', 'integer', (c) => c.notNull())
        .addColumn('created_count', 'integer', (c) => c.notNull())
        .addColumn('updated_count', 'integer', (c) => c.notNull())
        .addColumn('unchanged_count', 'integer', (c) => c.notNull())
        .addColumn('deactivated_count', 'integer', (c) => c.notNull())
        .addColumn('error_count', 'integer', (c) => c.notNull())
        .addColumn('held_missing', 'integer')
        .addColumn('held_active', 'integer')
        .addColumn('result_text', 'text')
        .addColumn('warnings', 'text')
        .addColumn('result_file', 'varchar(300)')
        .addColumn('result_temp', 'varchar(1000)')
        .addColumn('timings', 'text')
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('last_error', 'text')
        .addColumn('claimed_by', 'varchar(100)')
        .addColumn('heartbeat_at', ts)
        .addColumn('next_attempt_at', ts)
        .addColumn('reprocess_of', 'integer')
        .addColumn('created_by', 'varchar(255)')
        .addColumn('created_at', ts, (c) => c.notNull())
        .addColumn('started_at', ts)
        .addColumn('finished_at', ts)
        .addColumn('updated_at', ts, (c) => c.notNull())
        .execute();
      await indexes(db, 'feed_runs', [
        { columns: ['account_id', 'folder', 'status'] },
        { columns: ['status', 'folder'] },
        { columns: ['layout', 'content_sha256'] },
        { columns: ['received_file_id'] },
        { columns: ['created_at'] },
        { columns: ['updated_at'] },
        { columns: ['file_name'] },
      ]);

      await idColumn(db.schema.createTable('feed_run_errors'), adapter)
        .addColumn('run_id', 'integer', (c) => c.notNull().references('feed_runs.id'))
        .addColumn('line', 'integer')
        .addColumn('column_name', 'varchar(255)')
        .addColumn('message', 'text', (c) => c.notNull())
        .execute();
      await indexes(db, 'feed_run_errors', [{ columns: ['run_id', 'line'] }]);
    },
  };
}
