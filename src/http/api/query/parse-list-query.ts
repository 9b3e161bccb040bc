import { QueryError } from '../../../shared/errors.ts';
import {
  MAX_LIMIT,
  defaultListQuery,
  operators,
  type AssociationSpec,
  type Condition,
  type ConditionValue,
  type FieldSpec,
  type FieldType,
  type ListQuery,
  type Operator,
  type QuerySchema,
} from '../../../query/types.ts';
import { coerceBoolean, coerceValue, quote } from './query-values.ts';

export const MAX_CONDITIONS = 50;
export const MAX_NAME_LENGTH = 200;
export const MAX_ASSOCIATION_DEPTH = 3;
export const MAX_LIST_ITEMS = 100;

export interface ParseListQueryOptions {
  /** Arguments handled elsewhere (e.g. return_object, fields); dashes and underscores alike. */
  ignore?: string[];
}

const textOnlyOperators: readonly Operator[] = ['contains', 'starts_with', 'ends_with'];
const operatorsByType: Record<FieldType, readonly Operator[]> = {
  string: operators,
  integer: operators.filter((op) => !textOnlyOperators.includes(op)),
  decimal: operators.filter((op) => !textOnlyOperators.includes(op)),
  boolean: operators.filter((op) => !textOnlyOperators.includes(op)),
  datetime: operators.filter((op) => !textOnlyOperators.includes(op) && op !== 'blank'),
};

/** Where a name in an argument can lead: a schema or an embedded object, both with fields. */
interface Scope {
  resource: string;
  fields: Record<string, FieldSpec>;
  associations: Record<string, AssociationSpec>;
}

/** An argument name resolved against the schema. */
interface Target {
  path: string[];
  field: string;
  spec: FieldSpec;
  operator: Operator;
}

/**
 * Parses the query arguments of a list request (reference/core-api.md, "Query arguments") into a
 * ListQuery for `schema`. Throws QueryError naming the argument as written for anything it cannot
 * understand; nothing unknown is ignored unless listed in `options.ignore`.
 */
export function parseListQuery(params: URLSearchParams, schema: QuerySchema, options: ParseListQueryOptions = {}): ListQuery {
  const query = defaultListQuery();
  const ignored = new Set((options.ignore ?? []).map(normalise));
  const seenReserved = new Set<string>();
  for (const [key, value] of params) {
    if (key.length > MAX_NAME_LENGTH) throw new QueryError(key.slice(0, MAX_NAME_LENGTH), `argument name is longer than ${MAX_NAME_LENGTH} characters`);
    const name = normalise(key);
    if (ignored.has(normalise(head(key)))) continue;
    if (isReserved(name)) {
      if (seenReserved.has(name)) throw new QueryError(key, 'given more than once; give it once');
      seenReserved.add(name);
      applyReserved(query, schema, name, key, value);
      continue;
    }
    if (query.conditions.length >= MAX_CONDITIONS) throw new QueryError(key, `too many conditions; at most ${MAX_CONDITIONS} per query`);
    query.conditions.push(parseCondition(schema, key, value));
  }
  return query;
}

function parseCondition(schema: QuerySchema, key: string, value: string): Condition {
  const segments = splitName(key);
  const alias = schema.aliases?.[normalise(segments[0] ?? '')];
  if (alias && !schema.fields[normalise(segments[0] ?? '')]) return aliasCondition(key, segments, alias, value);
  const target = resolveTarget(schema, key, segments);
  return { path: target.path, field: target.field, operator: target.operator, values: parseValues(key, target, value) };
}

function aliasCondition(key: string, segments: string[], alias: NonNullable<QuerySchema['aliases']>[string], value: string): Condition {
  const allowed = Object.keys(alias.values);
  const usage = allowed.map((v) => `${segments[0]}=${v}`).join(' or ');
  if (segments.length > 1) throw new QueryError(key, `takes no operator; use ${usage}`);
  const match = Object.entries(alias.values).find(([name]) => name.toLowerCase() === value.toLowerCase());
  if (!match) throw new QueryError(key, `unknown value ${quote(value)}; use ${usage}`);
  return { path: [], field: alias.field, operator: 'eq', values: [match[1]] };
}

/** `account_type[name][in]` -> ["account_type", "name", "in"]; refuses anything else. */
function splitName(key: string): string[] {
  const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(key);
  if (!match) throw new QueryError(key, 'malformed argument name; use attribute=value, attribute[operator]=value or association[attribute]=value');
  const brackets = [...(match[2] ?? '').matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1] ?? '');
  return [match[1] ?? '', ...brackets];
}

/** Walks association names from the root schema to a field, then reads the optional operator. */
function resolveTarget(schema: QuerySchema, key: string, segments: string[]): Target {
  let scope: Scope = schema;
  const path: string[] = [];
  for (let i = 0; i < segments.length; i++) {
    const name = normalise(segments[i] ?? '');
    const spec = scope.fields[name];
    if (spec) return fieldTarget(key, path, name, spec, segments.slice(i + 1));
    const association = scope.associations[name];
    if (!association) throw unknownAttribute(key, segments[i] ?? '', scope, path.length === 0 ? schema : undefined);
    path.push(name);
    if (path.length > MAX_ASSOCIATION_DEPTH) throw new QueryError(key, `goes through more than ${MAX_ASSOCIATION_DEPTH} associations`);
    scope = enter(name, association);
  }
  const last = segments[segments.length - 1] ?? '';
  const example = Object.keys(scope.fields).find((f) => f !== 'id') ?? 'id';
  throw new QueryError(key, `"${last}" is an association; name one of its attributes, e.g. ${key}[${example}]`);
}

function enter(name: string, association: AssociationSpec): Scope {
  return association.kind === 'embedded' ? { resource: name, fields: association.fields, associations: {} } : association.target();
}

function fieldTarget(key: string, path: string[], field: string, spec: FieldSpec, rest: string[]): Target {
  if (spec.filterable === false) throw new QueryError(key, `attribute "${field}" cannot be used in a query`);
  if (rest.length > 1) throw new QueryError(key, `too many brackets after attribute "${field}"; use ${field}[operator]=value`);
  const operator = rest.length === 0 ? 'eq' : parseOperator(key, rest[0] ?? '', field, spec.type);
  return { path, field, spec, operator };
}

function parseOperator(key: string, written: string, field: string, type: FieldType): Operator {
  const name = written.replaceAll('-', '_');
  const allowed = operatorsByType[type];
  if (!operators.includes(name as Operator)) throw new QueryError(key, `unknown operator ${quote(written)}; use one of ${allowed.join(', ')}`);
  if (!allowed.includes(name as Operator)) {
    throw new QueryError(key, `operator "${name}" cannot be used on ${type} attribute "${field}"; use one of ${allowed.join(', ')}`);
  }
  return name as Operator;
}

function parseValues(key: string, target: Target, value: string): ConditionValue[] {
  if (target.operator === 'blank') return [expectValue(key, coerceBoolean(value))];
  if (target.operator !== 'in' && target.operator !== 'not_in') return [typed(key, target, value)];
  const items = value.split(',');
  if (items.length > MAX_LIST_ITEMS) throw new QueryError(key, `list has ${items.length} items; at most ${MAX_LIST_ITEMS} are allowed`);
  if (items.some((item) => item === '')) throw new QueryError(key, 'list has an empty item; give comma-separated values, e.g. a,b');
  return items.map((item) => typed(key, target, item));
}

function typed(key: string, target: Target, raw: string): ConditionValue {
  return expectValue(key, coerceValue(target.spec.type, raw));
}

function expectValue(key: string, coerced: ReturnType<typeof coerceValue>): ConditionValue {
  if (!coerced.ok) throw new QueryError(key, coerced.problem);
  return coerced.value;
}

function unknownAttribute(key: string, written: string, scope: Scope, root: QuerySchema | undefined): QueryError {
  const known = [
    ...Object.entries(scope.fields)
      .filter(([, spec]) => spec.filterable !== false)
      .map(([name]) => name),
    ...Object.keys(scope.associations),
    ...Object.keys(root?.aliases ?? {}),
  ];
  return new QueryError(key, `unknown attribute ${quote(written)} for ${scope.resource}; known: ${known.join(', ')}`);
}

const reserved = ['limit', 'offset', 'order-by', 'dir'] as const;
type Reserved = (typeof reserved)[number];

function isReserved(name: string): name is Reserved {
  return (reserved as readonly string[]).includes(name);
}

function applyReserved(query: ListQuery, schema: QuerySchema, name: Reserved, key: string, value: string): void {
  switch (name) {
    case 'limit':
      query.limit = Math.min(nonNegativeInteger(key, value, true), MAX_LIMIT);
      return;
    case 'offset':
      query.offset = nonNegativeInteger(key, value, false);
      return;
    case 'order-by':
      query.orderBy = orderField(schema, key, value);
      return;
    case 'dir':
      query.dir = direction(key, value);
      return;
  }
}

function nonNegativeInteger(key: string, value: string, clampHuge: boolean): number {
  if (!/^\d+$/.test(value)) throw new QueryError(key, `${quote(value)} is not a non-negative integer`);
  const number = Number(value);
  if (!Number.isSafeInteger(number) && !clampHuge) throw new QueryError(key, `${quote(value)} is too large`);
  return number;
}

function orderField(schema: QuerySchema, key: string, value: string): string {
  const name = normalise(value);
  const sortable = Object.entries(schema.fields)
    .filter(([, spec]) => spec.filterable !== false)
    .map(([field]) => field);
  if (!sortable.includes(name)) throw new QueryError(key, `cannot order by ${quote(value)}; use one of ${sortable.join(', ')}`);
  return name;
}

function direction(key: string, value: string): 'asc' | 'desc' {
  const dir = value.toLowerCase();
  if (dir !== 'asc' && dir !== 'desc') throw new QueryError(key, `${quote(value)} is not a direction; use asc or desc`);
  return dir;
}

function head(key: string): string {
  const bracket = key.indexOf('[');
  return bracket === -1 ? key : key.slice(0, bracket);
}

/** Element names use dashes; query arguments may use underscores instead. */
function normalise(name: string): string {
  return name.replaceAll('_', '-');
}
