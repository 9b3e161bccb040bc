/**
 * Sync benchmark (issue 6): initial sync of N licensed Core users into an empty Workforce (the applier
 * draining N outbox events, as a Core bulk load leaves them), then the lag from Core commit to Workforce
 * apply under a steady rate of Core user changes, on SQLite and PostgreSQL.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createCoreService } from '../src/core/index.ts';
import { migrateToLatest, openDatabase, type Db } from '../src/db/index.ts';
import { createLogger } from '../src/log.ts';
import { createOutbox, createSyncService } from '../src/sync/index.ts';
import { createWorkforceService } from '../src/workforce/index.ts';
import { choiceOption, listOption, positiveInteger, type Benchmark } from './lib/benchmark.ts';
import { benchDialects, benchPostgresUrl, createBenchDatabase, databaseVersion, type BenchDialect } from './lib/databases.ts';
import { describeMachine, machineFacts } from './lib/machine.ts';
import { formatMarkdownTable, formatNumber, formatSeconds, formatTable } from './lib/table.ts';
import { measureLag, type LagResult } from './sync/lag.ts';
import { recordUserEvents, seedLicensedUsers } from './sync/seed.ts';

const resultsDir = path.resolve(import.meta.dirname, '..', '.bench');

interface Run {
  database: BenchDialect;
  version: string;
  seedSeconds: number;
  outboxSeconds: number;
  syncSeconds: number;
  eventsPerSecond: number;
  workforceUsers: number;
  linkedSupervisors: number;
  lag: LagResult;
}

interface Settings {
  users: number;
  rate: number;
  duration: number;
  batch: number;
  databases: BenchDialect[];
  markdown: boolean;
}

async function count(db: Db, withSupervisor: boolean): Promise<number> {
  let query = db.kysely.selectFrom('workforce_users').select((eb) => eb.fn.countAll<number>().as('n'));
  if (withSupervisor) query = query.where('supervisor_id', 'is not', null);
  return Number((await query.executeTakeFirstOrThrow()).n);
}

async function runDatabase(database: BenchDialect, s: Settings): Promise<Run> {
  const bench = await createBenchDatabase(database, 'sync');
  const db = openDatabase(bench.target);
  try {
    await migrateToLatest(db);
    console.log(`\n${database}: ${bench.where}`);
    const clock = () => new Date();
    const outbox = createOutbox(db.adapter.name, clock);
    const core = createCoreService({ db, clock, outbox });
    const workforce = createWorkforceService({ db, clock, roleNames: ['Engaging Manager', 'Buyer'] });
    await workforce.ensureRoles();
    const listenUrl = bench.target.kind === 'postgres' ? bench.target.url : undefined;
    const sync = createSyncService({ db, core, workforce, outbox, log: createLogger('warn'), clock, applier: { batchSize: s.batch, pollMs: 500, listenUrl } });

    let t = performance.now();
    await seedLicensedUsers(db, s.users);
    const seedSeconds = (performance.now() - t) / 1000;
    t = performance.now();
    await recordUserEvents(db, outbox, s.users);
    const outboxSeconds = (performance.now() - t) / 1000;
    console.log(`  seeded ${formatNumber(s.users)} licensed Core users in ${seedSeconds.toFixed(1)} s; outbox events recorded in ${outboxSeconds.toFixed(1)} s`);

    t = performance.now();
    const drained = await sync.applier.drain();
    const syncSeconds = (performance.now() - t) / 1000;
    const workforceUsers = await count(db, false);
    const linkedSupervisors = await count(db, true);
    console.log(`  initial sync: ${formatNumber(drained.applied)} events in ${syncSeconds.toFixed(1)} s (${formatNumber(drained.applied / syncSeconds)} events/s); ` +
      `${formatNumber(workforceUsers)} Workforce users, ${formatNumber(linkedSupervisors)} supervisor links`);

    // PostgreSQL: the changes go through a Core wired to an outbox of its own, so only LISTEN/NOTIFY wakes
    // the applier, as it would on a worker node other than the one that took the change.
    const changes = db.adapter.name === 'postgres' ? createCoreService({ db, clock, outbox: createOutbox(db.adapter.name, clock) }) : core;
    await sync.applier.start();
    const lag = await measureLag(db, changes, s.users, s.rate, s.duration);
    await sync.applier.stop();
    console.log(`  lag at ${formatNumber(lag.achievedPerSecond)} changes/s: p50 ${lag.p50Ms} ms, p99 ${lag.p99Ms} ms, max ${lag.maxMs} ms (${lag.applied} applied, ${lag.errors} errors)`);
    return { database, version: await databaseVersion(db), seedSeconds, outboxSeconds, syncSeconds, eventsPerSecond: drained.applied / syncSeconds, workforceUsers, linkedSupervisors, lag };
  } finally {
    await db.close();
    await bench.drop();
  }
}

function table(runs: Run[], s: Settings, markdown: boolean): string {
  const headers = ['database', 'users', 'initial sync', 'events/s', 'goal (SQLite < 60 s)', `lag p50 @${s.rate}/s`, 'lag p99', 'goal (p99 < 1 s)', 'errors'];
  const rows = runs.map((r) => [
    r.database,
    formatNumber(r.workforceUsers),
    formatSeconds(r.syncSeconds * 1000),
    formatNumber(r.eventsPerSecond),
    r.database === 'sqlite' ? (r.syncSeconds < 60 ? 'met' : 'NOT met') : '-',
    `${r.lag.p50Ms} ms`,
    `${r.lag.p99Ms} ms`,
    r.lag.p99Ms < 1000 ? 'met' : 'NOT met',
    String(r.lag.errors),
  ]);
  return markdown ? formatMarkdownTable(headers, rows) : formatTable(headers, rows);
}

function settings(options: Record<string, string>): Settings {
  return {
    users: positiveInteger(options, 'users'),
    rate: positiveInteger(options, 'rate'),
    duration: positiveInteger(options, 'duration'),
    batch: positiveInteger(options, 'batch'),
    databases: listOption(options, 'db', benchDialects),
    markdown: choiceOption(options, 'markdown', ['yes', 'no'] as const) === 'yes',
  };
}

async function run(options: Record<string, string>): Promise<boolean> {
  const s = settings(options);
  const databases = s.databases.filter((d) => d !== 'postgres' || benchPostgresUrl());
  if (databases.length < s.databases.length) console.log('postgres skipped: set WORKGATE_BENCH_PG_URL (or WORKGATE_TEST_PG_URL) to include it');
  console.log(`Sync benchmark: ${formatNumber(s.users)} licensed users, applier batches of ${s.batch}; lag at ${s.rate} changes/s for ${s.duration} s`);
  const machine = machineFacts();
  const runs: Run[] = [];
  for (const database of databases) runs.push(await runDatabase(database, s));
  const versions = Object.fromEntries(runs.map((r) => [r.database, r.version]));
  console.log(`\n${describeMachine(machine, versions)}\n\n${table(runs, s, false)}`);
  if (s.markdown) console.log(`\n${table(runs, s, true)}`);
  fs.mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `sync-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, `${JSON.stringify({ benchmark: 'sync', at: new Date().toISOString(), machine, settings: s, runs }, null, 2)}\n`);
  console.log(`\nresults: ${path.relative(process.cwd(), file)}`);
  return runs.every((r) => r.lag.errors === 0 && r.workforceUsers === s.users);
}

export const benchmark: Benchmark = {
  description: 'Core -> Workforce sync: initial sync of 1M licensed users (s, events/s) and commit-to-apply lag under steady changes',
  options: {
    users: { default: '1000000', description: 'licensed Core users to sync' },
    rate: { default: '200', description: 'Core user changes per second during the lag measurement' },
    duration: { default: '30', description: 'seconds of steady changes' },
    batch: { default: '2000', description: 'events per applier transaction' },
    db: { default: 'sqlite,postgres', description: 'databases: sqlite, postgres (needs WORKGATE_BENCH_PG_URL or WORKGATE_TEST_PG_URL)' },
    markdown: { default: 'no', description: 'yes: also print the table as Markdown' },
  },
  run,
};
