import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { Config } from '../config.ts';
import { createCoreService, noOutbox, startUserImport } from '../core/index.ts';
import type { Db } from '../db/index.ts';
import { createInProcessQueue, createPgBossQueue, type JobQueue } from '../jobs/index.ts';
import { createLogger } from '../log.ts';
import type { PgpService } from '../pgp/index.ts';
import { isFeedFolder, type FeedFolder } from '../transfer/folders.ts';
import { feedPgpFrom } from './adapters.ts';
import { createFeeds } from './feeds.service.ts';
import { coreLayouts } from './layouts/registry.ts';
import { describeProblems, resultLine, RESULT_HEADER, resultText } from './result-file.ts';
import type { Run } from './runs.repo.ts';
import { defaultListQuery } from '../query/types.ts';
import { validateFile } from './validate.ts';

type WithDatabase = <T>(work: (db: Db, cfg: Config) => Promise<T>) => Promise<T>;

export interface FeedsCliDeps {
  withDatabase: WithDatabase;
  /** Workgate's PGP service, for validating encrypted files. */
  withPgp: (work: (pgp: PgpService) => Promise<void>) => Promise<void>;
}

function folderOption(value: string): FeedFolder {
  const folder = value.replace(/^\/?Incoming\//i, '');
  if (!isFeedFolder(folder)) throw new InvalidArgumentError(`unknown folder "${value}"`);
  return folder;
}

function queueFor(cfg: Config): JobQueue {
  const log = createLogger('warn', process.stderr);
  return cfg.database.kind === 'postgres' ? createPgBossQueue(cfg.database.url, log) : createInProcessQueue(log);
}

/** Commands need only the run records and a way to wake the workers: no file store, no accounts. */
function feedsForCli(db: Db, cfg: Config, queue: JobQueue) {
  const unavailable = () => Promise.reject(new Error('not available from the command line'));
  return createFeeds({
    db,
    log: createLogger('warn', process.stderr),
    queue,
    files: {
      get: async (id) => {
        const row = await db.kysely.selectFrom('transfer_received_files').selectAll().where('id', '=', id).executeTakeFirst();
        return row ? { id: row.id, accountId: row.account_id, folder: row.folder.replace('/Incoming/', '') as FeedFolder, name: row.name, size: Number(row.size), sha256: row.sha256, status: row.status } : undefined;
      },
      listWaiting: async () => [],
      openContent: unavailable,
      setStatus: unavailable,
      archive: unavailable,
      createTemp: unavailable,
      publish: unavailable,
      discardTemp: unavailable,
    },
    accounts: { byId: async () => undefined },
    layouts: [],
    holdPercent: cfg.feeds.holdPercent,
  });
}

function printRun(run: Run): void {
  console.log(
    [
      `id:          ${run.id}`,
      `file:        /Incoming/${run.folder}/${run.fileName} (${run.size} bytes, sha256 ${run.sha256})`,
      `status:      ${run.status === 'applied' ? 'loading' : run.status}${run.mode ? ` (${run.mode} feed, ${run.layout})` : ''}`,
      `result:      ${run.resultText ?? '-'}`,
      `result file: ${run.resultFile ? `/Outgoing/${run.folder}/${run.resultFile}` : '-'}`,
      `timings:     ${Object.entries(run.timings).map(([k, v]) => `${k}=${v}`).join(' ') || '-'}`,
      `created:     ${run.createdAt.toISOString()}  finished: ${run.finishedAt?.toISOString() ?? '-'}`,
    ].join('\n'),
  );
}

export function registerFeedsCommands(program: Command, deps: FeedsCliDeps): void {
  const runs = program.command('runs').description('processing records of loaded files (data_file_sources)');
  const withFeeds = (work: (feeds: ReturnType<typeof createFeeds>) => Promise<void>) =>
    deps.withDatabase(async (db, cfg) => {
      const queue = queueFor(cfg);
      try {
        await work(feedsForCli(db, cfg, queue));
      } finally {
        await queue.stop();
      }
    });

  runs
    .command('list')
    .description('the latest runs, newest first')
    .option('--status <status>', 'only runs with this status')
    .option('--limit <n>', 'how many (at most 50)', '50')
    .action((options: { status?: string; limit: string }) =>
      withFeeds(async (feeds) => {
        const conditions = options.status ? [{ path: [], field: 'status', operator: 'eq' as const, values: [options.status] }] : [];
        const list = await feeds.runs.list(defaultListQuery({ conditions, limit: Math.min(50, Number(options.limit) || 50), dir: 'desc' }));
        for (const run of list) {
          console.log(`${run.id}\t${run.status === 'applied' ? 'loading' : run.status}\t/Incoming/${run.folder}/${run.fileName}\t${run.resultText ?? ''}`);
        }
      }),
    );

  runs.command('show <id>').description('one run, with its first errors').action((id: string) =>
    withFeeds(async (feeds) => {
      const run = await feeds.runs.get(Number(id));
      if (!run) throw new Error(`no data file source ${id}`);
      printRun(run);
      for (const e of await feeds.runs.errors(run.id)) console.log(`  line ${e.line ?? '-'}${e.column ? `, ${e.column}` : ''}: ${e.message}`);
    }),
  );

  runs.command('approve <id>').description('apply a held Full file (the worker takes it up)').action((id: string) =>
    withFeeds(async (feeds) => {
      const run = await feeds.approve(Number(id), 'cli');
      console.log(`data file source ${run.id} approved: it will be applied by the next worker pass`);
    }),
  );

  runs.command('reprocess <id>').description('run a finished file through the pipeline again').action((id: string) =>
    withFeeds(async (feeds) => {
      const run = await feeds.reprocess(Number(id), 'cli');
      console.log(`data file source ${run.id} queued (reprocessing ${id})`);
    }),
  );

  program
    .command('feeds')
    .description('feed tools')
    .command('validate <file>')
    .description('the whole pipeline without applying: what would be created, updated, deactivated, and every error')
    .requiredOption('--folder <folder>', 'the Incoming folder the file is meant for, e.g. Users or /Incoming/CCW', folderOption)
    .option('--encoding <encoding>', 'utf-8 or windows-1252', 'utf-8')
    .action((file: string, options: { folder: FeedFolder; encoding: 'utf-8' | 'windows-1252' }) =>
      deps.withPgp((pgp) =>
        deps.withDatabase(async (db) => {
          const core = createCoreService({ db, clock: () => new Date() });
          const layouts = coreLayouts({ core, startUserImport: (own, trx, opts) => startUserImport({ db: own, clock: () => new Date(), outbox: noOutbox }, trx, opts) });
          const report = await validateFile(
            { db, layouts, pgp: feedPgpFrom(pgp) },
            { content: fs.createReadStream(file, { highWaterMark: 1024 * 1024 }), name: path.basename(file), folder: options.folder, encoding: options.encoding },
          );
          process.stdout.write(RESULT_HEADER + '\n');
          for (const warning of report.warnings) process.stdout.write(resultLine(1, '', 'skipped', warning));
          for (const o of report.outcomes) process.stdout.write(resultLine(o.line, o.key, o.outcome, describeProblems(o.problems)));
          console.error(`${report.layout}, ${report.mode} feed: ${resultText(report.counts)} (nothing was applied)`);
          if (report.counts.errors > 0) process.exitCode = 1;
        }),
      ),
    );
}
