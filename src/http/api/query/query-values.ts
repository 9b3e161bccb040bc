import type { ConditionValue, FieldType } from '../../../query/types.ts';

/** Longest value (or list item) a query argument may carry. */
export const MAX_VALUE_LENGTH = 1000;

/** What a raw query value turned into: the typed value, or why it cannot be one. */
export type Coerced = { ok: true; value: ConditionValue } | { ok: false; problem: string };

const integerPattern = /^-?\d+$/;
const decimalPattern = /^-?\d+(\.\d+)?$/;
const booleanWords: Record<string, boolean> = { true: true, false: false, '1': true, '0': false, yes: true, no: false };

/** Turns the text of one value into the typed value the field's type asks for. */
export function coerceValue(type: FieldType, raw: string): Coerced {
  if (raw.length > MAX_VALUE_LENGTH) return fail(`value is ${raw.length} characters long; at most ${MAX_VALUE_LENGTH} are allowed`);
  switch (type) {
    case 'integer':
      return coerceInteger(raw);
    case 'boolean':
      return coerceBoolean(raw);
    case 'datetime':
      return coerceDatetime(raw);
    case 'decimal':
      return decimalPattern.test(raw) ? ok(raw) : fail(`${quote(raw)} is not a decimal number; use digits with an optional fraction, e.g. 12.50`);
    case 'string':
      return raw.includes('\u0000') ? fail('the NUL character is not allowed in a value') : ok(raw);
  }
}

export function coerceInteger(raw: string): Coerced {
  if (!integerPattern.test(raw)) return fail(`${quote(raw)} is not an integer`);
  const value = Number(raw);
  return Number.isSafeInteger(value) ? ok(value) : fail(`${quote(raw)} is out of range for an integer`);
}

export function coerceBoolean(raw: string): Coerced {
  const value = booleanWords[raw.toLowerCase()];
  return value === undefined ? fail(`${quote(raw)} is not a boolean; use true or false`) : ok(value);
}

function coerceDatetime(raw: string): Coerced {
  const iso = parseIsoDatetime(raw);
  return iso === undefined
    ? fail(`${quote(raw)} is not an ISO 8601 datetime; use e.g. 2010-03-25T18:38:00-07:00, 2010-03-25T18:38:00Z or 2010-03-25`)
    : ok(iso);
}

const datetimePattern =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?([Zz]|[+\- ]\d{2}:?\d{2}))?$/;

/**
 * Parses an ISO 8601 datetime into `Date#toISOString()` form (UTC, milliseconds). A date alone means
 * midnight UTC; a time needs `Z` or an offset. A space in the offset's sign position is read as `+`,
 * because an unencoded `+` in a query string arrives as a space. Fractions beyond milliseconds are
 * truncated. Returns undefined for anything else, including impossible dates like 2021-02-30.
 */
export function parseIsoDatetime(raw: string): string | undefined {
  const match = datetimePattern.exec(raw);
  if (!match) return undefined;
  const [, year = '', month = '', day = '', hour = '00', minute = '00', second = '00', fraction = '', zone = 'Z'] = match;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) return undefined;
  const millis = fraction.padEnd(3, '0').slice(0, 3);
  const utc = Date.parse(`${year}-${month}-${day}T${hour}:${minute}:${second}.${millis}Z`);
  if (Number.isNaN(utc) || new Date(utc).toISOString().slice(0, 10) !== `${year}-${month}-${day}`) return undefined;
  const offset = offsetMinutes(zone);
  if (offset === undefined) return undefined;
  const instant = new Date(utc - offset * 60_000);
  const fullYear = instant.getUTCFullYear();
  return fullYear >= 1 && fullYear <= 9999 ? instant.toISOString() : undefined;
}

function offsetMinutes(zone: string): number | undefined {
  if (zone === 'Z' || zone === 'z') return 0;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2));
  if (hours > 23 || minutes > 59) return undefined;
  return (zone.startsWith('-') ? -1 : 1) * (hours * 60 + minutes);
}

export function quote(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}

function ok(value: ConditionValue): Coerced {
  return { ok: true, value };
}

function fail(problem: string): Coerced {
  return { ok: false, problem };
}
