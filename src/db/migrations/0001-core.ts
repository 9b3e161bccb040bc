import { sql, type Kysely } from 'kysely';
import type { DialectAdapter } from '../database.ts';
import { idColumn, indexes, auditColumns, type Migration } from './helpers.ts';

export function coreMigration(adapter: DialectAdapter): Migration {
  const bool = adapter.booleanType;
  const ts = adapter.timestampType;
  return {
    async up(db: Kysely<unknown>) {
      await auditColumns(
        idColumn(db.schema.createTable('core_roles'), adapter)
          .addColumn('name', 'varchar(100)', (c) => c.notNull())
          .addColumn('description', 'varchar(255)')
          .addColumn('predefined', bool, (c) => c.notNull()),
        ts,
      ).execute();
      await indexes(db, 'core_roles', [{ columns: ['name'], unique: true }]);
      const now = new Date().toISOString();
      await (db as Kysely<{ core_roles: Record<string, unknown> }>)
        .insertInto('core_roles')
        .values(predefinedRoles.map((name) => ({ name, description: null, predefined: adapter.name === 'postgres' ? true : 1, created_at: now, updated_at: now, created_by: 'workgate', updated_by: 'workgate' })))
        .execute();

      await auditColumns(
        idColumn(db.schema.createTable('core_users'), adapter)
          .addColumn('login', 'varchar(255)', (c) => c.notNull())
          .addColumn('email', 'varchar(255)', (c) => c.notNull())
          .addColumn('firstname', 'varchar(40)', (c) => c.notNull())
          .addColumn('lastname', 'varchar(40)', (c) => c.notNull())
          .addColumn('middlename', 'varchar(40)')
          .addColumn('mention_name', 'varchar(255)')
          .addColumn('employee_number', 'varchar(255)')
          .addColumn('active', bool, (c) => c.notNull())
          .addColumn('phone_work', 'varchar(50)')
          .addColumn('phone_mobile', 'varchar(50)')
          .addColumn('default_currency', 'varchar(3)')
          .addColumn('default_locale', 'varchar(20)')
          .addColumn('manager_id', 'integer', (c) => c.references('core_users.id'))
          .addColumn('ccw_user', bool, (c) => c.notNull())
          .addColumn('sso_identifier', 'varchar(255)')
          .addColumn('authentication_method', 'varchar(40)')
          .addColumn('approval_limit_amount', 'varchar(40)')
          .addColumn('approval_limit_currency', 'varchar(3)')
          .addColumn('exported', bool, (c) => c.notNull()),
        ts,
      ).execute();
      await indexes(db, 'core_users', [
        { columns: ['login'], unique: true },
        { columns: ['email'], unique: true },
        { columns: ['employee_number'], unique: true },
        { columns: ['mention_name'], unique: true },
        { columns: ['sso_identifier'] },
        { columns: ['active'] },
        { columns: ['manager_id'] },
        { columns: ['updated_at'] },
        { columns: ['created_at'] },
        { columns: ['lastname'] },
        { columns: ['firstname'] },
        { name: 'core_users_lastname_lower', expression: adapter.bytewise(sql`lower(lastname)`) },
        { name: 'core_users_firstname_lower', expression: adapter.bytewise(sql`lower(firstname)`) },
        { name: 'core_users_login_lower', expression: adapter.bytewise(sql`lower(login)`) },
        { name: 'core_users_email_lower', expression: adapter.bytewise(sql`lower(email)`) },
      ]);

      await db.schema
        .createTable('core_user_roles')
        .addColumn('user_id', 'integer', (c) => c.notNull().references('core_users.id'))
        .addColumn('role_id', 'integer', (c) => c.notNull().references('core_roles.id'))
        .addPrimaryKeyConstraint('core_user_roles_pk', ['user_id', 'role_id'])
        .execute();
      await indexes(db, 'core_user_roles', [{ columns: ['role_id', 'user_id'] }]);

      await auditColumns(
        idColumn(db.schema.createTable('core_account_types'), adapter)
          .addColumn('name', 'varchar(50)', (c) => c.notNull())
          .addColumn('active', bool, (c) => c.notNull())
          .addColumn('currency', 'varchar(3)', (c) => c.notNull())
          .addColumn('exported', bool, (c) => c.notNull()),
        ts,
      ).execute();
      await indexes(db, 'core_account_types', [
        { columns: ['name'], unique: true },
        { columns: ['active'] },
        { columns: ['updated_at'] },
      ]);

      await auditColumns(
        idColumn(db.schema.createTable('core_lookups'), adapter)
          .addColumn('name', 'varchar(100)', (c) => c.notNull())
          .addColumn('description', 'varchar(255)')
          .addColumn('active', bool, (c) => c.notNull())
          .addColumn('level_names', 'text', (c) => c.notNull())
          .addColumn('exported', bool, (c) => c.notNull()),
        ts,
      ).execute();
      await indexes(db, 'core_lookups', [
        { columns: ['name'], unique: true },
        { columns: ['active'] },
        { columns: ['updated_at'] },
      ]);

      await db.schema
        .createTable('core_account_type_segments')
        .addColumn('account_type_id', 'integer', (c) => c.notNull().references('core_account_types.id'))
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('field_type_code', 'varchar(8)')
        .addColumn('field_type_name', 'varchar(50)', (c) => c.notNull())
        .addColumn('lookup_id', 'integer', (c) => c.references('core_lookups.id'))
        .addPrimaryKeyConstraint('core_account_type_segments_pk', ['account_type_id', 'position'])
        .execute();

      let accounts = idColumn(db.schema.createTable('core_accounts'), adapter)
        .addColumn('account_type_id', 'integer', (c) => c.notNull().references('core_account_types.id'))
        .addColumn('name', 'varchar(1024)')
        .addColumn('code', 'varchar(2100)', (c) => c.notNull())
        .addColumn('active', bool, (c) => c.notNull())
        .addColumn('exported', bool, (c) => c.notNull());
      for (let n = 1; n <= 20; n++) accounts = accounts.addColumn(`segment_${n}`, 'varchar(100)');
      await auditColumns(accounts, ts).execute();
      await indexes(db, 'core_accounts', [
        { columns: ['account_type_id', 'code'], unique: true },
        { columns: ['code'] },
        { columns: ['name'] },
        { columns: ['active'] },
        { columns: ['updated_at'] },
        ...Array.from({ length: 20 }, (_, i) => ({ columns: [`segment_${i + 1}`] })),
      ]);

      await auditColumns(
        idColumn(db.schema.createTable('core_lookup_values'), adapter)
          .addColumn('lookup_id', 'integer', (c) => c.notNull().references('core_lookups.id'))
          .addColumn('name', 'varchar(255)', (c) => c.notNull())
          .addColumn('description', 'varchar(255)')
          .addColumn('active', bool, (c) => c.notNull())
          .addColumn('external_ref_num', 'varchar(255)')
          .addColumn('external_ref_code', 'varchar(2000)')
          .addColumn('parent_id', 'integer', (c) => c.references('core_lookup_values.id'))
          .addColumn('depth', 'integer', (c) => c.notNull())
          .addColumn('is_default', bool, (c) => c.notNull())
          .addColumn('account_type_id', 'integer', (c) => c.references('core_account_types.id'))
          .addColumn('exported', bool, (c) => c.notNull()),
        ts,
      ).execute();
      await indexes(db, 'core_lookup_values', [
        { name: 'core_lookup_values_name_unique', expression: sql`lookup_id, coalesce(parent_id, 0), name`, unique: true },
        { columns: ['lookup_id', 'external_ref_code'], unique: true, where: sql<boolean>`external_ref_code is not null` },
        { columns: ['name'] },
        { columns: ['external_ref_num'] },
        { columns: ['external_ref_code'] },
        { columns: ['parent_id'] },
        { columns: ['active'] },
        { columns: ['updated_at'] },
      ]);
    },
  };
}

/** The platform's predefined roles; custom roles are added through /api/roles. */
export const predefinedRoles = [
  'User',
  'Buyer',
  'Accounts Payable',
  'Central Receiving',
  'Accounting Supervisor',
  'Edit as Approver',
  'Inventory Manager',
  'Admin',
] as const;
