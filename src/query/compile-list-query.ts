import { sql, type RawBuilder, type SelectQueryBuilder } from 'kysely';
import type { DialectAdapter } from '../db/index.ts';
import type { AssociationSpec, Condition, ConditionValue, FieldSpec, FieldType, ListQuery, QuerySchema } from './types.ts';

/**
 * Compiles a ListQuery (parsed from the Core query language) into SQL that behaves the same on SQLite
 * and PostgreSQL. Every value is a bound parameter. `qb` must select from `schema.table` (unaliased).
 */
export function applyListQuery<DB, TB extends keyof DB, O>(
  qb: SelectQueryBuilder<DB, TB, O>,
  schema: QuerySchema,
  query: ListQuery,
  adapter: DialectAdapter,
): SelectQueryBuilder<DB, TB, O> {
  let out = qb;
  for (const condition of query.conditions) out = out.where(compileCondition(schema, condition, adapter));
  return applyOrder(out, schema, query, adapter).limit(query.limit).offset(query.offset);
}

/** One condition as a boolean SQL expression over `schema.table`; for callers that build their own query. */
export function compileCondition(schema: QuerySchema, condition: Condition, adapter: DialectAdapter): RawBuilder<boolean> {
  return compileAt({ alias: schema.table, schema, fields: schema.fields, associations: schema.associations, depth: 0 }, condition.path, condition, adapter);
}

/** Where a condition is being compiled: the SQL alias of the current row and what it holds. */
interface Scope {
  alias: string;
  schema: QuerySchema;
  fields: Record<string, FieldSpec>;
  associations: Record<string, AssociationSpec>;
  depth: number;
}

function compileAt(scope: Scope, path: string[], condition: Condition, adapter: DialectAdapter): RawBuilder<boolean> {
  const [name, ...rest] = path;
  if (name === undefined) {
    const spec = scope.fields[condition.field];
    if (!spec) throw new Error(`${scope.schema.resource} has no field "${condition.field}"`);
    return compilePredicate(column(scope.alias, spec.column), spec.type, condition, adapter, spec.prefixBucket === true);
  }
  const association = scope.associations[name];
  if (!association) throw new Error(`${scope.schema.resource} has no association "${name}"`);
  switch (association.kind) {
    case 'embedded':
      return compileAt({ ...scope, fields: association.fields, associations: {} }, rest, condition, adapter);
    case 'one':
      return compileOne(scope, association.foreignKey, association.target(), rest, condition, adapter);
    case 'many':
      return compileMany(scope, association.through, association.target(), rest, condition, adapter);
  }
}

/**
 * `owner.fk in (select id from target where ...)`. A missing target counts as a row of NULLs, so
 * conditions that match NULL (not_eq, not_in, blank=true) also match owners whose fk is NULL.
 * A condition on the target's id is compiled on the fk itself. Equality on a unique field of the
 * target (manager[login]=, account_type[name]=) is `owner.fk = (select id ...)`: both databases then
 * know it is one value and read the owner's index on (fk, ...) in order instead of guessing a spread.
 */
function compileOne(scope: Scope, foreignKey: string, target: QuerySchema, rest: string[], condition: Condition, adapter: DialectAdapter): RawBuilder<boolean> {
  const fk = column(scope.alias, foreignKey);
  if (isTargetId(target, rest, condition)) return compilePredicate(fk, 'integer', condition, adapter);
  const inner = nested(scope, target);
  const ids = sql`(select ${column(inner.alias, 'id')} from ${sql.table(target.table)} as ${sql.id(inner.alias)} where ${compileAt(inner, rest, condition, adapter)})`;
  if (isUniqueEquality(target, rest, condition)) return sql<boolean>`${fk} = ${ids}`;
  const matches = sql<boolean>`${fk} in ${ids}`;
  return nullRowMatches(target, rest, condition) ? sql<boolean>`(${fk} is null or ${matches})` : matches;
}

/**
 * Some related record matches: `owner.id in (select link.ownerKey from through as link where
 * link.targetKey in (select id from target where ...))`. Same rows as the correlated
 * `exists (...)`, but both databases can drive it from the link table's (targetKey, ownerKey) index
 * instead of scanning every owner.
 */
function compileMany(
  scope: Scope,
  through: { table: string; ownerKey: string; targetKey: string },
  target: QuerySchema,
  rest: string[],
  condition: Condition,
  adapter: DialectAdapter,
): RawBuilder<boolean> {
  const link = `q${scope.depth + 1}_link`;
  const targetKey = column(link, through.targetKey);
  let targetMatches: RawBuilder<boolean>;
  if (isTargetId(target, rest, condition)) {
    targetMatches = compilePredicate(targetKey, 'integer', condition, adapter);
  } else {
    const inner = nested(scope, target);
    targetMatches = sql<boolean>`${targetKey} in (select ${column(inner.alias, 'id')} from ${sql.table(target.table)} as ${sql.id(inner.alias)} where ${compileAt(inner, rest, condition, adapter)})`;
  }
  return sql<boolean>`${column(scope.alias, 'id')} in (select ${column(link, through.ownerKey)} from ${sql.table(through.table)} as ${sql.id(link)} where ${targetMatches})`;
}

function nested(scope: Scope, target: QuerySchema): Scope {
  const depth = scope.depth + 1;
  return { alias: `q${depth}`, schema: target, fields: target.fields, associations: target.associations, depth };
}

function isTargetId(target: QuerySchema, rest: string[], condition: Condition): boolean {
  return rest.length === 0 && condition.field === 'id' && target.fields.id?.column === 'id';
}

/** At most one target row can match: equality on one of its own unique fields. */
function isUniqueEquality(target: QuerySchema, rest: string[], condition: Condition): boolean {
  return rest.length === 0 && condition.operator === 'eq' && target.fields[condition.field]?.unique === true;
}

/** Would the condition hold on a target row that does not exist (all NULLs)? */
function nullRowMatches(schema: QuerySchema, path: string[], condition: Condition): boolean {
  const [name, ...rest] = path;
  if (name === undefined) return matchesNull(condition);
  const association = schema.associations[name];
  if (!association || association.kind === 'many') return false;
  return association.kind === 'embedded' ? rest.length === 0 && matchesNull(condition) : nullRowMatches(association.target(), rest, condition);
}

function matchesNull(condition: Condition): boolean {
  return condition.operator === 'not_eq' || condition.operator === 'not_in' || (condition.operator === 'blank' && condition.values[0] === true);
}

function compilePredicate(col: RawBuilder<unknown>, type: FieldType, condition: Condition, adapter: DialectAdapter, prefixBucket = false): RawBuilder<boolean> {
  const values = condition.values;
  const first = values[0];
  if (first === undefined) throw new Error(`condition on "${condition.field}" has no value`);
  const subject = operand(col, type, condition.operator, adapter);
  switch (condition.operator) {
    case 'eq':
      return sql<boolean>`${subject} = ${param(first, type)}`;
    case 'not_eq':
      return sql<boolean>`(${subject} <> ${param(first, type)} or ${col} is null)`;
    case 'gt':
      return sql<boolean>`${subject} > ${param(first, type)}`;
    case 'lt':
      return sql<boolean>`${subject} < ${param(first, type)}`;
    case 'gt_or_eq':
      return sql<boolean>`${subject} >= ${param(first, type)}`;
    case 'lt_or_eq':
      return sql<boolean>`${subject} <= ${param(first, type)}`;
    case 'in':
      return sql<boolean>`${subject} in (${list(values, type)})`;
    case 'not_in':
      return sql<boolean>`(${subject} not in (${list(values, type)}) or ${col} is null)`;
    case 'contains':
      return like(col, `%${escapeLike(String(first))}%`);
    case 'ends_with':
      return like(col, `%${escapeLike(String(first))}`);
    case 'starts_with':
      return startsWith(col, String(first), adapter, prefixBucket);
    case 'blank':
      return blank(col, type, first === true);
  }
}

/** Strings compare byte-wise in ranges (as SQLite does); decimals compare as numbers. */
function operand(col: RawBuilder<unknown>, type: FieldType, operator: Condition['operator'], adapter: DialectAdapter): RawBuilder<unknown> {
  if (type === 'decimal') return sql`cast(${col} as numeric)`;
  const range = operator === 'gt' || operator === 'lt' || operator === 'gt_or_eq' || operator === 'lt_or_eq';
  return type === 'string' && range ? adapter.bytewise(col) : col;
}

/** Integers are cast to bigint so a value beyond a 32-bit column's range is no match, not an error. */
function param(value: ConditionValue, type: FieldType): RawBuilder<unknown> {
  if (type === 'integer') return sql`cast(${value} as bigint)`;
  if (type === 'decimal') return sql`cast(${value} as numeric)`;
  return sql`${value}`;
}

function list(values: ConditionValue[], type: FieldType): RawBuilder<unknown> {
  return sql.join(values.map((value) => param(value, type)));
}

/** Case-insensitive match; the pattern is lower-cased by the same lower() as the column. */
function like(col: RawBuilder<unknown>, pattern: string): RawBuilder<boolean> {
  return sql<boolean>`lower(${col}) like lower(${pattern}) escape '\\'`;
}

/**
 * Case-insensitive prefix match, one predicate per database so that each planner estimates it right
 * (given both, PostgreSQL multiplied their selectivities and chose a bitmap scan and a sort of every match).
 * PostgreSQL: LIKE on the byte-wise `lower(col)` its expression index holds, which it turns into a range
 * of that index. SQLite: the byte-wise range on lower(col) from lower(prefix) to lower(prefix) followed
 * by the highest code point, and where the column has a bucket index and the prefix two characters or
 * more, the bucket of its first two characters too: the index then yields the bucket's rows in id order
 * and a list query stops at its limit. The LIKE stays on SQLite for exactness (a value with U+10FFFF
 * after the prefix is past the range's end), as a filter. Both sides are lower-cased by the database's
 * own lower() (SQLite folds ASCII only, PostgreSQL follows the locale).
 */
function startsWith(col: RawBuilder<unknown>, prefix: string, adapter: DialectAdapter, prefixBucket: boolean): RawBuilder<boolean> {
  const folded = adapter.bytewise(sql`lower(${col})`);
  const pattern = `${escapeLike(prefix)}%`;
  if (adapter.name === 'postgres') return sql<boolean>`${folded} like lower(${pattern}) escape '\\'`;
  const range = sql<boolean>`${folded} >= lower(${prefix}) and ${folded} < lower(${`${prefix}\u{10FFFF}`}) and ${like(col, pattern)}`;
  if (!prefixBucket || [...prefix].length < 2) return sql<boolean>`(${range})`;
  return sql<boolean>`(lower(substr(${col}, 1, 2)) = lower(substr(${prefix}, 1, 2)) and ${range})`;
}

function blank(col: RawBuilder<unknown>, type: FieldType, wanted: boolean): RawBuilder<boolean> {
  if (type === 'string') return wanted ? sql<boolean>`(${col} is null or ${col} = '')` : sql<boolean>`(${col} is not null and ${col} <> '')`;
  return wanted ? sql<boolean>`${col} is null` : sql<boolean>`${col} is not null`;
}

export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}

function applyOrder<DB, TB extends keyof DB, O>(
  qb: SelectQueryBuilder<DB, TB, O>,
  schema: QuerySchema,
  query: ListQuery,
  adapter: DialectAdapter,
): SelectQueryBuilder<DB, TB, O> {
  const id = column(schema.table, schema.fields.id?.column ?? 'id');
  const spec = query.orderBy === 'id' ? undefined : schema.fields[query.orderBy];
  if (query.orderBy !== 'id' && !spec) throw new Error(`${schema.resource} has no field "${query.orderBy}" to order by`);
  const desc = query.dir === 'desc';
  let out = qb;
  if (spec) {
    const expression = sortExpression(column(schema.table, spec.column), spec.type, adapter);
    // NULL sorts as the smallest value on both databases (SQLite's rule; PostgreSQL's default is the opposite).
    out = out.orderBy(expression, (ob) => (desc ? ob.desc().nullsLast() : ob.asc().nullsFirst()));
  }
  return out.orderBy(id, (ob) => (desc ? ob.desc() : ob.asc()));
}

function sortExpression(col: RawBuilder<unknown>, type: FieldType, adapter: DialectAdapter): RawBuilder<unknown> {
  if (type === 'string') return adapter.bytewise(col);
  return type === 'decimal' ? sql`cast(${col} as numeric)` : col;
}

function column(alias: string, name: string): RawBuilder<unknown> {
  return sql.ref(`${alias}.${name}`);
}
