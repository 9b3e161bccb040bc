import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { createCoreService, type CoreService } from '../../src/core/index.ts';
import { createAuthService, type AuthService } from '../../src/http/auth/index.ts';
import { buildHttpApp } from '../../src/http/server.ts';
import { createLogger } from '../../src/log.ts';
import { createTransferAccounts, type TransferAccounts } from '../../src/transfer/index.ts';
import type { DialectUnderTest, TestDatabase } from './databases.ts';

export const ADMIN_KEY = 'test-admin-key-0123456789abcdefghijklmnopq';

export interface TestApi {
  app: FastifyInstance;
  core: CoreService;
  auth: AuthService;
  transfer: TransferAccounts;
  database: TestDatabase;
  /** A request as the admin key (every scope); headers may override. */
  call(options: InjectOptions): Promise<LightMyRequestResponse>;
  json<T = unknown>(response: LightMyRequestResponse): T;
  close(): Promise<void>;
}

/** A real app over a fresh, migrated database of the dialect, driven with inject (no socket). */
export async function startTestApi(dialect: DialectUnderTest, options: { rateLimit?: { perSecond: number; burst: number } } = {}): Promise<TestApi> {
  const database = await dialect.create();
  const log = createLogger('silent');
  const clock = () => new Date();
  const core = createCoreService({ db: database.db, clock });
  const auth = createAuthService({ db: database.db, clock, log });
  await auth.ensureAdminApiKey(ADMIN_KEY);
  const transfer = createTransferAccounts({ db: database.db, clock, log });
  const app = await buildHttpApp({
    db: database.db,
    log,
    core,
    auth,
    transfer,
    rateLimit: { perSecond: 1000, burst: 1000, appliesToAdminKey: false, ...options.rateLimit },
  });
  return {
    app,
    core,
    auth,
    transfer,
    database,
    call: (request) => app.inject({ ...request, headers: { 'x-coupa-api-key': ADMIN_KEY, ...request.headers } }),
    json: <T>(response: LightMyRequestResponse) => JSON.parse(response.body) as T,
    async close() {
      await app.close();
      await database.drop();
    },
  };
}

let sequence = 0;
/** A valid user body for POST /api/users; overrides win. */
export function buildUser(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  sequence += 1;
  return {
    login: `user${sequence}`,
    email: `user${sequence}@example.com`,
    firstname: 'Test',
    lastname: `User${sequence}`,
    ...overrides,
  };
}
