/**
 * The query language of the Core API (reference/core-api.md), as data. The HTTP layer parses query
 * strings into a ListQuery against a resource's QuerySchema; the owning domain's repository compiles
 * it into SQL. Neither knows the other.
 */
export const fieldTypes = ['integer', 'string', 'boolean', 'datetime', 'decimal'] as const;
export type FieldType = (typeof fieldTypes)[number];

export const operators = [
  'eq',
  'contains',
  'starts_with',
  'ends_with',
  'gt',
  'lt',
  'gt_or_eq',
  'lt_or_eq',
  'not_eq',
  'in',
  'not_in',
  'blank',
] as const;
export type Operator = (typeof operators)[number];

export interface FieldSpec {
  type: FieldType;
  /** Column of the schema's table (or, for an embedded association, of the owner's table). */
  column: string;
  /** False for elements that are rendered but cannot be filtered or sorted on. Default true. */
  filterable?: boolean;
  /** A unique index holds the column: equality through an association finds at most one row. */
  unique?: boolean;
  /**
   * SQLite has a bucket index `(lower(substr(column, 1, 2)), active)` for prefix filters (migration
   * 0008): a starts_with of two characters or more then reads only the rows of its bucket, in id order.
   */
  prefixBucket?: boolean;
}

export type AssociationSpec =
  /** A foreign key on the owner's table pointing at the target's id. */
  | { kind: 'one'; foreignKey: string; target: () => QuerySchema }
  /** A join table between the owner and the target. */
  | { kind: 'many'; through: { table: string; ownerKey: string; targetKey: string }; target: () => QuerySchema }
  /** An object in the API that is stored in the owner's own columns, e.g. default-currency {code}. */
  | { kind: 'embedded'; fields: Record<string, FieldSpec> };

export interface QuerySchema {
  /** Singular element name, e.g. "user". */
  resource: string;
  table: string;
  /** Keyed by dashed element name, e.g. "employee-number". */
  fields: Record<string, FieldSpec>;
  /** Keyed by dashed element name, e.g. "manager", "roles", "account-type". */
  associations: Record<string, AssociationSpec>;
  /** Extra top-level arguments with fixed meanings, e.g. users' status=active|inactive. */
  aliases?: Record<string, { field: string; values: Record<string, string | number | boolean> }>;
}

export type ConditionValue = string | number | boolean;

export interface Condition {
  /** Association names walked from the root, e.g. ["manager"] for manager[login]=. Empty for own fields. */
  path: string[];
  /** Dashed field name on the schema at the end of the path. */
  field: string;
  operator: Operator;
  /**
   * Typed values: numbers for integer, booleans for boolean, ISO-8601 UTC strings (`...Z`) for datetime,
   * strings otherwise. One value for most operators, several for in/not_in, a boolean for blank.
   */
  values: ConditionValue[];
}

export interface ListQuery {
  conditions: Condition[];
  limit: number;
  offset: number;
  /** Dashed field name on the root schema; default "id". */
  orderBy: string;
  dir: 'asc' | 'desc';
}

export const MAX_LIMIT = 50;

export function defaultListQuery(overrides: Partial<ListQuery> = {}): ListQuery {
  return { conditions: [], limit: MAX_LIMIT, offset: 0, orderBy: 'id', dir: 'asc', ...overrides };
}
