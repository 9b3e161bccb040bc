import { sql, type Kysely } from 'kysely';
import type { DialectAdapter } from '../database.ts';
import { idColumn, indexes, type Migration } from './helpers.ts';

/**
 * Workforce's own tables (owned by src/workforce/) and the sync outbox (owned by src/sync/, written by
 * Core through its outbox port in the same transaction as each change).
 */
export function workforceSyncMigration(adapter: DialectAdapter): Migration {
  const bool = adapter.booleanType;
  const ts = sql.raw(adapter.timestampType);
  const falseValue = sql.raw(adapter.name === 'postgres' ? 'false' : '0');
  return {
    async up(db: Kysely<unknown>) {
      await idColumn(db.schema.createTable('workforce_roles'), adapter)
        .addColumn('name', 'varchar(100)', (c) => c.notNull())
        .execute();
      await indexes(db, 'workforce_roles', [{ columns: ['name'], unique: true }]);

      await idColumn(db.schema.createTable('workforce_users'), adapter)
        .addColumn('source_id', 'integer')
        .addColumn('user_name', 'varchar(255)', (c) => c.notNull())
        .addColumn('first_name', 'varchar(40)', (c) => c.notNull())
        .addColumn('last_name', 'varchar(40)', (c) => c.notNull())
        .addColumn('nick_name', 'varchar(255)')
        .addColumn('email', 'varchar(255)', (c) => c.notNull())
        .addColumn('phone_number', 'varchar(50)')
        .addColumn('default_currency', 'varchar(3)')
        .addColumn('employee_number', 'varchar(255)')
        .addColumn('active', bool, (c) => c.notNull())
        .addColumn('supervisor_id', 'integer', (c) => c.references('workforce_users.id'))
        .addColumn('supervisor_source_id', 'integer')
        .addColumn('approval_limit_amount', 'varchar(40)')
        .addColumn('approval_limit_currency', 'varchar(3)')
        .addColumn('created_at', ts, (c) => c.notNull())
        .addColumn('updated_at', ts, (c) => c.notNull())
        .execute();
      await indexes(db, 'workforce_users', [
        { columns: ['source_id'], unique: true },
        { columns: ['user_name'], unique: true },
        { columns: ['supervisor_id'] },
        // Users waiting for a supervisor that is not (yet) a Workforce user: a small index, probed by every sync batch.
        { name: 'workforce_users_waiting', columns: ['supervisor_source_id'], where: sql<boolean>`supervisor_id is null` },
      ]);

      await db.schema
        .createTable('workforce_user_roles')
        .addColumn('user_id', 'integer', (c) => c.notNull().references('workforce_users.id'))
        .addColumn('role_id', 'integer', (c) => c.notNull().references('workforce_roles.id'))
        .addPrimaryKeyConstraint('workforce_user_roles_pk', ['user_id', 'role_id'])
        .execute();
      await indexes(db, 'workforce_user_roles', [{ columns: ['role_id', 'user_id'] }]);

      await db.schema
        .createTable('workforce_settings')
        .addColumn('key', 'varchar(100)', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('updated_at', ts, (c) => c.notNull())
        .execute();

      await idColumn(db.schema.createTable('workforce_segment_values'), adapter)
        .addColumn('slot', 'integer', (c) => c.notNull())
        .addColumn('name', 'varchar(255)', (c) => c.notNull())
        .addColumn('code', 'varchar(255)')
        .addColumn('description', 'varchar(500)')
        .addColumn('active', bool, (c) => c.notNull())
        .addColumn('source_key', 'varchar(300)')
        .addColumn('created_at', ts, (c) => c.notNull())
        .addColumn('updated_at', ts, (c) => c.notNull())
        .execute();
      await indexes(db, 'workforce_segment_values', [
        { columns: ['slot', 'name'], unique: true },
        { columns: ['slot', 'source_key'], unique: true, where: sql<boolean>`source_key is not null` },
        { columns: ['slot', 'code'] },
      ]);

      await idColumn(db.schema.createTable('workforce_segment_relationships'), adapter)
        .addColumn('parent_value_id', 'integer', (c) => c.notNull().references('workforce_segment_values.id'))
        .addColumn('child_value_id', 'integer', (c) => c.notNull().references('workforce_segment_values.id'))
        .addColumn('active', bool, (c) => c.notNull())
        .addColumn('created_at', ts, (c) => c.notNull())
        .addColumn('updated_at', ts, (c) => c.notNull())
        .execute();
      await indexes(db, 'workforce_segment_relationships', [
        { columns: ['parent_value_id', 'child_value_id'], unique: true },
        { columns: ['child_value_id'] },
      ]);

      await idColumn(db.schema.createTable('workforce_work_locations'), adapter)
        .addColumn('code', 'varchar(100)', (c) => c.notNull())
        .addColumn('name', 'varchar(200)')
        .addColumn('address_line1', 'varchar(400)', (c) => c.notNull())
        .addColumn('address_line2', 'varchar(400)')
        .addColumn('city', 'varchar(100)', (c) => c.notNull())
        .addColumn('state', 'varchar(100)', (c) => c.notNull())
        .addColumn('postal_code', 'varchar(20)')
        .addColumn('country', 'varchar(3)', (c) => c.notNull())
        .addColumn('active', bool, (c) => c.notNull())
        .addColumn('created_at', ts, (c) => c.notNull())
        .addColumn('updated_at', ts, (c) => c.notNull())
        .execute();
      await indexes(db, 'workforce_work_locations', [{ columns: ['code'], unique: true }]);

      const outbox = adapter.name === 'postgres'
        ? db.schema.createTable('sync_outbox').addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity())
        : db.schema.createTable('sync_outbox').addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
      await outbox
        .addColumn('entity', 'varchar(40)', (c) => c.notNull())
        .addColumn('entity_id', 'integer', (c) => c.notNull())
        .addColumn('kind', 'varchar(40)', (c) => c.notNull())
        .addColumn('detail', 'text')
        .addColumn('created_at', ts, (c) => c.notNull())
        .addColumn('applied_at', ts)
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', ts)
        .addColumn('last_error', 'text')
        .addColumn('parked', bool, (c) => c.notNull().defaultTo(falseValue))
        .execute();
      await indexes(db, 'sync_outbox', [
        { name: 'sync_outbox_pending', columns: ['id'], where: sql<boolean>`applied_at is null and parked = ${falseValue}` },
        { name: 'sync_outbox_retrying', columns: ['entity', 'entity_id'], where: sql<boolean>`next_attempt_at is not null and applied_at is null` },
        // Purge and "last applied" only; partial so that no query for pending rows (applied_at is null) can pick it.
        { columns: ['applied_at'], where: sql<boolean>`applied_at is not null` },
      ]);
    },
  };
}
