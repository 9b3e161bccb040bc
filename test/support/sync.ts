import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { createCoreService, type CoreService, type UserInput } from '../../src/core/index.ts';
import { createAuthService, type AuthService } from '../../src/http/auth/index.ts';
import { buildHttpApp } from '../../src/http/server.ts';
import { ADMIN_KEY } from './api.ts';
import { createLogger } from '../../src/log.ts';
import { createOutbox, createSyncService, type SyncOutbox, type SyncService } from '../../src/sync/index.ts';
import { createWorkforceService, type WorkforceService } from '../../src/workforce/index.ts';
import type { DialectUnderTest, TestDatabase } from './databases.ts';

/** Core wired to the sync outbox, Workforce and the sync service over a fresh database; the applier is not started. */
export interface SyncHarness {
  database: TestDatabase;
  core: CoreService;
  workforce: WorkforceService;
  sync: SyncService;
  outbox: SyncOutbox;
  close(): Promise<void>;
}

export const TEST_ROLES = ['Engaging Manager', 'Hiring Manager', 'Buyer'];

export async function startSyncHarness(dialect: DialectUnderTest, options: { database?: TestDatabase } = {}): Promise<SyncHarness> {
  const database = options.database ?? (await dialect.create());
  const clock = () => new Date();
  const outbox = createOutbox(database.db.adapter.name, clock);
  const core = createCoreService({ db: database.db, clock, outbox });
  const workforce = createWorkforceService({ db: database.db, clock, roleNames: TEST_ROLES });
  await workforce.ensureRoles();
  const sync = createSyncService({ db: database.db, core, workforce, outbox, log: createLogger('silent'), clock, applier: { pollMs: 20 } });
  return {
    database,
    core,
    workforce,
    sync,
    outbox,
    async close() {
      await sync.applier.stop();
      await database.drop();
    },
  };
}

let sequence = 0;
/** A valid Core user input holding the Workforce licence; overrides win. */
export function licensedUser(overrides: UserInput = {}): UserInput {
  sequence += 1;
  return { login: `wf${sequence}`, email: `wf${sequence}@example.com`, firstname: 'Work', lastname: `Force${sequence}`, ccwUser: true, ...overrides };
}

/** The HTTP app with the Workforce API over a sync harness, driven with inject; `call` uses the admin key. */
export interface CcwApi {
  h: SyncHarness;
  app: FastifyInstance;
  auth: AuthService;
  call(options: InjectOptions): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export async function startCcwApi(dialect: DialectUnderTest): Promise<CcwApi> {
  const h = await startSyncHarness(dialect);
  const log = createLogger('silent');
  const auth = createAuthService({ db: h.database.db, clock: () => new Date(), log });
  await auth.ensureAdminApiKey(ADMIN_KEY);
  const app = await buildHttpApp({
    db: h.database.db,
    log,
    core: h.core,
    auth,
    workforce: h.workforce,
    sync: h.sync,
    rateLimit: { perSecond: 1000, burst: 1000, appliesToAdminKey: false },
  });
  return {
    h,
    app,
    auth,
    call: (request) => app.inject({ ...request, headers: { 'x-coupa-api-key': ADMIN_KEY, ...request.headers } }),
    async close() {
      await app.close();
      await h.close();
    },
  };
}
