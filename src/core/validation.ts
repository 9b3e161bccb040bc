import { ValidationError, type FieldProblem } from '../shared/errors.ts';

const currencyCodes = new Set(Intl.supportedValuesOf('currency'));
// Deliberately simple: one @, no spaces, a dot in the domain. The platform's own check is no stricter.
const emailPattern = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;
const phonePattern = /^(\+\d{1,3} )?\d{3}-\d{3}-\d{4}$/;
const decimalPattern = /^\d{1,20}(\.\d{1,8})?$/;

export function isCurrencyCode(value: string): boolean {
  return currencyCodes.has(value);
}

/**
 * Collects every problem of a record before failing, so a client or a file row hears about all of
 * them at once. Messages follow the platform's wording ("Email can't be blank").
 */
export class Problems {
  readonly #resource: string;
  readonly #list: FieldProblem[] = [];

  constructor(resource: string) {
    this.#resource = resource;
  }

  add(field: string, message: string): void {
    this.#list.push({ field, message });
  }

  get count(): number {
    return this.#list.length;
  }

  /** Required text: present and not blank. Returns whether the value passed. */
  required(field: string, label: string, value: string | null | undefined): value is string {
    if (value === undefined || value === null || value.trim() === '') {
      this.add(field, `${label} can't be blank`);
      return false;
    }
    return true;
  }

  /** Lengths in characters (code points), as the platform counts them: an emoji is one. */
  length(field: string, label: string, value: string | null | undefined, max: number, min = 0): void {
    if (value === undefined || value === null) return;
    // A string has at most as many characters as UTF-16 units and at least half as many: most values need no count.
    if (value.length <= max && value.length >= 2 * min) return;
    const n = codePoints(value);
    if (n > max) this.add(field, `${label} is too long (maximum is ${max} characters)`);
    else if (n < min && n > 0) this.add(field, `${label} is too short (minimum is ${min} characters)`);
  }

  email(field: string, label: string, value: string | null | undefined): void {
    if (value && !emailPattern.test(value)) this.add(field, `${label} "${value}" is not a valid email address`);
  }

  phone(field: string, label: string, value: string | null | undefined): void {
    if (value && !phonePattern.test(value)) {
      this.add(field, `${label} "${value}" must look like 555-123-4567 or +44 555-123-4567`);
    }
  }

  currency(field: string, label: string, value: string | null | undefined): void {
    if (value && !isCurrencyCode(value)) this.add(field, `${label} "${value}" is not an ISO 4217 currency code`);
  }

  decimal(field: string, label: string, value: string | null | undefined): void {
    if (value && !decimalPattern.test(value)) this.add(field, `${label} "${value}" is not a non-negative amount like 1000.00`);
  }

  throwIfAny(): void {
    if (this.#list.length > 0) throw new ValidationError(this.#resource, [...this.#list]);
  }
}

/** Trims text input; empty becomes null (so "" clears an optional field). */
export function clean(value: string | null | undefined): string | null | undefined {
  if (value === undefined || value === null) return value;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

/** Characters of a string: its UTF-16 units less the second half of each surrogate pair. */
/** Characters as the platform counts them (code points: an emoji is one). */
export function codePoints(value: string): number {
  let pairs = 0;
  for (let i = 0; i < value.length - 1; i++) {
    const unit = value.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        pairs++;
        i++;
      }
    }
  }
  return value.length - pairs;
}
