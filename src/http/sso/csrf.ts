import type { FastifyRequest } from 'fastify';
import { SsoError } from './sso.errors.ts';
import { sameText } from './tokens.ts';

export const csrfHeader = 'x-csrf-token';

/** A browser request that changes something must come from our own pages: Origin (or Sec-Fetch-Site) says so. */
export function sameOrigin(request: FastifyRequest, publicUrl: string): boolean {
  const origin = request.headers.origin;
  if (typeof origin === 'string') return origin === new URL(publicUrl).origin;
  const site = request.headers['sec-fetch-site'];
  return site === undefined || site === 'same-origin' || site === 'none';
}

/** The token from the form field `csrf` or the X-CSRF-Token header, compared in constant time. */
export function checkCsrf(request: FastifyRequest, expected: string, publicUrl: string, formValue?: string): void {
  const header = request.headers[csrfHeader];
  const given = typeof header === 'string' ? header : formValue;
  if (!sameOrigin(request, publicUrl)) throw new SsoError('csrf', 'This request comes from another site and was refused.', { status: 403 });
  if (given === undefined || given.length > 128 || !sameText(given, expected)) {
    throw new SsoError('csrf', 'The CSRF token is missing or wrong: reload the page and try again.', { status: 403 });
  }
}
