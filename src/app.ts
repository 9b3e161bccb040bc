import type { FastifyInstance } from 'fastify';
import type { Config } from './config.ts';
import { createCoreService } from './core/index.ts';
import { migrateToLatest, openDatabase, type Db } from './db/index.ts';
import { createAuthService } from './http/auth/index.ts';
import { buildHttpApp } from './http/server.ts';
import { createOutbox, createSyncService } from './sync/index.ts';
import { createWorkforceService } from './workforce/index.ts';
import type { Logger } from './log.ts';

export interface Workgate {
  db: Db;
  http: FastifyInstance | undefined;
  /** Address the HTTP role listens on, once started. */
  httpUrl: string | undefined;
  close(): Promise<void>;
}

/** The composition root: builds the services once, then starts the roles the configuration asks for. */
export async function startWorkgate(config: Config, log: Logger): Promise<Workgate> {
  const db = openDatabase(config.database);
  try {
    const { applied } = await migrateToLatest(db);
    if (applied.length > 0) log.info({ applied }, 'database migrated');
  } catch (error) {
    await db.close();
    throw error;
  }
  const clock = () => new Date();
  const outbox = createOutbox(clock);
  const core = createCoreService({ db, clock, outbox });
  const workforce = createWorkforceService({ db, clock, roleNames: config.workforceRoles });
  await workforce.ensureRoles();
  const sync = createSyncService({ db, core, workforce, outbox, log, clock, applier: { pollMs: config.syncPollMs } });
  const auth = createAuthService({ db, clock, log: log.child({ module: 'auth' }) });
  await auth.ensureAdminApiKey(config.adminApiKey);

  let http: FastifyInstance | undefined;
  let httpUrl: string | undefined;
  if (config.roles.includes('http')) {
    http = await buildHttpApp({ db, log, core, auth, workforce, sync, rateLimit: config.rateLimit, trustProxy: config.trustProxy });
    httpUrl = await http.listen({ host: config.host, port: config.httpPort });
    log.info({ url: httpUrl, database: db.adapter.name }, 'http role listening');
  }
  if (config.roles.includes('worker')) sync.applier.start();
  const missing = config.roles.filter((role) => role !== 'http' && role !== 'worker');
  if (missing.length > 0) log.warn({ roles: missing }, 'these roles are not part of this version yet and were not started');

  return {
    db,
    http,
    httpUrl,
    async close() {
      // Fastify stops accepting, lets in-flight requests finish, then we close the database.
      if (http) await http.close();
      await sync.applier.stop();
      await db.close();
    },
  };
}
