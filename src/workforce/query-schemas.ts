import type { QuerySchema } from '../query/types.ts';

/** The query language over Workforce's resources (same operators and rules as the Core API). */
export const workforceRoleQuerySchema: QuerySchema = {
  resource: 'role',
  table: 'workforce_roles',
  fields: { id: { type: 'integer', column: 'id' }, name: { type: 'string', column: 'name' } },
  associations: {},
};

export const workforceUserQuerySchema: QuerySchema = {
  resource: 'user',
  table: 'workforce_users',
  fields: {
    id: { type: 'integer', column: 'id' },
    'user-name': { type: 'string', column: 'user_name' },
    'first-name': { type: 'string', column: 'first_name' },
    'last-name': { type: 'string', column: 'last_name' },
    'nick-name': { type: 'string', column: 'nick_name' },
    email: { type: 'string', column: 'email' },
    'phone-number': { type: 'string', column: 'phone_number' },
    'employee-number': { type: 'string', column: 'employee_number' },
    active: { type: 'boolean', column: 'active' },
    'approval-limit': { type: 'decimal', column: 'approval_limit_amount', filterable: false },
    'created-at': { type: 'datetime', column: 'created_at' },
    'updated-at': { type: 'datetime', column: 'updated_at' },
  },
  associations: {
    supervisor: { kind: 'one', foreignKey: 'supervisor_id', target: () => workforceUserQuerySchema },
    roles: {
      kind: 'many',
      through: { table: 'workforce_user_roles', ownerKey: 'user_id', targetKey: 'role_id' },
      target: () => workforceRoleQuerySchema,
    },
    'default-currency': { kind: 'embedded', fields: { code: { type: 'string', column: 'default_currency' } } },
  },
  aliases: { status: { field: 'active', values: { active: true, inactive: false } } },
};

export const segmentValueQuerySchema: QuerySchema = {
  resource: 'value',
  table: 'workforce_segment_values',
  fields: {
    id: { type: 'integer', column: 'id' },
    name: { type: 'string', column: 'name' },
    code: { type: 'string', column: 'code' },
    description: { type: 'string', column: 'description' },
    active: { type: 'boolean', column: 'active' },
    'created-at': { type: 'datetime', column: 'created_at' },
    'updated-at': { type: 'datetime', column: 'updated_at' },
  },
  associations: {},
  aliases: { status: { field: 'active', values: { active: true, inactive: false } } },
};

export const workLocationQuerySchema: QuerySchema = {
  resource: 'work-location',
  table: 'workforce_work_locations',
  fields: {
    id: { type: 'integer', column: 'id' },
    code: { type: 'string', column: 'code' },
    name: { type: 'string', column: 'name' },
    'address-line1': { type: 'string', column: 'address_line1' },
    'address-line2': { type: 'string', column: 'address_line2' },
    city: { type: 'string', column: 'city' },
    state: { type: 'string', column: 'state' },
    'postal-code': { type: 'string', column: 'postal_code' },
    country: { type: 'string', column: 'country' },
    active: { type: 'boolean', column: 'active' },
    'created-at': { type: 'datetime', column: 'created_at' },
    'updated-at': { type: 'datetime', column: 'updated_at' },
  },
  associations: {},
  aliases: { status: { field: 'active', values: { active: true, inactive: false } } },
};
