import type { ApiObject } from '../render/values.ts';
import { AppError, ValidationError, type FieldProblem } from '../../../shared/errors.ts';

/**
 * Request bodies (JSON or XML, already parsed to plain objects with dashed element names) become
 * domain inputs here. Type errors name the element; unknown elements are refused; elements a client
 * may echo back from a GET (created-at, fullname, ...) are ignored.
 */
export type ElementReader = (value: unknown, element: string) => unknown;

const readerSchemas = new WeakMap<ElementReader, Record<string, unknown>>();

/** Marks a reader with the JSON Schema of what it accepts, for the OpenAPI document. */
export function described<R extends ElementReader>(reader: R, schema: Record<string, unknown>): R {
  readerSchemas.set(reader, schema);
  return reader;
}

/** What an element accepts, as far as its reader says (any value when it says nothing). */
export function elementSchema(reader: ElementReader): Record<string, unknown> {
  return readerSchemas.get(reader) ?? {};
}

export class ElementProblem extends Error {}

export interface BodySpec {
  resource: string;
  /** element name -> [input property, reader] */
  elements: Record<string, [string, ElementReader]>;
  /** Elements rendered on output that a client may send back; silently ignored. */
  readOnly: string[];
}

const alwaysReadOnly = ['id', 'created-at', 'updated-at', 'created-by', 'updated-by', 'exported'];
const MAX_ELEMENTS = 200;

export function readBody<I>(spec: BodySpec, body: unknown): I {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new AppError('bad_request', `the request body must be one ${spec.resource} object`);
  }
  const entries = Object.entries(body as ApiObject);
  if (entries.length > MAX_ELEMENTS) throw new AppError('bad_request', `the request body has more than ${MAX_ELEMENTS} elements`);
  const input: Record<string, unknown> = {};
  const problems: FieldProblem[] = [];
  for (const [rawName, value] of entries) {
    const name = rawName.replaceAll('_', '-');
    const element = spec.elements[name];
    if (!element) {
      if (alwaysReadOnly.includes(name) || spec.readOnly.includes(name)) continue;
      throw new AppError('bad_request', `unknown element "${rawName}" for ${spec.resource}; writable: ${Object.keys(spec.elements).join(', ')}`);
    }
    try {
      input[element[0]] = element[1](value, name);
    } catch (error) {
      if (!(error instanceof ElementProblem)) throw error;
      problems.push({ field: name, message: error.message });
    }
  }
  if (problems.length > 0) throw new ValidationError(spec.resource, problems);
  return input as I;
}

/** The id in a body, if any, so a PUT can refuse to change it. */
export function bodyId(body: unknown): unknown {
  return typeof body === 'object' && body !== null && 'id' in body ? (body as { id: unknown }).id : undefined;
}

const fail = (element: string, what: string): never => {
  throw new ElementProblem(`${element} ${what}`);
};

export const text = (max = 10_000): ElementReader =>
  described(
    (value, element) => {
      if (value === null) return null;
      if (typeof value === 'number' || typeof value === 'boolean') return String(value);
      if (typeof value !== 'string') return fail(element, 'must be text');
      if (value.length > max) return fail(element, `is too long (maximum is ${max} characters)`);
      return value;
    },
    { type: ['string', 'null'], maxLength: max },
  );

export const requiredText = (max = 10_000): ElementReader => {
  const optional = text(max);
  return described((value, element) => (value === null ? fail(element, "can't be null") : optional(value, element)), { type: 'string', maxLength: max });
};

export const bool: ElementReader = described(
  (value, element) => {
    if (typeof value === 'boolean') return value;
    if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === 'true';
    return fail(element, 'must be true or false');
  },
  { type: 'boolean' },
);

export const integer: ElementReader = described(
  (value, element) => {
    if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
    if (typeof value === 'string' && /^\d{1,15}$/.test(value.trim())) return Number(value.trim());
    return fail(element, 'must be an integer');
  },
  { type: 'integer' },
);

/** An association object naming its record by one of the given keys, e.g. {"login": "jdoe"}. */
export function reference(keys: Array<[element: string, property: string, reader: ElementReader]>, nullable = true): ElementReader {
  return (value, element) => {
    if (value === null) return nullable ? null : fail(element, "can't be null");
    if (typeof value !== 'object' || Array.isArray(value)) {
      return fail(element, `must be an object with ${keys.map(([k]) => k).join(', ')} or id`);
    }
    const object = value as Record<string, unknown>;
    const normalized = Object.fromEntries(Object.entries(object).map(([k, v]) => [k.replaceAll('_', '-'), v]));
    for (const [key, property, reader] of [['id', 'id', integer] as const, ...keys]) {
      if (normalized[key] !== undefined && normalized[key] !== null) return { [property]: reader(normalized[key], `${element} ${key}`) };
    }
    return fail(element, `must name its record by ${['id', ...keys.map(([k]) => k)].join(', ')}`);
  };
}

export function list(item: ElementReader, max = 100): ElementReader {
  const reader: ElementReader = (value, element) => {
    if (value === null) return [];
    if (!Array.isArray(value)) return fail(element, 'must be a list');
    if (value.length > max) return fail(element, `has more than ${max} entries`);
    return value.map((v, i) => item(v, `${element}[${i}]`));
  };
  return described(reader, { type: ['array', 'null'], items: elementSchema(item), maxItems: max });
}

/** A currency object {"code": "USD"} (or the bare code), as the code. */
export const currencyCode: ElementReader = (value, element) => {
  if (value === null || typeof value === 'string') return value === null ? null : value.trim();
  if (typeof value === 'object' && !Array.isArray(value) && 'code' in value) return text(3)((value as { code: unknown }).code, `${element} code`);
  return fail(element, 'must be an object with code, e.g. {"code": "USD"}');
};

/** {"amount": "1000.00", "currency": {"code": "USD"}} or "1000.00 USD". */
export const money: ElementReader = (value, element) => {
  if (value === null) return null;
  if (typeof value === 'string') {
    const match = /^\s*(\d+(?:\.\d+)?)\s+([A-Za-z]{3})\s*$/.exec(value);
    return match ? { amount: match[1], currency: match[2]!.toUpperCase() } : fail(element, 'must look like "1000.00 USD"');
  }
  if (typeof value === 'object' && !Array.isArray(value)) {
    const object = value as Record<string, unknown>;
    const amount = typeof object.amount === 'number' ? String(object.amount) : object.amount;
    if (typeof amount !== 'string') return fail(element, 'amount must be a decimal such as "1000.00"');
    const currency = currencyCode(object.currency ?? null, `${element} currency`);
    if (typeof currency !== 'string') return fail(element, 'currency is required');
    return { amount: amount.trim(), currency: currency.toUpperCase() };
  }
  return fail(element, 'must be an object with amount and currency');
};
