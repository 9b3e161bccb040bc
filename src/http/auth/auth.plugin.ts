import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../shared/errors.ts';
import { adminApiKeyName } from './api-keys.ts';
import type { Authenticator } from './auth.service.ts';
import type { Principal } from './principal.ts';
import { createRateLimiter, type RateLimiter } from './rate-limiter.ts';
import type { Scope } from './scopes.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling; set by the auth hook in the scope that serves /api, null (or absent) elsewhere. */
    principal: Principal | null;
  }
}

export interface AuthHookOptions {
  auth: Authenticator;
  /** config.rateLimit: per principal; keys created with rateLimited false (the admin key) are exempt unless appliesToAdminKey. */
  rateLimit: { perSecond: number; burst: number; appliesToAdminKey: boolean };
  clock?: () => Date;
  /** Share one limiter between scopes; by default each registration makes its own from rateLimit. */
  limiter?: RateLimiter;
  /**
   * Browser sessions: asked only when the request carries neither header. Returns the session's principal, null
   * when there is no session cookie, or throws (ended session, missing CSRF token).
   */
  sessions?: SessionAuthenticator;
}

export type SessionAuthenticator = (request: FastifyRequest) => Promise<Principal | null>;

export type RequestHook = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

export const apiKeyHeader = 'x-coupa-api-key';
const maxAuthorizationLength = 1024;
const maxApiKeyLength = 256;
const challenge = 'Bearer realm="workgate"';

type Credential =
  | { kind: 'bearer'; token: string }
  | { kind: 'api-key'; key: string }
  | { kind: 'none' }
  | { kind: 'malformed'; reason: string };

/** Node lowercases header names, so both headers are read case-insensitively; the Bearer scheme is too. */
export function readCredential(headers: IncomingHttpHeaders): Credential {
  const authorization = headers.authorization;
  const apiKey = headers[apiKeyHeader];
  if (Array.isArray(apiKey)) return { kind: 'malformed', reason: 'send X-COUPA-API-KEY once' };
  if ((authorization?.length ?? 0) > maxAuthorizationLength || (apiKey?.length ?? 0) > maxApiKeyLength) {
    return { kind: 'malformed', reason: 'credential header too long' };
  }
  const bearer = authorization === undefined ? undefined : /^Bearer +(\S+) *$/i.exec(authorization)?.[1];
  if (bearer !== undefined && apiKey !== undefined) return { kind: 'malformed', reason: 'send either a Bearer token or X-COUPA-API-KEY, not both' };
  if (bearer !== undefined) return { kind: 'bearer', token: bearer };
  if (apiKey !== undefined) return { kind: 'api-key', key: apiKey.trim() };
  return { kind: 'none' };
}

function unauthorized(reply: FastifyReply, credential: Credential): AppError {
  if (credential.kind === 'none') {
    reply.header('WWW-Authenticate', challenge);
    return new AppError('unauthorized', 'authentication required: send Authorization: Bearer <token> or X-COUPA-API-KEY');
  }
  reply.header('WWW-Authenticate', `${challenge}, error="invalid_token"`);
  return new AppError('unauthorized', credential.kind === 'malformed' ? credential.reason : 'invalid or expired credentials');
}

/** The hooks as plain functions, for a scope that wants to add them itself (both are onRequest hooks, in this order). */
export function createAuthHooks(options: AuthHookOptions): { authenticate: RequestHook; enforceRateLimit: RequestHook } {
  const { auth, rateLimit } = options;
  const clock = options.clock ?? (() => new Date());
  const limiter = options.limiter ?? createRateLimiter(rateLimit);

  async function authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const credential = readCredential(request.headers);
    const principal = credential.kind === 'none' && options.sessions ? await options.sessions(request) : await lookUp(credential);
    if (!principal) throw unauthorized(reply, credential);
    request.principal = principal;
  }

  function lookUp(credential: Credential): Promise<Principal | null> | null {
    if (credential.kind === 'bearer') return auth.authenticateBearer(credential.token);
    if (credential.kind === 'api-key') return auth.authenticateApiKey(credential.key);
    return null;
  }

  function isLimited(principal: Principal): boolean {
    const isAdminKey = principal.kind === 'api-key' && principal.name === adminApiKeyName;
    return principal.rateLimited || (isAdminKey && rateLimit.appliesToAdminKey);
  }

  async function enforceRateLimit(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const principal = request.principal;
    if (!principal || !isLimited(principal)) return;
    const decision = limiter.take(`${principal.kind}:${principal.id}`, clock().getTime());
    if (decision.allowed) return;
    reply.header('Retry-After', String(decision.retryAfterSeconds));
    throw new AppError(
      'rate_limited',
      `rate limit of ${rateLimit.perSecond} requests per second (bursts of ${rateLimit.burst}) exceeded; retry after ${decision.retryAfterSeconds} s`,
    );
  }

  return { authenticate, enforceRateLimit };
}

/** A preHandler for a route: the caller must hold `scope` (403 naming it otherwise). */
/** The hook carries its scope (`hook.scope`) so the OpenAPI document names the scope the route enforces. */
export function requireScope(scope: Scope): RequestHook & { scope: Scope } {
  const hook: RequestHook = async function requireScopeHook(request, reply) {
    const principal = request.principal;
    if (!principal) throw unauthorized(reply, { kind: 'none' });
    if (principal.scopes.has(scope)) return;
    reply.header('WWW-Authenticate', `${challenge}, error="insufficient_scope", scope="${scope}"`);
    throw new AppError('forbidden', `missing scope ${scope}`);
  };
  return Object.assign(hook, { scope });
}

async function registerAuth(app: FastifyInstance, options: AuthHookOptions): Promise<void> {
  if (!app.hasRequestDecorator('principal')) app.decorateRequest('principal', null);
  const hooks = createAuthHooks(options);
  app.addHook('onRequest', hooks.authenticate);
  app.addHook('onRequest', hooks.enforceRateLimit);
}

/**
 * Register inside the scope that serves /api: every route there then needs a credential. Like fastify-plugin
 * (not installed), `skip-override` makes the hooks land in the registering scope instead of a child of it.
 */
export const authPlugin = Object.assign(registerAuth, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: 'workgate-auth',
});
