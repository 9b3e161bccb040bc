import net from 'node:net';
import { ValidationError } from '../../shared/errors.ts';

export const maxUrlLength = 2048;

/** 127.0.0.0/8 and ::1 (also as an IPv4-mapped address): a provider on this machine may use plain http. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  if (net.isIPv4(host)) return host.split('.')[0] === '127';
  if (!net.isIPv6(host)) return false;
  const lower = host.toLowerCase();
  if (lower === '::1' || lower === '0:0:0:0:0:0:0:1') return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  return mapped !== null && mapped[1]!.split('.')[0] === '127';
}

/** Why a provider URL is not acceptable, or undefined: https, or http on a loopback address only; no credentials. */
export function providerUrlProblem(value: string): string | undefined {
  if (value.length > maxUrlLength) return `is longer than ${maxUrlLength} characters`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not a URL';
  }
  if (url.username !== '' || url.password !== '') return 'must not contain a user name or password';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return undefined;
  return 'must be https (plain http is accepted only on a loopback address: 127.0.0.0/8 or ::1)';
}

export function checkProviderUrl(resource: string, field: string, value: string): string {
  const problem = providerUrlProblem(value);
  if (problem) throw new ValidationError(resource, [{ field, message: `${field} ${problem}` }]);
  return value;
}

/**
 * A return-to that stays on this site: an absolute path ("/workforce?x=1"), never "//host", "/\host", a scheme or
 * control characters. Anything else is undefined, and the caller refuses it.
 */
export function safeReturnTo(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return '/';
  if (value.length > maxUrlLength) return undefined;
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return undefined;
  if (value.includes('\\') || [...value].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) return undefined;
  const resolved = new URL(value, 'http://workgate.invalid');
  if (resolved.origin !== 'http://workgate.invalid') return undefined;
  return resolved.pathname + resolved.search + resolved.hash;
}
