/**
 * Small facts about the ApiValue tree that every renderer and shaper needs: which values are
 * records, and how a datetime is written.
 */
import { Decimal } from './values.ts';
import type { ApiObject, ApiValue } from './values.ts';

/** A nested record (not a Date, Decimal, array or scalar). */
export function isApiObject(value: ApiValue | undefined): value is ApiObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date) && !(value instanceof Decimal);
}

/** ISO 8601 in UTC with an explicit offset and no fraction: 2016-10-07T06:56:43+00:00. */
export function formatDateTime(date: Date): string {
  if (Number.isNaN(date.getTime())) {
    throw new TypeError('Cannot render an invalid Date');
  }
  const iso = date.toISOString();
  return `${iso.slice(0, iso.indexOf('.'))}+00:00`;
}
