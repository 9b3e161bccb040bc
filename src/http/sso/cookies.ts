import type { FastifyReply, FastifyRequest } from 'fastify';

const maxCookieHeader = 8192;
const maxCookieValue = 512;

/** One cookie's value from the request, or undefined (absent, repeated, oversized or malformed). */
export function readCookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (typeof header !== 'string' || header.length > maxCookieHeader) return undefined;
  let found: string | undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    if (found !== undefined) return undefined;
    found = part.slice(eq + 1).trim();
  }
  if (found === undefined || found.length > maxCookieValue || !/^[A-Za-z0-9_-]+$/.test(found)) return undefined;
  return found;
}

export interface CookiePolicy {
  /** Behind TLS (the public URL is https): cookies are Secure and use the __Host- prefix. */
  secure: boolean;
}

/** Cookie names carry the __Host- prefix behind TLS: Secure, Path=/ and no Domain, so no other host may set them. */
export function cookieName(policy: CookiePolicy, base: string): string {
  return policy.secure ? `__Host-${base}` : base;
}

/** HttpOnly, SameSite=Lax, Path=/; Max-Age in seconds (0 clears). */
export function setCookie(reply: FastifyReply, policy: CookiePolicy, name: string, value: string, maxAgeSeconds: number): void {
  const parts = [`${name}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Lax', `Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}`];
  if (policy.secure) parts.push('Secure');
  // Fastify appends to the Set-Cookie lines already on the reply (passing them again would repeat them).
  reply.header('set-cookie', parts.join('; '));
}

export function clearCookie(reply: FastifyReply, policy: CookiePolicy, name: string): void {
  setCookie(reply, policy, name, '', 0);
}
