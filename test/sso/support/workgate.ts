import type { FastifyInstance } from 'fastify';
import type { UserInput } from '../../../src/core/index.ts';
import { createAuthService, type AuthService } from '../../../src/http/auth/index.ts';
import { buildHttpApp } from '../../../src/http/server.ts';
import { createSsoService, type SsoService } from '../../../src/http/sso/index.ts';
import { createLogger } from '../../../src/log.ts';
import { ADMIN_KEY } from '../../support/api.ts';
import type { DialectUnderTest } from '../../support/databases.ts';
import { startSyncHarness, type SyncHarness } from '../../support/sync.ts';

/** Workgate's HTTP role on a loopback port with SSO, over Core, Workforce and sync; its clock can be moved forward. */
export interface SsoWorkgate {
  h: SyncHarness;
  app: FastifyInstance;
  auth: AuthService;
  sso: SsoService;
  url: string;
  advance(ms: number): void;
  /** A request to the API with the admin key. */
  api(path: string, init?: { method?: string; body?: unknown }): Promise<{ status: number; json: unknown; text: string }>;
  close(): Promise<void>;
}

export interface SsoWorkgateOptions {
  /** WORKGATE_PUBLIC_URL (e.g. https://..., as behind TLS); by default the loopback address this node listens on. */
  publicUrl?: string;
  /** Run as a second node over this node's database, Core and Workforce (closing it leaves them open). */
  nodeOf?: SsoWorkgate;
}

export async function startSsoWorkgate(dialect: DialectUnderTest, options: SsoWorkgateOptions = {}): Promise<SsoWorkgate> {
  const h = options.nodeOf?.h ?? (await startSyncHarness(dialect));
  let offsetMs = 0;
  const clock = () => new Date(Date.now() + offsetMs);
  const log = createLogger('silent');
  const auth = createAuthService({ db: h.database.db, clock, log });
  if (!options.nodeOf) await auth.ensureAdminApiKey(ADMIN_KEY);
  let url = '';
  const sso = createSsoService({
    db: h.database.db,
    clock,
    log,
    core: h.core,
    workforce: h.workforce,
    settings: { publicUrl: () => options.publicUrl ?? options.nodeOf?.sso.publicUrl() ?? url, session: { idleSeconds: 1800, absoluteSeconds: 43_200 }, clockSkewSeconds: 60 },
  });
  const app = await buildHttpApp({ db: h.database.db, log, core: h.core, auth, workforce: h.workforce, sync: h.sync, sso, clock, rateLimit: { perSecond: 1000, burst: 1000, appliesToAdminKey: false } });
  url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    h,
    app,
    auth,
    sso,
    url,
    advance: (ms) => {
      offsetMs += ms;
    },
    async api(path, init = {}) {
      const response = await fetch(`${url}${path}`, {
        method: init.method ?? 'GET',
        headers: { 'x-coupa-api-key': ADMIN_KEY, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      });
      const text = await response.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: response.status, json, text };
    },
    async close() {
      await app.close();
      if (!options.nodeOf) await h.close();
    },
  };
}

/** The people of the sign-in tests, by the identity their provider asserts (sso-identifier). */
export const people = {
  admin: { subject: 'sub-alice', login: 'alice' },
  worker: { subject: 'sub-wendy', login: 'wendy' },
  inactive: { subject: 'sub-ivan', login: 'ivan' },
  unlicensed: { subject: 'sub-nora', login: 'nora' },
  roleless: { subject: 'sub-noah', login: 'noah' },
  unknown: { subject: 'sub-ghost', login: 'ghost' },
} as const;

function user(login: string, subject: string, overrides: UserInput): UserInput {
  return { login, email: `${login}@example.com`, firstname: login, lastname: 'Tester', ssoIdentifier: subject, ...overrides };
}

/** Core users (and their synced Workforce users) for each case; the unknown one exists only at the provider. */
export async function seedPeople(h: SyncHarness): Promise<void> {
  const actor = 'test';
  await h.core.users.create(user(people.admin.login, people.admin.subject, { roles: [{ name: 'Admin' }] }), actor);
  await h.core.users.create(user(people.worker.login, people.worker.subject, { ccwUser: true }), actor);
  await h.core.users.create(user(people.inactive.login, people.inactive.subject, { active: false, roles: [{ name: 'Admin' }], ccwUser: true }), actor);
  await h.core.users.create(user(people.unlicensed.login, people.unlicensed.subject, {}), actor);
  await h.core.users.create(user(people.roleless.login, people.roleless.subject, { ccwUser: true }), actor);
  await h.sync.applier.drain();
  await h.workforce.users.setRoles(people.roleless.login, []);
}
