import type { Kysely } from 'kysely';
import type { DialectAdapter } from '../database.ts';
import { idColumn, indexes, type Migration } from './helpers.ts';

export function authMigration(adapter: DialectAdapter): Migration {
  const bool = adapter.booleanType;
  const ts = adapter.timestampType;
  return {
    async up(db: Kysely<unknown>) {
      await idColumn(db.schema.createTable('auth_api_keys'), adapter)
        .addColumn('name', 'varchar(100)', (c) => c.notNull())
        .addColumn('key_hash', 'varchar(64)', (c) => c.notNull())
        .addColumn('key_prefix', 'varchar(8)', (c) => c.notNull())
        .addColumn('scopes', 'text', (c) => c.notNull())
        .addColumn('active', bool, (c) => c.notNull())
        .addColumn('rate_limited', bool, (c) => c.notNull())
        .addColumn('created_at', ts, (c) => c.notNull())
        .addColumn('last_used_at', ts)
        .execute();
      await indexes(db, 'auth_api_keys', [
        { columns: ['key_hash'], unique: true },
        { columns: ['name'], unique: true },
      ]);

      await idColumn(db.schema.createTable('auth_oauth_clients'), adapter)
        .addColumn('client_id', 'varchar(100)', (c) => c.notNull())
        .addColumn('name', 'varchar(100)', (c) => c.notNull())
        .addColumn('secret_hash', 'varchar(255)', (c) => c.notNull())
        .addColumn('scopes', 'text', (c) => c.notNull())
        .addColumn('active', bool, (c) => c.notNull())
        .addColumn('created_at', ts, (c) => c.notNull())
        .addColumn('updated_at', ts, (c) => c.notNull())
        .execute();
      await indexes(db, 'auth_oauth_clients', [{ columns: ['client_id'], unique: true }]);

      await db.schema
        .createTable('auth_oauth_tokens')
        .addColumn('token_hash', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('client_id', 'varchar(100)', (c) => c.notNull())
        .addColumn('scopes', 'text', (c) => c.notNull())
        .addColumn('expires_at', ts, (c) => c.notNull())
        .addColumn('created_at', ts, (c) => c.notNull())
        .execute();
      await indexes(db, 'auth_oauth_tokens', [{ columns: ['expires_at'] }, { columns: ['client_id'] }]);
    },
  };
}
