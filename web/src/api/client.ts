/**
 * The one way the pages talk to Workgate: the same /api routes programs use, with the browser session's cookie
 * and, for requests that change something, the session's CSRF token (from GET /api/me) in X-CSRF-Token.
 */

/** An answer that was not 2xx: its status, the error key (`user`, `not_found`, ...) and every message. */
export class ApiError extends Error {
  readonly status: number;
  readonly key: string;
  readonly messages: string[];

  constructor(status: number, key: string, messages: string[]) {
    super(messages.join(' ') || `request failed with status ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.key = key;
    this.messages = messages.length > 0 ? messages : [this.message];
  }
}

let csrfToken: string | null = null;

/** Set once GET /api/me answered; every POST, PUT and DELETE sends it. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Reads `{"errors": {"<key>": ["message", ...]}}`, the one error shape of the API; anything else becomes one message. */
function errorOf(status: number, text: string): ApiError {
  try {
    const body = JSON.parse(text) as { errors?: Record<string, string[]> };
    const entries = Object.entries(body.errors ?? {});
    if (entries.length > 0) return new ApiError(status, entries[0]![0], entries.flatMap(([, list]) => list));
  } catch {
    // not JSON: fall through
  }
  const fallback = status === 401 ? 'You are not signed in (or your session ended).' : status === 403 ? 'You may not do this.' : `The server answered ${status}.`;
  return new ApiError(status, String(status), [fallback]);
}

export type Query = Record<string, string | number | boolean | null | undefined>;

/** A path with query arguments; empty and null values are left out. */
export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.append(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), reject(new DOMException('aborted', 'AbortError'))), { once: true });
  });

/** Reads are retried (twice at most) when the API's rate limit answers 429, after the time it asks for. */
const maxReadRetries = 2;

export async function request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await requestOnce<T>(method, path, body, signal);
    } catch (error) {
      if (!(error instanceof RateLimited) || method !== 'GET' || attempt >= maxReadRetries) throw error instanceof RateLimited ? error.apiError : error;
      await sleep(error.waitMs, signal);
    }
  }
}

class RateLimited extends Error {
  readonly apiError: ApiError;
  readonly waitMs: number;

  constructor(apiError: ApiError, waitMs: number) {
    super(apiError.message);
    this.apiError = apiError;
    this.waitMs = waitMs;
  }
}

async function requestOnce<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      ...(signal ? { signal } : {}),
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'network', ['Workgate could not be reached. Check the connection and try again.']);
  }
  const text = await response.text();
  if (response.status === 429) {
    const seconds = Number(response.headers.get('retry-after'));
    throw new RateLimited(errorOf(429, text), Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 10) * 1000 : 1000);
  }
  if (!response.ok) throw errorOf(response.status, text);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** The API returns at most this many rows a page (`limit`). */
export const apiPageSize = 50;

/**
 * Every row of a paged list, read page by page (one request at a time, so the rate limit is respected), up to
 * `maxRows`; `complete` says whether the list ended before that.
 */
async function all<T>(path: string, query: Query, signal: AbortSignal | undefined, maxRows = 1000): Promise<{ rows: T[]; complete: boolean }> {
  const rows: T[] = [];
  for (let offset = 0; offset < maxRows; offset += apiPageSize) {
    const page = await request<T[]>('GET', withQuery(path, { ...query, limit: apiPageSize, offset }), undefined, signal);
    rows.push(...page);
    if (page.length < apiPageSize) return { rows, complete: true };
  }
  return { rows, complete: false };
}

export const api = {
  get: <T>(path: string, query?: Query, signal?: AbortSignal) => request<T>('GET', withQuery(path, query), undefined, signal),
  all,
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, body ?? {}),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, body),
  delete: (path: string) => request<void>('DELETE', path),
};

/** A path segment from user data (a username, a fingerprint). */
export const seg = (value: string | number) => encodeURIComponent(String(value));
