import { SsoError } from './sso.errors.ts';

const maxParameter = 4096;

/** One query or form parameter: refused when repeated or longer than `max`. */
export function param(source: unknown, name: string, max = maxParameter): string | undefined {
  if (source instanceof URLSearchParams) {
    const values = source.getAll(name);
    if (values.length > 1) throw new SsoError('bad_request', `The parameter ${name} is repeated.`);
    const value = values[0];
    if (value !== undefined && value.length > max) throw new SsoError('bad_request', `The parameter ${name} is too long.`);
    return value;
  }
  const value = (source as Record<string, unknown> | undefined)?.[name];
  if (Array.isArray(value)) throw new SsoError('bad_request', `The parameter ${name} is repeated.`);
  if (typeof value === 'string' && value.length > max) throw new SsoError('bad_request', `The parameter ${name} is too long.`);
  return typeof value === 'string' ? value : undefined;
}
