import type { FieldSpec, QuerySchema } from '../query/types.ts';

const audited: Record<string, FieldSpec> = {
  'created-at': { type: 'datetime', column: 'created_at' },
  'updated-at': { type: 'datetime', column: 'updated_at' },
  'created-by': { type: 'string', column: 'created_by' },
  'updated-by': { type: 'string', column: 'updated_by' },
};

export const roleQuerySchema: QuerySchema = {
  resource: 'role',
  table: 'core_roles',
  fields: {
    id: { type: 'integer', column: 'id' },
    name: { type: 'string', column: 'name' },
    description: { type: 'string', column: 'description' },
    predefined: { type: 'boolean', column: 'predefined' },
    ...audited,
  },
  associations: {},
};

export const userQuerySchema: QuerySchema = {
  resource: 'user',
  table: 'core_users',
  fields: {
    id: { type: 'integer', column: 'id' },
    login: { type: 'string', column: 'login', unique: true, prefixBucket: true },
    email: { type: 'string', column: 'email', unique: true, prefixBucket: true },
    firstname: { type: 'string', column: 'firstname', prefixBucket: true },
    lastname: { type: 'string', column: 'lastname', prefixBucket: true },
    middlename: { type: 'string', column: 'middlename' },
    'mention-name': { type: 'string', column: 'mention_name', unique: true },
    'employee-number': { type: 'string', column: 'employee_number', unique: true },
    active: { type: 'boolean', column: 'active' },
    'phone-work': { type: 'string', column: 'phone_work' },
    'phone-mobile': { type: 'string', column: 'phone_mobile' },
    'default-locale': { type: 'string', column: 'default_locale' },
    'ccw-user': { type: 'boolean', column: 'ccw_user' },
    'sso-identifier': { type: 'string', column: 'sso_identifier' },
    'authentication-method': { type: 'string', column: 'authentication_method' },
    'approval-limit': { type: 'decimal', column: 'approval_limit_amount', filterable: false },
    exported: { type: 'boolean', column: 'exported' },
    ...audited,
  },
  associations: {
    manager: { kind: 'one', foreignKey: 'manager_id', target: () => userQuerySchema },
    roles: {
      kind: 'many',
      through: { table: 'core_user_roles', ownerKey: 'user_id', targetKey: 'role_id' },
      target: () => roleQuerySchema,
    },
    'default-currency': { kind: 'embedded', fields: { code: { type: 'string', column: 'default_currency' } } },
  },
  aliases: { status: { field: 'active', values: { active: true, inactive: false } } },
};

export const lookupQuerySchema: QuerySchema = {
  resource: 'lookup',
  table: 'core_lookups',
  fields: {
    id: { type: 'integer', column: 'id' },
    name: { type: 'string', column: 'name', unique: true },
    description: { type: 'string', column: 'description' },
    active: { type: 'boolean', column: 'active' },
    exported: { type: 'boolean', column: 'exported' },
    ...audited,
  },
  associations: {},
};

export const accountTypeQuerySchema: QuerySchema = {
  resource: 'account-type',
  table: 'core_account_types',
  fields: {
    id: { type: 'integer', column: 'id' },
    name: { type: 'string', column: 'name', unique: true },
    active: { type: 'boolean', column: 'active' },
    exported: { type: 'boolean', column: 'exported' },
    ...audited,
  },
  associations: {
    currency: { kind: 'embedded', fields: { code: { type: 'string', column: 'currency' } } },
  },
};

const segmentFields: Record<string, FieldSpec> = Object.fromEntries(
  Array.from({ length: 20 }, (_, i) => [`segment-${i + 1}`, { type: 'string', column: `segment_${i + 1}` } satisfies FieldSpec]),
);

export const accountQuerySchema: QuerySchema = {
  resource: 'account',
  table: 'core_accounts',
  fields: {
    id: { type: 'integer', column: 'id' },
    name: { type: 'string', column: 'name' },
    code: { type: 'string', column: 'code' },
    active: { type: 'boolean', column: 'active' },
    'account-type-id': { type: 'integer', column: 'account_type_id' },
    exported: { type: 'boolean', column: 'exported' },
    ...segmentFields,
    ...audited,
  },
  associations: {
    'account-type': { kind: 'one', foreignKey: 'account_type_id', target: () => accountTypeQuerySchema },
  },
};

export const lookupValueQuerySchema: QuerySchema = {
  resource: 'lookup-value',
  table: 'core_lookup_values',
  fields: {
    id: { type: 'integer', column: 'id' },
    name: { type: 'string', column: 'name' },
    description: { type: 'string', column: 'description' },
    active: { type: 'boolean', column: 'active' },
    'lookup-id': { type: 'integer', column: 'lookup_id' },
    'external-ref-num': { type: 'string', column: 'external_ref_num' },
    'external-ref-code': { type: 'string', column: 'external_ref_code' },
    'parent-id': { type: 'integer', column: 'parent_id' },
    depth: { type: 'integer', column: 'depth' },
    'is-default': { type: 'boolean', column: 'is_default' },
    exported: { type: 'boolean', column: 'exported' },
    ...audited,
  },
  associations: {
    lookup: { kind: 'one', foreignKey: 'lookup_id', target: () => lookupQuerySchema },
    parent: { kind: 'one', foreignKey: 'parent_id', target: () => lookupValueQuerySchema },
    'account-type': { kind: 'one', foreignKey: 'account_type_id', target: () => accountTypeQuerySchema },
  },
};
