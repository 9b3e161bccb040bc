/**
 * Response shaping from query arguments: `fields=[...]` keeps only the listed elements (nested for
 * associations), `return_object=limited|shallow|none` trims a record to ids or to its own
 * attributes plus the keys of its associations. Both work on one record or a list of them.
 */
import { QueryError } from '../../../shared/errors.ts';
import { isApiObject } from './tree.ts';
import type { ApiObject, ApiValue } from './values.ts';

/** Element name (dashed) -> `true` for the whole element, or the selection inside an association. */
export type FieldSelection = ReadonlyMap<string, FieldSelection | true>;

export const FIELDS_LIMITS = { maxLength: 4096, maxDepth: 5, maxElements: 500 } as const;

/** What an association keeps under `shallow`: its id and natural keys, those it has. */
export const NATURAL_KEYS: ReadonlySet<string> = new Set([
  'id',
  'login',
  'name',
  'code',
  'email',
  'employee-number',
  'external-ref-code',
  'external-ref-num',
  'number',
]);

export const returnObjectModes = ['full', 'limited', 'shallow', 'none'] as const;
export type ReturnObject = (typeof returnObjectModes)[number];

// ---------------------------------------------------------------------------------------------
// fields=

interface Reader {
  readonly text: string;
  pos: number;
  elements: number;
}

/**
 * `["id","login",{"manager":["id","login"]},{"roles":["name"]}]` as a FieldSelection. The JSON is
 * read by hand so every complaint names its position (0-based, as JSON.parse counts).
 */
export function parseFields(raw: string): FieldSelection {
  if (raw.length > FIELDS_LIMITS.maxLength) {
    throw fieldsError(`is longer than ${FIELDS_LIMITS.maxLength} characters`);
  }
  const reader: Reader = { text: raw, pos: 0, elements: 0 };
  skipWhitespace(reader);
  const selection = readList(reader, 1);
  skipWhitespace(reader);
  if (reader.pos < raw.length) {
    throw unexpected(reader, 'the end of the list');
  }
  return selection;
}

function readList(reader: Reader, depth: number): FieldSelection {
  if (depth > FIELDS_LIMITS.maxDepth) {
    throw fieldsError(`nests associations deeper than ${FIELDS_LIMITS.maxDepth} levels (at position ${reader.pos})`);
  }
  const start = reader.pos;
  expectChar(reader, '[', 'a JSON array of element names');
  const selection = new Map<string, FieldSelection | true>();
  do {
    skipWhitespace(reader);
    if (peek(reader) === ']' && selection.size === 0) {
      throw fieldsError(`the list at position ${start} names no elements`);
    }
    readItem(reader, selection, depth);
    skipWhitespace(reader);
  } while (readSeparator(reader, ']'));
  return selection;
}

/** One list item: an element name, or an object of association -> list. */
function readItem(reader: Reader, selection: Map<string, FieldSelection | true>, depth: number): void {
  const char = peek(reader);
  if (char === '"') {
    const start = reader.pos;
    addField(selection, readName(reader), true, start);
  } else if (char === '{') {
    readAssociations(reader, selection, depth);
  } else {
    throw unexpected(reader, 'an element name or an {"association": [...]} object');
  }
}

function readAssociations(reader: Reader, selection: Map<string, FieldSelection | true>, depth: number): void {
  const start = reader.pos;
  reader.pos += 1;
  skipWhitespace(reader);
  if (peek(reader) === '}') {
    throw fieldsError(`the object at position ${start} names no association`);
  }
  do {
    skipWhitespace(reader);
    const nameStart = reader.pos;
    const name = readName(reader);
    skipWhitespace(reader);
    expectChar(reader, ':', "':'");
    skipWhitespace(reader);
    addField(selection, name, readList(reader, depth + 1), nameStart);
    skipWhitespace(reader);
  } while (readSeparator(reader, '}'));
}

/** After an item: true on ',' (another follows), false on the closing character. */
function readSeparator(reader: Reader, close: ']' | '}'): boolean {
  const char = peek(reader);
  if (char === ',' || char === close) {
    reader.pos += 1;
    return char === ',';
  }
  throw unexpected(reader, `',' or '${close}'`);
}

/** A JSON string that must be an element name; returned dashed (`employee_number` -> `employee-number`). */
function readName(reader: Reader): string {
  const start = reader.pos;
  expectChar(reader, '"', 'an element name in double quotes');
  const end = findStringEnd(reader.text, reader.pos);
  if (end < 0) {
    throw fieldsError(`unterminated string starting at position ${start}`);
  }
  const name = decodeString(reader.text.slice(start, end + 1), start);
  reader.pos = end + 1;
  if (!/^[A-Za-z][A-Za-z0-9_-]{0,63}$/.test(name)) {
    throw fieldsError(`${JSON.stringify(name)} at position ${start} is not an element name`);
  }
  reader.elements += 1;
  if (reader.elements > FIELDS_LIMITS.maxElements) {
    throw fieldsError(`names more than ${FIELDS_LIMITS.maxElements} elements`);
  }
  return name.replaceAll('_', '-');
}

/** Index of the closing quote of a string whose content starts at `from`; -1 when there is none. */
function findStringEnd(text: string, from: number): number {
  for (let i = from; i < text.length; i += 1) {
    if (text[i] === '\\') {
      i += 1;
    } else if (text[i] === '"') {
      return i;
    }
  }
  return -1;
}

function decodeString(literal: string, start: number): string {
  try {
    return JSON.parse(literal) as string;
  } catch {
    throw fieldsError(`invalid escape or control character in the string at position ${start}`);
  }
}

function addField(selection: Map<string, FieldSelection | true>, name: string, value: FieldSelection | true, at: number): void {
  if (selection.has(name)) {
    throw fieldsError(`"${name}" at position ${at} is listed twice`);
  }
  selection.set(name, value);
}

function expectChar(reader: Reader, char: string, description: string): void {
  if (peek(reader) !== char) {
    throw unexpected(reader, description);
  }
  reader.pos += 1;
}

function peek(reader: Reader): string | undefined {
  return reader.text[reader.pos];
}

function skipWhitespace(reader: Reader): void {
  while (/^[ \t\n\r]$/.test(reader.text[reader.pos] ?? '')) {
    reader.pos += 1;
  }
}

function unexpected(reader: Reader, expected: string): QueryError {
  return fieldsError(`expected ${expected} at position ${reader.pos}, found ${describeAt(reader)}`);
}

/** What the reader is looking at, in words: "end of input", "a number", "null", "'x'". */
function describeAt(reader: Reader): string {
  const rest = reader.text.slice(reader.pos);
  if (rest === '') {
    return 'the end of input';
  }
  const literal = /^(true|false|null)\b/.exec(rest);
  if (literal !== null) {
    return literal[1]!;
  }
  const kinds: Record<string, string> = { '"': 'a string', '{': 'an object', '[': 'an array' };
  return /^[-\d]/.test(rest) ? 'a number' : (kinds[rest[0]!] ?? JSON.stringify(rest[0]));
}

function fieldsError(message: string): QueryError {
  return new QueryError('fields', message);
}

/** Keeps the selected elements of a record, of each record in a list, and inside associations. */
export function applyFields(value: ApiValue, selection: FieldSelection): ApiValue {
  if (Array.isArray(value)) {
    return value.map((item) => applyFields(item, selection));
  }
  if (!isApiObject(value)) {
    return value;
  }
  const kept = Object.entries(value).flatMap(([key, child]): [string, ApiValue][] => {
    const inner = selection.get(key);
    if (inner === undefined) {
      return [];
    }
    return [[key, inner === true ? child : applyFields(child, inner)]];
  });
  return Object.fromEntries(kept);
}

// ---------------------------------------------------------------------------------------------
// return_object=

/** Absent means `full`; `none` (empty body) only where the route allows it (POST and PUT). */
export function parseReturnObject(raw: string | undefined, options: { allowNone?: boolean } = {}): ReturnObject {
  if (raw === undefined) {
    return 'full';
  }
  const mode = returnObjectModes.find((candidate) => candidate === raw);
  if (mode === undefined) {
    throw new QueryError('return_object', `must be one of ${returnObjectModes.join(', ')}; got ${JSON.stringify(raw)}`);
  }
  if (mode === 'none' && options.allowNone === false) {
    throw new QueryError('return_object', 'none is only accepted on POST and PUT');
  }
  return mode;
}

/** `none` has no body to shape: the route answers it without rendering. */
export function applyReturnObject(value: ApiValue, mode: Exclude<ReturnObject, 'none'>): ApiValue {
  if (Array.isArray(value)) {
    return value.map((item) => applyReturnObject(item, mode));
  }
  if (mode === 'full' || !isApiObject(value)) {
    return value;
  }
  return mode === 'limited' ? pickKeys(value, new Set(['id'])) : shallowRecord(value);
}

/** Own attributes as they are; associations (objects and arrays of objects) cut to their keys. */
function shallowRecord(record: ApiObject): ApiObject {
  return Object.fromEntries(Object.entries(record).map(([key, child]) => [key, associationKeys(child)]));
}

function associationKeys(value: ApiValue): ApiValue {
  if (Array.isArray(value)) {
    return value.map((item) => (isApiObject(item) ? pickKeys(item, NATURAL_KEYS) : item));
  }
  return isApiObject(value) ? pickKeys(value, NATURAL_KEYS) : value;
}

function pickKeys(record: ApiObject, keys: ReadonlySet<string>): ApiObject {
  return Object.fromEntries(Object.entries(record).filter(([key]) => keys.has(key)));
}
