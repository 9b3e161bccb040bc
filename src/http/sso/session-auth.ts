import type { FastifyRequest } from 'fastify';
import { AppError } from '../../shared/errors.ts';
import type { Principal, SessionAuthenticator } from '../auth/index.ts';
import { readCookie, cookieName } from './cookies.ts';
import { checkCsrf } from './csrf.ts';
import type { Session } from './sessions.ts';
import { sessionCookie } from './sign-in.ts';
import { SsoError } from './sso.errors.ts';
import type { SsoService } from './sso.service.ts';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);
const refusalMessages = {
  session_unknown: 'this session is not known: sign in again at /auth/login',
  session_ended: 'this session was signed out: sign in again at /auth/login',
  session_expired: 'this session expired: sign in again at /auth/login',
} as const;

/** The session behind each authenticated /api request that came with a cookie (for GET /api/me). */
const sessionsOfRequests = new WeakMap<FastifyRequest, Session>();

export function sessionOf(request: FastifyRequest): Session | undefined {
  return sessionsOfRequests.get(request);
}

/**
 * The cookie's session as a principal for /api: its scopes are what the person may reach (console: the admin and
 * Core APIs; Workforce: the Workforce API). Requests that change something need the session's CSRF token.
 */
export function createSessionAuthenticator(sso: SsoService): SessionAuthenticator {
  return async (request): Promise<Principal | null> => {
    const token = readCookie(request, cookieName(sso.cookiePolicy(), sessionCookie));
    if (!token) return null;
    const found = await sso.sessions.resolve(token);
    if ('refused' in found) {
      await sso.audit.record({ event: 'session_refused', reason: found.refused, address: request.ip, message: `${request.method} ${request.url.split('?')[0]!.slice(0, 200)}` });
      throw new AppError('unauthorized', refusalMessages[found.refused]);
    }
    const { session } = found;
    if (!safeMethods.has(request.method)) {
      try {
        checkCsrf(request, session.csrfToken, sso.publicUrl());
      } catch (error) {
        if (!(error instanceof SsoError)) throw error;
        await sso.audit.record({ event: 'csrf_refused', reason: 'csrf', provider: session.provider, login: session.access.login, address: request.ip, message: `${request.method} ${request.url.split('?')[0]!.slice(0, 200)}` });
        throw new AppError('forbidden', `${error.message} Send the X-CSRF-Token header with the csrf-token from GET /api/me.`);
      }
    }
    sessionsOfRequests.set(request, session);
    const name = session.access.login ?? session.subject ?? `session ${session.id}`;
    return { kind: 'session', id: String(session.id), name, scopes: new Set(session.access.scopes), rateLimited: true };
  };
}
