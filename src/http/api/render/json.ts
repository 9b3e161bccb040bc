/**
 * JSON bodies: a record is the object itself, a list is a top-level array. Datetimes carry an
 * explicit offset, decimals are strings so no precision is lost.
 */
import { formatDateTime, isApiObject } from './tree.ts';
import { Decimal } from './values.ts';
import type { ApiValue } from './values.ts';

type JsonValue = null | string | number | boolean | JsonValue[] | { [key: string]: JsonValue };

export function renderJson(value: ApiValue): string {
  return JSON.stringify(toJsonValue(value));
}

/** The plain JSON tree for an ApiValue; non-finite numbers become null, as JSON.stringify would. */
export function toJsonValue(value: ApiValue): JsonValue {
  if (value instanceof Date) {
    return formatDateTime(value);
  }
  if (value instanceof Decimal) {
    return value.text;
  }
  if (Array.isArray(value)) {
    return value.map(toJsonValue);
  }
  if (isApiObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, toJsonValue(child)]));
  }
  if (typeof value === 'number' && !Number.isFinite(value)) {
    return null;
  }
  return value;
}
