/**
 * API benchmark (issue 2): seeds a million users and 100,000 accounts, starts `workgate serve --roles http`
 * as its own process and drives four typical requests with autocannon, on SQLite and PostgreSQL.
 */
import fs from 'node:fs';
import path from 'node:path';
import { apiCases, describeGoal, goalMet, type ApiCase } from './api/cases.ts';
import { measure, type LoadOptions, type Measurement } from './api/load.ts';
import { lastnamePrefix, seedDatabase, type SeedReport } from './api/seed.ts';
import { choiceOption, listOption, positiveInteger, type Benchmark } from './lib/benchmark.ts';
import { benchDialects, benchPostgresUrl, createBenchDatabase, type BenchDialect } from './lib/databases.ts';
import { describeMachine, machineFacts, type MachineFacts } from './lib/machine.ts';
import { startServer, type BenchServer } from './lib/server.ts';
import { formatNumber, formatSeconds, formatTable } from './lib/table.ts';

/** .bench/ at the repository root (gitignored). */
const resultsDir = path.resolve(import.meta.dirname, '..', '.bench');

interface CaseResult extends Measurement {
  database: BenchDialect;
  case: ApiCase['key'];
  title: string;
  example: string;
  goal: string | null;
  met: boolean | null;
}

interface DatabaseRun {
  database: BenchDialect;
  seed: SeedReport;
  cases: CaseResult[];
}

interface Settings extends LoadOptions {
  users: number;
  accounts: number;
  databases: BenchDialect[];
  analyze: 'sqlite' | 'postgres' | 'both' | 'none';
  cases: Array<ApiCase['key']>;
  cpuProfile: boolean;
}

function settings(options: Record<string, string>): Settings {
  return {
    users: positiveInteger(options, 'users'),
    accounts: positiveInteger(options, 'accounts'),
    duration: positiveInteger(options, 'duration'),
    connections: positiveInteger(options, 'connections'),
    warmup: options.warmup === '0' ? 0 : positiveInteger(options, 'warmup'),
    quietWait: options['quiet-wait'] === '0' ? 0 : positiveInteger(options, 'quiet-wait'),
    databases: listOption(options, 'db', benchDialects),
    analyze: choiceOption(options, 'analyze', ['sqlite', 'postgres', 'both', 'none'] as const),
    cases: listOption(options, 'cases', ['a', 'b', 'c', 'd'] as const),
    cpuProfile: choiceOption(options, 'cpu-prof', ['yes', 'no'] as const) === 'yes',
  };
}

function analyzes(settings: Settings, database: BenchDialect): boolean {
  return settings.analyze === 'both' || settings.analyze === database;
}

async function runDatabase(database: BenchDialect, settings: Settings): Promise<DatabaseRun> {
  const bench = await createBenchDatabase(database, database === 'sqlite' ? 'lite' : 'pg');
  try {
    console.log(`\n${database}: ${bench.where}`);
    const seed = await seedDatabase(bench.target, { users: settings.users, accounts: settings.accounts, analyze: analyzes(settings, database) });
    console.log(`  seeded in ${formatSeconds(seed.seconds.total * 1000)}; ${seed.hierarchy.levels} levels of managers, ` +
      `${(seed.lastnamePrefix.actualShare * 100).toFixed(2)}% of last names start with ${lastnamePrefix}`);
    const cpuProfileDir = settings.cpuProfile ? path.join(resultsDir, `profiles-${database}-${Date.now()}`) : undefined;
    const server = await startServer(bench.env, cpuProfileDir ? { cpuProfileDir } : {});
    try {
      return { database, seed, cases: await runCases(server, database, seed, settings) };
    } finally {
      await server.stop();
      if (cpuProfileDir) console.log(`  server CPU profile: ${path.relative(process.cwd(), cpuProfileDir)}`);
    }
  } finally {
    await bench.drop();
  }
}

async function runCases(server: BenchServer, database: BenchDialect, seed: SeedReport, settings: Settings): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const apiCase of apiCases(seed.fixtures, lastnamePrefix).filter((c) => settings.cases.includes(c.key))) {
    process.stdout.write(`  (${apiCase.key}) ${apiCase.title} ...`);
    const measured = await measure(server, apiCase, settings);
    process.stdout.write(` ${formatNumber(measured.requestsPerSecond)} req/s, p99 ${measured.p99Ms} ms, ${measured.errors} errors, ` +
      `server ${measured.serverCpuMsPerRequest ?? '?'} ms CPU per request\n`);
    for (const problem of measured.problems) console.log(`      ${problem}`);
    const goal = database === 'sqlite' ? apiCase.goal : null;
    results.push({
      ...measured,
      database,
      case: apiCase.key,
      title: apiCase.title,
      example: apiCase.example,
      goal: goal ? describeGoal(goal) : null,
      met: goal ? goalMet(goal, measured) : null,
    });
  }
  return results;
}

function resultTable(runs: DatabaseRun[]): string {
  const rows = runs.flatMap((run) =>
    run.cases.map((c) => [
      c.database,
      `(${c.case}) ${c.title}`,
      formatNumber(c.requestsPerSecond),
      formatNumber(c.p50Ms),
      formatNumber(c.p99Ms),
      String(c.errors),
      c.goal ?? '-',
      c.met === null ? '-' : c.met ? 'yes' : 'NO',
      c.serverCpuMsPerRequest === undefined ? '?' : c.serverCpuMsPerRequest.toFixed(2),
      c.cpu.server === undefined ? '?' : String(c.cpu.server),
      String(c.cpu.bench),
      c.cpu.others === undefined ? '?' : String(c.cpu.others),
    ]),
  );
  const cpu = ['server cpu ms/req', 'cpu% server', 'cpu% bench', 'cpu% other'];
  return formatTable(['database', 'case', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'goal (SQLite)', 'met', ...cpu], rows);
}

function seedTable(runs: DatabaseRun[]): string {
  const rows = runs.map((run) => [
    run.database,
    formatSeconds(run.seed.seconds.users * 1000),
    formatSeconds(run.seed.seconds.accounts * 1000),
    formatSeconds(run.seed.seconds.analyze * 1000),
    formatSeconds(run.seed.seconds.total * 1000),
  ]);
  return formatTable(['database', 'users+roles', 'accounts', 'analyze', 'total seed'], rows);
}

function writeJson(machine: MachineFacts, settings: Settings, runs: DatabaseRun[]): string {
  fs.mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `api-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const runsForJson = runs.map((run) => ({ ...run, seed: { ...run.seed, fixtures: undefined } }));
  fs.writeFileSync(file, `${JSON.stringify({ benchmark: 'api', at: new Date().toISOString(), machine, settings, runs: runsForJson }, null, 2)}\n`);
  return file;
}

async function run(options: Record<string, string>): Promise<boolean> {
  const chosen = settings(options);
  const machine = machineFacts();
  const databases = chosen.databases.filter((d) => d !== 'postgres' || benchPostgresUrl());
  if (databases.length < chosen.databases.length) console.log('postgres skipped: set WORKGATE_BENCH_PG_URL (or WORKGATE_TEST_PG_URL) to include it');
  console.log(`API benchmark: ${formatNumber(chosen.users)} users, ${formatNumber(chosen.accounts)} accounts; ` +
    `${chosen.connections} connections, ${chosen.warmup} s warm-up + ${chosen.duration} s per case`);
  const runs: DatabaseRun[] = [];
  for (const database of databases) runs.push(await runDatabase(database, chosen));

  const versions = Object.fromEntries(runs.map((r) => [r.database, r.seed.databaseVersion]));
  console.log(`\n${describeMachine(machine, versions)}\n\n${seedTable(runs)}\n\n${resultTable(runs)}`);
  console.log('server cpu ms/req: CPU time of the workgate process per request. cpu%: share of one core during the measured run: ' +
    'the workgate server, autocannon (this process), and everything else on the machine (on postgres rows that includes PostgreSQL)');
  console.log(`\nresults: ${path.relative(process.cwd(), writeJson(machine, chosen, runs))}`);
  const errors = runs.flatMap((r) => r.cases).reduce((sum, c) => sum + c.errors, 0);
  if (errors > 0) console.log(`FAILED: ${errors} requests did not answer 200`);
  return errors === 0;
}

export const benchmark: Benchmark = {
  description: 'REST API req/s and latency over 1M users and 100k accounts, SQLite and PostgreSQL',
  options: {
    users: { default: '1000000', description: 'users to seed' },
    accounts: { default: '100000', description: 'accounts to seed (over 10 charts of accounts)' },
    duration: { default: '10', description: 'seconds measured per case' },
    warmup: { default: '3', description: 'seconds of warm-up per case (not measured)' },
    connections: { default: '10', description: 'concurrent connections' },
    'quiet-wait': { default: '60', description: 'seconds to wait at most for an idle machine before each case (0: no wait)' },
    db: { default: 'sqlite,postgres', description: 'databases: sqlite, postgres (needs WORKGATE_BENCH_PG_URL or WORKGATE_TEST_PG_URL)' },
    analyze: { default: 'postgres', description: 'refresh planner statistics after seeding: sqlite, postgres, both, none' },
    cases: { default: 'a,b,c,d', description: 'cases to run: a (user by id), b (last-name prefix), c (accounts), d (reports)' },
    'cpu-prof': { default: 'no', description: 'yes: write a V8 CPU profile of the server to .bench/profiles-*' },
  },
  run,
};
