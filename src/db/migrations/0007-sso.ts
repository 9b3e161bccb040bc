import type { Kysely } from 'kysely';
import type { DialectAdapter } from '../database.ts';
import { idColumn, indexes, type Migration } from './helpers.ts';

/**
 * Sign-in of people (src/http/sso/): identity providers, sign-ins in progress, SAML assertions already used,
 * browser sessions, local break-glass admins and the sign-in audit trail. Everything a node needs to serve any
 * step of a sign-in started on another node lives here.
 */
export function ssoMigration(adapter: DialectAdapter): Migration {
  const bool = adapter.booleanType;
  const ts = adapter.timestampType;
  return {
    async up(db: Kysely<unknown>) {
      await idColumn(db.schema.createTable('sso_providers'), adapter)
        .addColumn('name', 'varchar(64)', (c) => c.notNull())
        .addColumn('kind', 'varchar(10)', (c) => c.notNull())
        .addColumn('enabled', bool, (c) => c.notNull())
        .addColumn('settings', 'text', (c) => c.notNull())
        .addColumn('secret', 'text')
        .addColumn('created_at', ts, (c) => c.notNull())
        .addColumn('updated_at', ts, (c) => c.notNull())
        .addColumn('created_by', 'varchar(255)')
        .addColumn('updated_by', 'varchar(255)')
        .execute();
      await indexes(db, 'sso_providers', [{ columns: ['name'], unique: true }]);

      await db.schema
        .createTable('sso_login_states')
        .addColumn('binding_hash', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('state', 'varchar(64)', (c) => c.notNull())
        .addColumn('provider', 'varchar(64)', (c) => c.notNull())
        .addColumn('nonce', 'varchar(64)')
        .addColumn('code_verifier', 'varchar(128)')
        .addColumn('saml_request_id', 'varchar(64)')
        .addColumn('return_to', 'varchar(2048)', (c) => c.notNull())
        .addColumn('identity', 'text')
        .addColumn('created_at', ts, (c) => c.notNull())
        .addColumn('expires_at', ts, (c) => c.notNull())
        .execute();
      await indexes(db, 'sso_login_states', [{ columns: ['state'], unique: true }, { columns: ['expires_at'] }]);

      await db.schema
        .createTable('sso_saml_assertions')
        .addColumn('assertion_id', 'varchar(255)', (c) => c.primaryKey())
        .addColumn('provider', 'varchar(64)', (c) => c.notNull())
        .addColumn('expires_at', ts, (c) => c.notNull())
        .execute();
      await indexes(db, 'sso_saml_assertions', [{ columns: ['expires_at'] }]);

      await idColumn(db.schema.createTable('sso_sessions'), adapter)
        .addColumn('token_hash', 'varchar(64)', (c) => c.notNull())
        .addColumn('csrf_token', 'varchar(64)', (c) => c.notNull())
        .addColumn('provider', 'varchar(64)')
        .addColumn('subject', 'varchar(255)')
        .addColumn('core_user_id', 'integer')
        .addColumn('local_admin_id', 'integer')
        .addColumn('access', 'text', (c) => c.notNull())
        .addColumn('id_token', 'text')
        .addColumn('address', 'varchar(64)')
        .addColumn('created_at', ts, (c) => c.notNull())
        .addColumn('last_seen_at', ts, (c) => c.notNull())
        .addColumn('access_checked_at', ts, (c) => c.notNull())
        .addColumn('expires_at', ts, (c) => c.notNull())
        .addColumn('ended_at', ts)
        .execute();
      await indexes(db, 'sso_sessions', [{ columns: ['token_hash'], unique: true }, { columns: ['expires_at'] }]);

      await idColumn(db.schema.createTable('sso_local_admins'), adapter)
        .addColumn('login', 'varchar(100)', (c) => c.notNull())
        .addColumn('password_hash', 'varchar(255)', (c) => c.notNull())
        .addColumn('disabled', bool, (c) => c.notNull())
        .addColumn('last_login_at', ts)
        .addColumn('created_at', ts, (c) => c.notNull())
        .addColumn('updated_at', ts, (c) => c.notNull())
        .execute();
      await indexes(db, 'sso_local_admins', [{ columns: ['login'], unique: true }]);

      await idColumn(db.schema.createTable('sso_audit_events'), adapter)
        .addColumn('at', ts, (c) => c.notNull())
        .addColumn('event', 'varchar(40)', (c) => c.notNull())
        .addColumn('outcome', 'varchar(10)', (c) => c.notNull())
        .addColumn('provider', 'varchar(64)')
        .addColumn('subject', 'varchar(255)')
        .addColumn('login', 'varchar(255)')
        .addColumn('address', 'varchar(64)')
        .addColumn('reason', 'varchar(40)')
        .addColumn('message', 'varchar(500)')
        .execute();
      await indexes(db, 'sso_audit_events', [
        { columns: ['event', 'login', 'at'] },
        { columns: ['event', 'address', 'at'] },
      ]);
    },
  };
}
