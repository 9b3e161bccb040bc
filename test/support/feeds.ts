import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { createCoreService, noOutbox, startUserImport, type CoreService } from '../../src/core/index.ts';
import type { Database } from '../../src/db/index.ts';
import { feedAccountsFrom, feedFilesFrom, feedPgpFrom } from '../../src/feeds/adapters.ts';
import { createFeeds, type Feeds } from '../../src/feeds/feeds.service.ts';
import { coreLayouts, workforceLayouts } from '../../src/feeds/layouts/registry.ts';
import type { Run } from '../../src/feeds/runs.repo.ts';
import { createInProcessQueue } from '../../src/jobs/index.ts';
import { createLogger } from '../../src/log.ts';
import { openPgpService, type PgpService } from '../../src/pgp/index.ts';
import { createFileStore, type FileStore } from '../../src/storage/index.ts';
import { createReceivedFiles, type ReceivedFiles } from '../../src/transfer/files/received-files.ts';
import { createTransferAccounts, type FeedFolder } from '../../src/transfer/index.ts';
import { createWorkforceService, type WorkforceService } from '../../src/workforce/index.ts';
import type { DialectUnderTest, TestDatabase } from './databases.ts';

export interface FeedHarness {
  database: TestDatabase;
  core: CoreService;
  /** Workforce over the same database (its chart designation, segment values, work locations). */
  workforce: WorkforceService;
  feeds: Feeds;
  store: FileStore;
  received: ReceivedFiles;
  accountId: number;
  /** Workgate's PGP, when the harness was started with `pgp: true`. */
  pgp: PgpService | undefined;
  /** Puts a file in the account's Incoming folder as a finished upload does, and waits for its run to end. */
  upload(folder: FeedFolder, name: string, content: string | Buffer): Promise<Run>;
  /** The result file's text, from /Outgoing/<folder>. */
  result(folder: FeedFolder, name: string): string;
  archived(folder: FeedFolder): string[];
  close(): Promise<void>;
}

const finalStatuses = ['held', 'done', 'done_with_errors', 'failed', 'duplicate'];

export interface FeedHarnessOptions {
  holdPercent?: number;
  /** Below this many active records a Full file is never held (the pipeline's default: 100). */
  holdMinimumActive?: number;
  /** Workgate's key ring and customer keys (an ECC key is generated: a few milliseconds). */
  pgp?: boolean;
  /** Called inside each Users file's transaction as its import starts (its failure fails the file). */
  onUserImport?: (trx: Kysely<Database>) => Promise<void>;
}

export async function startFeedHarness(dialect: DialectUnderTest, options: FeedHarnessOptions = {}): Promise<FeedHarness> {
  const database = await dialect.create();
  const { db } = database;
  const log = createLogger(process.env.WORKGATE_TEST_LOG ?? 'silent');
  const clock = () => new Date();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'workgate-feeds-'));
  const store = await createFileStore(path.join(dir, 'files'));
  const received = createReceivedFiles({ db, store, clock, log });
  const accounts = createTransferAccounts({ db, clock, log });
  const { account } = await accounts.create({ username: 'acme', password: 'correct horse battery staple' }, 'test');
  const core = createCoreService({ db, clock });
  const workforce = createWorkforceService({ db, clock, roleNames: [] });
  const pgp = options.pgp
    ? await openPgpService({
        db,
        dataDir: dir,
        settings: { passphrase: undefined, keyType: 'ecc', maxPlaintextBytes: 64 * 1024 * 1024 },
        findAccountId: async (username) => (await accounts.list()).find((a) => a.username === username)?.id,
        log,
        clock,
      })
    : undefined;
  const queue = createInProcessQueue(log);
  const feeds = createFeeds({
    db,
    log,
    clock,
    queue,
    files: feedFilesFrom(received, store),
    accounts: feedAccountsFrom(accounts),
    layouts: [
      ...coreLayouts({
        core,
        startUserImport: async (own, trx, opts) => {
          await options.onUserImport?.(trx);
          return startUserImport({ db: own, clock, outbox: noOutbox }, trx, opts);
        },
      }),
      ...workforceLayouts({ workforce }),
    ],
    holdPercent: options.holdPercent ?? 20,
    ...(options.holdMinimumActive !== undefined ? { holdMinimumActive: options.holdMinimumActive } : {}),
    ...(pgp ? { pgp: feedPgpFrom(pgp) } : {}),
  });
  received.onFileReceived((file) => feeds.fileReceived(file).then(() => undefined));
  await queue.startWorkers();

  async function upload(folder: FeedFolder, name: string, content: string | Buffer): Promise<Run> {
    const bytes = typeof content === 'string' ? Buffer.from(content) : content;
    const temp = await store.createTemp();
    await temp.handle.writeFile(bytes);
    await temp.handle.sync();
    await temp.handle.close();
    const file = await received.receive({
      accountId: account.id,
      folder,
      name,
      tempPath: temp.path,
      size: bytes.length,
      sha256: crypto.createHash('sha256').update(bytes).digest('hex'),
      address: '127.0.0.1',
    });
    return waitForRun(file.id);
  }

  async function waitForRun(receivedFileId: number): Promise<Run> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const row = await db.kysely.selectFrom('feed_runs').select('id').where('received_file_id', '=', receivedFileId).orderBy('id', 'desc').executeTakeFirst();
      const run = row ? await feeds.runs.get(row.id) : undefined;
      if (run && finalStatuses.includes(run.status)) return run;
      if (Date.now() > deadline) throw new Error(`run for received file ${receivedFileId} did not finish: ${run?.status}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  return {
    database,
    core,
    workforce,
    feeds,
    store,
    received,
    accountId: account.id,
    pgp,
    upload,
    result: (folder, name) => fs.readFileSync(path.join(store.folderDir(account.id, 'Outgoing', folder), name), 'utf8'),
    archived: (folder) => {
      const archive = store.folderDir(account.id, 'Archive/Incoming', folder);
      return fs.existsSync(archive) ? fs.readdirSync(archive).sort() : [];
    },
    async close() {
      await queue.stop();
      await database.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
