import { sql, type Kysely } from 'kysely';
import type { DialectAdapter } from '../database.ts';
import { idColumn, indexes, type Migration } from './helpers.ts';

/**
 * Workgate's own PGP keys (the private keys themselves are files in <data dir>/pgp/), the customers' public
 * keys per SFTP account, and each account's inbound signature policy.
 */
export function pgpMigration(adapter: DialectAdapter): Migration {
  const bool = adapter.booleanType;
  const ts = adapter.timestampType;
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('pgp_keys')
        .addColumn('fingerprint', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('key_id', 'varchar(16)', (c) => c.notNull())
        .addColumn('algorithm', 'varchar(40)', (c) => c.notNull())
        .addColumn('public_key', 'text', (c) => c.notNull())
        .addColumn('state', 'varchar(10)', (c) => c.notNull())
        .addColumn('created_at', ts, (c) => c.notNull())
        .addColumn('retired_at', ts)
        .execute();
      // At most one published key, whichever node wrote it.
      await indexes(db, 'pgp_keys', [{ name: 'pgp_keys_one_published', columns: ['state'], unique: true, where: sql<boolean>`state = 'published'` }]);

      await idColumn(db.schema.createTable('pgp_customer_keys'), adapter)
        .addColumn('account_id', 'integer', (c) => c.notNull().references('transfer_accounts.id').onDelete('cascade'))
        .addColumn('purpose', 'varchar(10)', (c) => c.notNull())
        .addColumn('fingerprint', 'varchar(64)', (c) => c.notNull())
        .addColumn('key_id', 'varchar(16)', (c) => c.notNull())
        .addColumn('algorithm', 'varchar(40)', (c) => c.notNull())
        .addColumn('bits', 'integer')
        .addColumn('expires_at', ts)
        .addColumn('user_id', 'varchar(255)')
        .addColumn('public_key', 'text', (c) => c.notNull())
        .addColumn('created_at', ts, (c) => c.notNull())
        .addColumn('updated_at', ts, (c) => c.notNull())
        .addColumn('created_by', 'varchar(255)')
        .addColumn('updated_by', 'varchar(255)')
        .execute();
      await indexes(db, 'pgp_customer_keys', [{ columns: ['account_id', 'purpose'], unique: true }, { columns: ['fingerprint'] }]);

      await db.schema
        .createTable('pgp_account_policies')
        .addColumn('account_id', 'integer', (c) => c.primaryKey().references('transfer_accounts.id').onDelete('cascade'))
        .addColumn('require_signed_inbound', bool, (c) => c.notNull())
        .addColumn('updated_at', ts, (c) => c.notNull())
        .addColumn('updated_by', 'varchar(255)')
        .execute();
    },
  };
}
