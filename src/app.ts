import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.ts';
import { createCoreService } from './core/index.ts';
import { migrateToLatest, openDatabase, type Db } from './db/index.ts';
import { createAuthService } from './http/auth/index.ts';
import { buildHttpApp } from './http/server.ts';
import { createSsoService } from './http/sso/index.ts';
import { openPgpService, type FindAccountId, type PgpService } from './pgp/index.ts';
import { createFileStore } from './storage/index.ts';
import { createOutbox, createSyncService } from './sync/index.ts';
import { createTransferFiles, type TransferFiles } from './transfer/files/index.ts';
import { createTransferAccounts } from './transfer/index.ts';
import { createSftpAdminView, startSftpRole, type SftpRole } from './transfer/sftp/index.ts';
import { createWorkforceService } from './workforce/index.ts';
import { startUserImport } from './core/index.ts';
import { coreLayouts, createFeeds, feedAccountsFrom, feedFilesFrom, feedPgpFrom, workforceLayouts, type Run } from './feeds/index.ts';
import { createInProcessQueue, createPgBossQueue } from './jobs/index.ts';
import type { Logger } from './log.ts';

export interface Workgate {
  db: Db;
  http: FastifyInstance | undefined;
  /** Address the HTTP role listens on, once started. */
  httpUrl: string | undefined;
  /** Received files (the `file received` event) and the file store's accounts side. */
  files: TransferFiles;
  /** The sftp role, when started (its port: sftp.server.port). */
  sftp: SftpRole | undefined;
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
  const outbox = createOutbox(db.adapter.name, clock);
  const core = createCoreService({ db, clock, outbox });
  const workforce = createWorkforceService({ db, clock, roleNames: config.workforceRoles });
  await workforce.ensureRoles();
  const listenUrl = config.database.kind === 'postgres' ? config.database.url : undefined;
  const sync = createSyncService({ db, core, workforce, outbox, log, clock, applier: { pollMs: config.syncPollMs, listenUrl } });
  const auth = createAuthService({ db, clock, log: log.child({ module: 'auth' }) });
  await auth.ensureAdminApiKey(config.adminApiKey);
  const transfer = createTransferAccounts({ db, clock, log: log.child({ module: 'transfer' }), defence: config.sftpDefence });
  const files = createTransferFiles({ db, store: await createFileStore(path.join(config.dataDir, 'files')), clock, log: log.child({ module: 'files' }) });
  const sftp = config.roles.includes('sftp')
    ? await startSftpRole({ host: config.host, port: config.sftpPort, dataDir: config.dataDir, accounts: transfer, files, db, clock, log: log.child({ module: 'sftp' }) })
    : undefined;
  const sftpAdmin = createSftpAdminView({ dataDir: config.dataDir, db, clock, role: sftp, findAccount: (username) => transfer.get(username) });
  const pgp = await openPgp(config, db, log, clock);
  const queue = config.database.kind === 'postgres' ? createPgBossQueue(config.database.url, log.child({ module: 'jobs' })) : createInProcessQueue(log.child({ module: 'jobs' }));
  const feeds = createFeeds({
    db,
    log: log.child({ module: 'feeds' }),
    clock,
    queue,
    files: feedFilesFrom(files, files.store),
    accounts: feedAccountsFrom(transfer),
    pgp: feedPgpFrom(pgp),
    layouts: [
      ...coreLayouts({ core, startUserImport: (own, trx, options) => startUserImport({ db: own, clock, outbox }, trx, options) }),
      ...workforceLayouts({ workforce }),
    ],
    holdPercent: config.feeds.holdPercent,
    staleAfterMs: config.feeds.staleSeconds * 1000,
    onCommitted: () => outbox.committed(),
  });
  files.onFileReceived((file) => feeds.fileReceived(file).then(() => undefined));
  const runs = {
    feeds,
    usernameOf: async (id: number) => (await feedAccountsFrom(transfer).byId(id))?.username,
    resultPath: (run: Run) => (run.resultFile ? path.join(files.store.folderDir(run.accountId, 'Outgoing', run.folder), run.resultFile) : undefined),
  };

  let http: FastifyInstance | undefined;
  let httpUrl: string | undefined;
  if (config.roles.includes('http')) {
    const sso = createSsoService({
      db,
      clock,
      log: log.child({ module: 'sso' }),
      core,
      workforce,
      settings: { publicUrl: () => config.publicUrl ?? localUrl(httpUrl, config.httpPort), session: config.sso, clockSkewSeconds: config.sso.clockSkewSeconds },
    });
    http = await buildHttpApp({ db, log, core, auth, workforce, sync, pgp, transfer, sftp: sftpAdmin, runs, sso, rateLimit: config.rateLimit, trustProxy: config.trustProxy });
    httpUrl = await http.listen({ host: config.host, port: config.httpPort });
    if (!config.publicUrl) log.warn({ url: localUrl(httpUrl, config.httpPort) }, 'WORKGATE_PUBLIC_URL is not set: sign-in works only from this machine');
    log.info({ url: httpUrl, database: db.adapter.name }, 'http role listening');
  }
  let sweeper: NodeJS.Timeout | undefined;
  if (config.roles.includes('worker')) {
    await sync.applier.start();
    await queue.startWorkers();
    await feeds.sweep({ startup: true });
    sweeper = setInterval(() => void feeds.sweep().catch((error: unknown) => log.error({ err: error }, 'feed sweep failed')), config.feeds.sweepSeconds * 1000);
    sweeper.unref();
  }
  const missing = config.roles.filter((role) => role !== 'http' && role !== 'worker' && role !== 'sftp');
  if (missing.length > 0) log.warn({ roles: missing }, 'these roles are not part of this version yet and were not started');

  return {
    db,
    http,
    httpUrl,
    files,
    sftp,
    async close() {
      // SFTP and Fastify stop accepting and let in-flight requests finish (Fastify also waits for handlers
      // of clients that went away: src/http/in-flight.ts), then we close the database.
      if (sftp) await sftp.close();
      if (http) await http.close();
      if (sweeper) clearInterval(sweeper);
      await queue.stop();
      await sync.applier.stop();
      await files.close();
      await db.close();
    },
  };
}

/** The PGP module's one look at SFTP accounts: an account's id by its username. */
export function findTransferAccountId(db: Db): FindAccountId {
  return async (username) => {
    const row = await db.kysely.selectFrom('transfer_accounts').select('id').where('username', '=', username.toLowerCase()).executeTakeFirst();
    return row === undefined ? undefined : Number(row.id);
  };
}

/** Workgate's key ring, generated on first start; a wrong WORKGATE_PGP_PASSPHRASE stops the start here. */
async function openPgp(config: Config, db: Db, log: Logger, clock: () => Date): Promise<PgpService> {
  try {
    return await openPgpService({ db, dataDir: config.dataDir, settings: config.pgp, findAccountId: findTransferAccountId(db), log: log.child({ module: 'pgp' }), clock });
  } catch (error) {
    await db.close();
    throw error;
  }
}

/** Without WORKGATE_PUBLIC_URL: this machine's loopback address and the port the http role listens on. */
function localUrl(httpUrl: string | undefined, port: number): string {
  const listening = httpUrl ? Number(new URL(httpUrl).port) : port;
  return `http://127.0.0.1:${listening || port}`;
}
