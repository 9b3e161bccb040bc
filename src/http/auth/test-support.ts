import Fastify, { type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { AppError } from '../../shared/errors.ts';
import { authPlugin, requireScope, type AuthHookOptions } from './auth.plugin.ts';
import type { AuthService } from './auth.service.ts';
import { oauthRoutes, type OAuthRoutesOptions } from './oauth.routes.ts';

/** Helpers for this folder's tests only. */
export const silentLog = pino({ level: 'silent' });

export interface TestClock {
  now: () => Date;
  advance(ms: number): void;
}

export function testClock(start = '2030-01-01T00:00:00.000Z'): TestClock {
  let current = new Date(start).getTime();
  return {
    now: () => new Date(current),
    advance: (ms) => {
      current += ms;
    },
  };
}

export interface TestAppOptions {
  auth: AuthService;
  clock: TestClock;
  rateLimit?: Partial<AuthHookOptions['rateLimit']>;
  tokenLimits?: OAuthRoutesOptions['limits'];
}

/** The token endpoint at the root, and an authenticated /api scope with two dummy routes. */
export async function buildTestApp(options: TestAppOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof AppError) return reply.code(error.status).send({ error: error.code, message: error.message });
    return reply.code(500).send({ error: 'internal', message: String(error) });
  });
  await app.register(oauthRoutes, { auth: options.auth, clock: options.clock.now, limits: options.tokenLimits });
  await app.register(
    async (api) => {
      const rateLimit = { perSecond: 25, burst: 20, appliesToAdminKey: false, ...options.rateLimit };
      await api.register(authPlugin, { auth: options.auth, rateLimit, clock: options.clock.now });
      api.get('/users', { preHandler: requireScope('core.user.read') }, async (request) => ({ caller: request.principal?.name }));
      api.put('/users/:id', { preHandler: requireScope('core.user.write') }, async () => ({ ok: true }));
    },
    { prefix: '/api' },
  );
  await app.ready();
  return app;
}

export function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}
