/**
 * One feeds benchmark case in its own process, so its peak RSS is its own:
 *   node bench/feeds/child.ts '<json Task>'
 * Prints one line `RESULT <json>` on stdout. Modes:
 *   pipeline: the real feed pipeline in-process (as test/support/feeds.ts builds it, with the real sync
 *             outbox), an optional seed file applied first, then the measured file: received -> result written.
 *   anchor:   the bare minimum of the same work: PostgreSQL `\copy` (psql) into a table with a primary key on
 *             Login and a unique index on Email, or a better-sqlite3 prepared insert loop in one transaction
 *             into a table with the same two indexes.
 *   parse:    csv-parse alone over the file.
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline as streamPipeline } from 'node:stream/promises';
import Database from 'better-sqlite3';
import { parse } from 'csv-parse';
import pg from 'pg';
import { createCoreService, startUserImport, type OutboxPort } from '../../src/core/index.ts';
import { migrateToLatest, openDatabase, type DatabaseTarget } from '../../src/db/index.ts';
import { feedAccountsFrom, feedFilesFrom } from '../../src/feeds/adapters.ts';
import { createFeeds } from '../../src/feeds/feeds.service.ts';
import { coreLayouts, workforceLayouts } from '../../src/feeds/layouts/registry.ts';
import type { Run } from '../../src/feeds/runs.repo.ts';
import { createInProcessQueue } from '../../src/jobs/index.ts';
import { createLogger } from '../../src/log.ts';
import { createFileStore } from '../../src/storage/index.ts';
import { createOutbox } from '../../src/sync/index.ts';
import { createReceivedFiles } from '../../src/transfer/files/received-files.ts';
import { createTransferAccounts } from '../../src/transfer/index.ts';
import { createWorkforceService } from '../../src/workforce/index.ts';
import { headerOf } from './generate.ts';

export interface Task {
  mode: 'pipeline' | 'anchor' | 'parse';
  target: DatabaseTarget;
  /** The file measured. */
  file: string;
  /** pipeline: a file applied first (not measured), e.g. the all-new Delta before a 10%-changed one. */
  seedFile?: string;
  /** Working directory for the file store or the anchor's SQLite file. */
  workDir: string;
  /** pipeline: time every SQL statement of the measured run (driver calls wrapped here, src/ untouched). */
  statements?: boolean;
}

export interface PipelineResult {
  mode: 'pipeline';
  seconds: number;
  seedSeconds: number | null;
  status: string;
  counts: Run['counts'];
  timings: Record<string, number>;
  /** Time inside the sync outbox's recordMany during the measured run (part of apply_ms). */
  outboxMs: number;
  outboxEvents: number;
  /** Result file lines (header included). */
  resultLines: number;
  /** With `statements`: the costliest statements of the measured run (wall ms, summed over executions). */
  statements?: Array<{ sql: string; ms: number; calls: number }>;
  maxRssMb: number;
  cpuMs: number;
}

export interface AnchorResult {
  mode: 'anchor' | 'parse';
  seconds: number;
  rows: number;
  maxRssMb: number;
  cpuMs: number;
}

const finalStatuses = ['held', 'done', 'done_with_errors', 'failed', 'duplicate'];

/** Wall time per statement text, summed: pg's Client.query (awaited) and better-sqlite3's Statement calls. */
const statementTimes = new Map<string, { ms: number; calls: number }>();
let timingStatements = false;

function note(text: string, ms: number): void {
  if (!timingStatements) return;
  const key = text.replace(/\s+/g, ' ').replace(/\$\d+/g, '?').slice(0, 220);
  const entry = statementTimes.get(key) ?? { ms: 0, calls: 0 };
  entry.ms += ms;
  entry.calls++;
  statementTimes.set(key, entry);
}

function wrapDrivers(): void {
  const clientProto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const query = clientProto.query;
  clientProto.query = function (this: unknown, ...args: unknown[]) {
    const config = args[0] as string | { text?: string };
    const text = typeof config === 'string' ? config : (config?.text ?? '');
    const started = performance.now();
    const result = query.apply(this, args);
    if (result && typeof (result as Promise<unknown>).then === 'function') {
      (result as Promise<unknown>).then(() => note(text, performance.now() - started), () => note(text, performance.now() - started));
    }
    return result;
  };
  const probe = new Database(':memory:');
  const statementProto = Object.getPrototypeOf(probe.prepare('select 1')) as Record<string, (...args: unknown[]) => unknown>;
  probe.close();
  for (const method of ['run', 'all', 'get', 'iterate']) {
    const original = statementProto[method]!;
    statementProto[method] = function (this: { source: string }, ...args: unknown[]) {
      const started = performance.now();
      try {
        return original.apply(this, args);
      } finally {
        note(this.source, performance.now() - started);
      }
    };
  }
}

/**
 * Diagnostics by environment (not part of the measured figures' definition):
 * WORKGATE_BENCH_MEMTRACE=ms samples process.memoryUsage() at that interval and prints each new peak of RSS;
 * WORKGATE_BENCH_AUTO_EXPLAIN_MS=ms has PostgreSQL log the plan (with actual times) of every statement of
 * the bench database slower than that (auto_explain; the server log shows them).
 */
async function diagnostics(task: Task): Promise<void> {
  const every = Number(process.env.WORKGATE_BENCH_MEMTRACE ?? 0);
  if (every > 0) {
    const started = performance.now();
    let peak = 0;
    setInterval(() => {
      const m = process.memoryUsage();
      if (m.rss < peak + 5 * 1048576) return;
      peak = m.rss;
      const mb = (n: number) => Math.round(n / 1048576);
      process.stderr.write(`mem t=${((performance.now() - started) / 1000).toFixed(1)} rss=${mb(m.rss)} heapUsed=${mb(m.heapUsed)} heapTotal=${mb(m.heapTotal)} external=${mb(m.external)} arrayBuffers=${mb(m.arrayBuffers)}\n`);
    }, every).unref();
  }
  const explainMs = Number(process.env.WORKGATE_BENCH_AUTO_EXPLAIN_MS ?? 0);
  if (explainMs > 0 && task.target.kind === 'postgres') {
    const client = new pg.Client({ connectionString: task.target.url });
    await client.connect();
    const name = new URL(task.target.url).pathname.slice(1);
    await client.query(`alter database "${name}" set session_preload_libraries = 'auto_explain'`);
    await client.query(`alter database "${name}" set auto_explain.log_min_duration = ${explainMs}`);
    await client.query(`alter database "${name}" set auto_explain.log_analyze = on`);
    await client.end();
  }
}

async function runPipeline(task: Task): Promise<PipelineResult> {
  if (task.statements) wrapDrivers();
  await diagnostics(task);
  const db = openDatabase(task.target.kind === 'postgres' ? { ...task.target, poolSize: 4 } : task.target);
  await migrateToLatest(db);
  const log = createLogger(process.env.WORKGATE_BENCH_LOG ?? 'warn');
  const clock = () => new Date();
  const store = await createFileStore(path.join(task.workDir, 'files'));
  const received = createReceivedFiles({ db, store, clock, log });
  const accounts = createTransferAccounts({ db, clock, log });
  const { account } = await accounts.create({ username: 'acme', password: 'correct horse battery staple' }, 'bench');
  const outbox = createOutbox(db.adapter.name, clock);
  let outboxMs = 0;
  let outboxEvents = 0;
  const timedOutbox: OutboxPort = {
    ...outbox,
    recordMany: async (trx, events) => {
      const t = performance.now();
      await outbox.recordMany(trx, events);
      outboxMs += performance.now() - t;
      outboxEvents += events.length;
    },
  };
  const core = createCoreService({ db, clock, outbox });
  const workforce = createWorkforceService({ db, clock, roleNames: [] });
  const queue = createInProcessQueue(log);
  const feeds = createFeeds({
    db,
    log,
    clock,
    queue,
    files: feedFilesFrom(received, store),
    accounts: feedAccountsFrom(accounts),
    layouts: [
      ...coreLayouts({ core, startUserImport: (own, trx, opts) => startUserImport({ db: own, clock, outbox: timedOutbox }, trx, opts) }),
      ...workforceLayouts({ workforce }),
    ],
    holdPercent: 20,
  });
  received.onFileReceived((file) => feeds.fileReceived(file).then(() => undefined));
  await queue.startWorkers();

  /** Copies the file into the store's temp area as a finished SFTP upload leaves it (not timed). */
  async function stageUpload(file: string) {
    const temp = await store.createTemp();
    await temp.handle.close();
    fs.copyFileSync(file, temp.path);
    const hash = crypto.createHash('sha256');
    await streamPipeline(fs.createReadStream(file), hash);
    return { tempPath: temp.path, size: fs.statSync(file).size, sha256: hash.digest('hex'), name: path.basename(file) };
  }

  /** received -> run final (the result file is written and published before the run is final). */
  async function upload(file: string): Promise<{ run: Run; seconds: number }> {
    const staged = await stageUpload(file);
    const started = performance.now();
    const receivedFile = await received.receive({ accountId: account.id, folder: 'Users', name: staged.name, tempPath: staged.tempPath, size: staged.size, sha256: staged.sha256, address: '127.0.0.1' });
    for (;;) {
      const row = await db.kysely.selectFrom('feed_runs').select('id').where('received_file_id', '=', receivedFile.id).orderBy('id', 'desc').executeTakeFirst();
      const run = row ? await feeds.runs.get(row.id) : undefined;
      if (run && finalStatuses.includes(run.status)) return { run, seconds: (performance.now() - started) / 1000 };
      // Within 1% of the elapsed time (25 ms at first, at most 250 ms): polling every 25 ms ran 3,000
      // queries on the 2-core machine during a million-row file, 5 to 6 s of their wall time.
      const elapsed = performance.now() - started;
      await new Promise((resolve) => setTimeout(resolve, Math.min(250, Math.max(25, elapsed / 100))));
    }
  }

  let seedSeconds: number | null = null;
  if (task.seedFile) {
    const seeded = await upload(task.seedFile);
    if (seeded.run.status !== 'done') throw new Error(`seed run ended ${seeded.run.status}: ${seeded.run.resultText ?? ''}`);
    seedSeconds = seeded.seconds;
    outboxMs = 0;
    outboxEvents = 0;
  }
  const cpuBefore = process.cpuUsage();
  timingStatements = true;
  const { run, seconds } = await upload(task.file);
  timingStatements = false;
  const cpu = process.cpuUsage(cpuBefore);
  const resultPath = run.resultFile ? path.join(store.folderDir(account.id, 'Outgoing', 'Users'), run.resultFile) : undefined;
  const resultLines = resultPath && fs.existsSync(resultPath) ? await countLines(resultPath) : 0;
  await queue.stop();
  await db.close();
  return {
    mode: 'pipeline',
    seconds,
    seedSeconds,
    status: run.status,
    counts: run.counts,
    timings: run.timings,
    outboxMs: Math.round(outboxMs),
    outboxEvents,
    resultLines,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    ...(task.statements
      ? { statements: [...statementTimes].map(([sql, t]) => ({ sql, ms: Math.round(t.ms), calls: t.calls })).sort((a, b) => b.ms - a.ms).slice(0, Number(process.env.WORKGATE_BENCH_STATEMENTS_TOP ?? 15)) }
      : {}),
  };
}

/** Streamed: reading the whole result file (tens of MB at a million rows) added to the child's peak RSS. */
async function countLines(file: string): Promise<number> {
  let n = 0;
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) n++;
  }
  return n;
}

const columnName = (header: string) => header.trim().toLowerCase().replace(/\s+/g, '_');

async function runAnchor(task: Task): Promise<AnchorResult> {
  const columns = headerOf(task.file).map(columnName);
  const ddl = `create table anchor_users (${columns.map((c) => `${c} text${c === 'login' ? ' primary key' : ''}`).join(', ')})`;
  const cpuBefore = process.cpuUsage();
  let seconds: number;
  let rows: number;
  if (task.target.kind === 'postgres') {
    const client = new pg.Client({ connectionString: task.target.url });
    await client.connect();
    await client.query(ddl);
    await client.query('create unique index anchor_users_email on anchor_users (email)');
    const started = performance.now();
    // psql's \copy streams the file through COPY ... FROM STDIN.
    execFileSync('psql', [task.target.url, '-v', 'ON_ERROR_STOP=1', '-q', '-c', `\\copy anchor_users from '${task.file}' with (format csv, header true)`], { stdio: ['ignore', 'ignore', 'inherit'] });
    seconds = (performance.now() - started) / 1000;
    rows = Number((await client.query<{ n: string }>('select count(*) as n from anchor_users')).rows[0]!.n);
    await client.end();
  } else {
    const sqlite = new Database(path.join(task.workDir, 'anchor.db'));
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.exec(ddl);
    sqlite.exec('create unique index anchor_users_email on anchor_users (email)');
    const insert = sqlite.prepare(`insert into anchor_users (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})`);
    const started = performance.now();
    rows = 0;
    sqlite.exec('begin');
    for await (const record of fs.createReadStream(task.file).pipe(parse({ from_line: 2 })) as AsyncIterable<string[]>) {
      insert.run(record);
      rows++;
    }
    sqlite.exec('commit');
    seconds = (performance.now() - started) / 1000;
    sqlite.close();
  }
  const cpu = process.cpuUsage(cpuBefore);
  return { mode: 'anchor', seconds, rows, maxRssMb: process.resourceUsage().maxRSS / 1024, cpuMs: Math.round((cpu.user + cpu.system) / 1000) };
}

async function runParse(task: Task): Promise<AnchorResult> {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let rows = 0;
  for await (const record of fs.createReadStream(task.file).pipe(parse({ from_line: 2 })) as AsyncIterable<string[]>) if (record.length > 0) rows++;
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  return { mode: 'parse', seconds, rows, maxRssMb: process.resourceUsage().maxRSS / 1024, cpuMs: Math.round((cpu.user + cpu.system) / 1000) };
}

const task = JSON.parse(process.argv[2] ?? '{}') as Task;
const result = task.mode === 'pipeline' ? await runPipeline(task) : task.mode === 'anchor' ? await runAnchor(task) : await runParse(task);
process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
process.exit(0);
