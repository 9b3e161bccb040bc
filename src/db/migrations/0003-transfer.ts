import { sql, type Kysely } from 'kysely';
import type { DialectAdapter } from '../database.ts';
import { idColumn, indexes, type Migration } from './helpers.ts';

/** SFTP accounts, their SSH keys, login defence, audit events, and the record of every received file. */
export function transferMigration(adapter: DialectAdapter): Migration {
  const bool = adapter.booleanType;
  const ts = adapter.timestampType;
  return {
    async up(db: Kysely<unknown>) {
      await idColumn(db.schema.createTable('transfer_accounts'), adapter)
        .addColumn('username', 'varchar(64)', (c) => c.notNull())
        .addColumn('password_hash', 'varchar(255)')
        .addColumn('auth_policy', 'varchar(30)', (c) => c.notNull())
        .addColumn('folders', 'text', (c) => c.notNull())
        .addColumn('max_sessions', 'integer', (c) => c.notNull())
        .addColumn('quota_bytes', 'bigint')
        .addColumn('allowed_networks', 'text', (c) => c.notNull())
        .addColumn('input_encoding', 'varchar(20)', (c) => c.notNull())
        .addColumn('disabled', bool, (c) => c.notNull())
        .addColumn('last_login_at', ts)
        .addColumn('last_login_address', 'varchar(64)')
        .addColumn('created_at', ts, (c) => c.notNull())
        .addColumn('updated_at', ts, (c) => c.notNull())
        .addColumn('created_by', 'varchar(255)')
        .addColumn('updated_by', 'varchar(255)')
        .execute();
      await indexes(db, 'transfer_accounts', [{ columns: ['username'], unique: true }]);

      await idColumn(db.schema.createTable('transfer_ssh_keys'), adapter)
        .addColumn('account_id', 'integer', (c) => c.notNull().references('transfer_accounts.id'))
        .addColumn('algorithm', 'varchar(40)', (c) => c.notNull())
        .addColumn('bits', 'integer', (c) => c.notNull())
        .addColumn('fingerprint', 'varchar(100)', (c) => c.notNull())
        .addColumn('public_key', 'text', (c) => c.notNull())
        .addColumn('comment', 'varchar(255)')
        .addColumn('created_at', ts, (c) => c.notNull())
        .addColumn('removed_at', ts)
        .execute();
      await indexes(db, 'transfer_ssh_keys', [
        { columns: ['account_id', 'fingerprint'], unique: true, where: sql<boolean>`removed_at is null` },
        { columns: ['fingerprint'] },
      ]);

      await idColumn(db.schema.createTable('transfer_audit_events'), adapter)
        .addColumn('at', ts, (c) => c.notNull())
        .addColumn('event', 'varchar(40)', (c) => c.notNull())
        .addColumn('outcome', 'varchar(20)', (c) => c.notNull())
        .addColumn('username', 'varchar(255)')
        .addColumn('account_id', 'integer')
        .addColumn('address', 'varchar(64)')
        .addColumn('method', 'varchar(40)')
        .addColumn('detail', 'text')
        .execute();
      await indexes(db, 'transfer_audit_events', [{ columns: ['at'] }, { columns: ['account_id', 'at'] }, { columns: ['address', 'at'] }]);

      await idColumn(db.schema.createTable('transfer_login_failures'), adapter)
        .addColumn('address', 'varchar(64)', (c) => c.notNull())
        .addColumn('username', 'varchar(255)')
        .addColumn('at', ts, (c) => c.notNull())
        .execute();
      await indexes(db, 'transfer_login_failures', [{ columns: ['address', 'at'] }, { columns: ['username', 'at'] }]);

      await db.schema
        .createTable('transfer_bans')
        .addColumn('address', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('reason', 'varchar(255)', (c) => c.notNull())
        .addColumn('banned_at', ts, (c) => c.notNull())
        .addColumn('until', ts, (c) => c.notNull())
        .execute();

      await idColumn(db.schema.createTable('transfer_received_files'), adapter)
        .addColumn('account_id', 'integer', (c) => c.notNull().references('transfer_accounts.id'))
        .addColumn('folder', 'varchar(100)', (c) => c.notNull())
        .addColumn('name', 'varchar(255)', (c) => c.notNull())
        .addColumn('storage_key', 'varchar(100)', (c) => c.notNull())
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('sha256', 'varchar(64)', (c) => c.notNull())
        .addColumn('status', 'varchar(20)', (c) => c.notNull())
        .addColumn('address', 'varchar(64)')
        .addColumn('received_at', ts, (c) => c.notNull())
        .addColumn('updated_at', ts, (c) => c.notNull())
        .execute();
      await indexes(db, 'transfer_received_files', [
        { columns: ['storage_key'], unique: true },
        { columns: ['account_id', 'folder', 'status'] },
        { columns: ['status', 'received_at'] },
      ]);
    },
  };
}
