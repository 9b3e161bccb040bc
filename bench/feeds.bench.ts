/**
 * Feeds benchmark (issue 5): generated Users feeds through the real feed pipeline, each case in its own
 * child process (bench/feeds/child.ts) against a fresh database, so its peak RSS is its own; beside
 * each case the anchor doing the bare minimum of the same work on the same database (PostgreSQL COPY,
 * a better-sqlite3 prepared insert loop) and csv-parse alone.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AnchorResult, PipelineResult, Task } from './feeds/child.ts';
import { runFloor, type FloorResult } from './feeds/floor.ts';
import { generateFiles, type GeneratedFiles } from './feeds/generate.ts';
import { choiceOption, listOption, positiveInteger, type Benchmark } from './lib/benchmark.ts';
import { benchDialects, createBenchDatabase, type BenchDialect } from './lib/databases.ts';
import { describeMachine, machineFacts } from './lib/machine.ts';
import { formatMarkdownTable, formatNumber, formatTable } from './lib/table.ts';
import { serverNodeOptions } from '../src/gc-policy.ts';

const resultsDir = path.resolve(import.meta.dirname, '..', '.bench');
const childScript = path.join(import.meta.dirname, 'feeds', 'child.ts');
const defaultPgUrl = 'postgres://postgres@127.0.0.1:5432/test';

const caseKeys = ['delta-new', 'delta-changed', 'full-missing'] as const;
type CaseKey = (typeof caseKeys)[number];
const caseTitles: Record<CaseKey, string> = {
  'delta-new': 'Delta, all new',
  'delta-changed': 'Delta, 10% changed',
  'full-missing': 'Full, 1% missing',
};

interface CaseResult {
  database: BenchDialect;
  case: CaseKey;
  /** Rows the pipeline counted (a Full file leaves 1% of the users out). */
  rows: number;
  /** Rows of the generated all-new file: the size the goal is stated for. */
  sizeRows: number;
  pipeline: PipelineResult;
  /** The median of the anchor's runs (see anchorRuns), each against a fresh database. */
  anchor: AnchorResult;
  /** PostgreSQL, with `--floor yes`: the least SQL of the case (bench/feeds/floor.ts), measured after the anchors. */
  floor?: FloorResult;
  anchorSeconds: number[];
  ratio: number;
  loadBefore: number[];
  loadAfter: number[];
  cpuProfile?: string;
}

function fileOf(files: GeneratedFiles, key: CaseKey): string {
  return key === 'delta-new' ? files.deltaNew : key === 'delta-changed' ? files.deltaChanged : files.fullMissing;
}

const load = () => os.loadavg().map((l) => Math.round(l * 100) / 100);

/** Peaks of the child's resident memory by kind, sampled from /proc every 100 ms by this (unblocked) process. */
export interface SampledRss {
  /** Anonymous memory: the JS heap, native allocations, SQLite's page caches. */
  anonMb: number;
  /** File pages mapped into the process (SQLite's mmap of the database file): the kernel's page cache. */
  fileMb: number;
}

function sampleRss(pid: number | undefined): { stop(): SampledRss } {
  const peak = { anonMb: 0, fileMb: 0 };
  const read = () => {
    try {
      const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
      const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
      peak.anonMb = Math.max(peak.anonMb, kb('RssAnon') / 1024);
      peak.fileMb = Math.max(peak.fileMb, kb('RssFile') / 1024);
    } catch {
      // the child has ended, or /proc is not there (not Linux)
    }
  };
  const timer = setInterval(read, 100);
  return { stop: () => (clearInterval(timer), peak) };
}

/** Runs bench/feeds/child.ts with the task; its last `RESULT` line is the answer. */
function runChild<T>(task: Task, cpuProfileDir?: string): Promise<T & { sampledRss: SampledRss }> {
  // The pipeline runs with the V8 options `workgate serve` runs with (serverNodeOptions); the anchors without.
  const v8Options = task.mode === 'pipeline' ? serverNodeOptions : [];
  const args = [...v8Options, ...(cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`] : []), childScript, JSON.stringify(task)];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    const sampler = sampleRss(child.pid);
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const sampledRss = sampler.stop();
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (code !== 0 || !line) reject(new Error(`child (${task.mode} ${path.basename(task.file)}) exited ${code}: ${out.slice(-2000)}`));
      else resolve({ ...(JSON.parse(line.slice('RESULT '.length)) as T), sampledRss });
    });
  });
}

async function withDatabase<T>(database: BenchDialect, tag: string, work: (task: Pick<Task, 'target' | 'workDir'>) => Promise<T>): Promise<T> {
  const bench = await createBenchDatabase(database, tag);
  try {
    return await work({ target: bench.target, workDir: bench.env.WORKGATE_DATA_DIR! });
  } finally {
    await bench.drop();
  }
}

/**
 * The anchor runs several times, each against a fresh database, half of them before the pipeline and
 * half after it, and the median counts: one COPY of the same million rows took 4.4 s in one case and
 * 9.7 s in the next on this VM (PostgreSQL's checkpoints and the host's disk land in it, in spells of
 * minutes), so a single run moved the ratio by half.
 */
async function anchorRuns(database: BenchDialect, file: string, runs: number): Promise<AnchorResult[]> {
  const samples: AnchorResult[] = [];
  for (let i = 0; i < runs; i++) samples.push(await withDatabase(database, 'fanchor', (base) => runChild<AnchorResult>({ ...base, mode: 'anchor', file })));
  return samples;
}

function median(samples: AnchorResult[]): { anchor: AnchorResult; anchorSeconds: number[] } {
  const sorted = [...samples].sort((a, b) => a.seconds - b.seconds);
  return { anchor: sorted[Math.floor((sorted.length - 1) / 2)]!, anchorSeconds: sorted.map((s) => s.seconds) };
}

async function runCase(database: BenchDialect, key: CaseKey, files: GeneratedFiles, settings: CaseSettings): Promise<CaseResult> {
  const { cpuProf, statements } = settings;
  const file = fileOf(files, key);
  const loadBefore = load();
  process.stdout.write(`  ${database} ${caseTitles[key]} (${formatNumber(files.rows)} rows) ... `);
  const before = await anchorRuns(database, file, Math.ceil(settings.anchorRuns / 2));
  const cpuProfile = cpuProf ? path.join(resultsDir, `feeds-profile-${database}-${key}-${files.rows}-${Date.now()}`) : undefined;
  const pipeline = await withDatabase(database, 'feeds', (base) =>
    runChild<PipelineResult>({ ...base, mode: 'pipeline', file, statements, ...(key === 'delta-new' ? {} : { seedFile: files.deltaNew }) }, cpuProfile),
  );
  const { anchor, anchorSeconds } = median([...before, ...(await anchorRuns(database, file, Math.floor(settings.anchorRuns / 2)))]);
  const floor = database === 'postgres' && settings.floor ? await runFloor(key, file, files.deltaNew) : undefined;
  const loadAfter = load();
  const result: CaseResult = {
    database, case: key, rows: pipeline.counts.rows, sizeRows: files.rows, pipeline, anchor, anchorSeconds, ratio: pipeline.seconds / anchor.seconds,
    loadBefore, loadAfter, ...(floor ? { floor } : {}), ...(cpuProfile ? { cpuProfile } : {}),
  };
  console.log(`${pipeline.status} in ${pipeline.seconds.toFixed(1)} s (anchor ${anchorText(result)} s, x${result.ratio.toFixed(1)}), ` +
    `peak RSS ${rss(pipeline)} MB, counts ${JSON.stringify(pipeline.counts)}, load ${loadBefore[0]} -> ${loadAfter[0]}`);
  if (floor) console.log(`      floor ${floorText(result)}: ${floor.steps.map((s) => `${s.step} ${s.seconds.toFixed(2)}`).join(', ')} (users ${formatNumber(floor.users)}, active ${formatNumber(floor.activeUsers)}, with the file's manager ${formatNumber(floor.rightManagers)}, role links ${formatNumber(floor.roleLinks)})`);
  for (const s of pipeline.statements ?? []) console.log(`      ${(s.ms / 1000).toFixed(2).padStart(7)} s ${String(s.calls).padStart(6)}x  ${s.sql}`);
  return result;
}

/** maxRSS, then the sampled peaks of anonymous and file-mapped memory (the two peaks need not coincide). */
function rss(p: PipelineResult & { sampledRss?: SampledRss }): string {
  const sampled = p.sampledRss ? ` (anon ${Math.round(p.sampledRss.anonMb)} / file ${Math.round(p.sampledRss.fileMb)})` : '';
  return `${Math.round(p.maxRssMb)}${sampled}`;
}

function phases(p: PipelineResult): string {
  const t = p.timings;
  const s = (ms: number | undefined) => (ms === undefined ? '?' : (ms / 1000).toFixed(1));
  return `parse+stage ${s(t.parse_and_stage_ms)} / plan ${s(t.plan_ms)} / apply ${s(t.apply_ms)} (outbox ${s(p.outboxMs)}) / result ${s(t.result_ms)}`;
}

/** The median, then the range of the runs when there were several: `6.6 (6.2-8.1)`. */
function anchorText(r: CaseResult): string {
  const all = r.anchorSeconds;
  const range = all.length > 1 ? ` (${all[0]!.toFixed(1)}-${all.at(-1)!.toFixed(1)})` : '';
  return `${r.anchor.seconds.toFixed(1)}${range}`;
}

/** The floor's seconds and its ratio to the case's anchor: `18.4 (4.3x)`; '-' without one. */
function floorText(r: CaseResult): string {
  return r.floor ? `${r.floor.seconds.toFixed(1)} (${(r.floor.seconds / r.anchor.seconds).toFixed(1)}x)` : '-';
}

function tableRows(results: CaseResult[]): string[][] {
  return results.map((r) => [
    r.database,
    caseTitles[r.case],
    formatNumber(r.rows),
    r.pipeline.seconds.toFixed(1),
    formatNumber(r.rows / r.pipeline.seconds),
    anchorText(r),
    `${r.ratio.toFixed(1)}x`,
    floorText(r),
    rss(r.pipeline),
    phases(r.pipeline),
    `${r.loadBefore[0]} -> ${r.loadAfter[0]}`,
  ]);
}

interface CaseSettings {
  cpuProf: boolean;
  statements: boolean;
  anchorRuns: number;
  floor: boolean;
}

const headers = ['database', 'case', 'rows', 'seconds', 'rows/s', 'anchor s (median; range)', 'ratio', 'floor s (x anchor)', 'peak RSS MB (anon / file-mapped)', 'phases s', 'load avg (1 min)'];

async function run(options: Record<string, string>): Promise<boolean> {
  const rowCounts = options.rows!.split(',').map((r) => positiveInteger({ rows: r }, 'rows'));
  const databases = listOption(options, 'db', benchDialects);
  const cases = listOption(options, 'cases', caseKeys);
  const cpuProf = choiceOption(options, 'cpu-prof', ['yes', 'no'] as const) === 'yes';
  const statements = choiceOption(options, 'statements', ['yes', 'no'] as const) === 'yes';
  const floor = choiceOption(options, 'floor', ['yes', 'no'] as const) === 'yes';
  const settings: CaseSettings = { cpuProf, statements, anchorRuns: positiveInteger(options, 'anchor-runs'), floor };
  if (databases.includes('postgres') && !process.env.WORKGATE_BENCH_PG_URL && !process.env.WORKGATE_TEST_PG_URL) process.env.WORKGATE_BENCH_PG_URL = options['pg-url'];
  const machine = machineFacts();
  console.log(`${describeMachine(machine, {})}\n`);
  fs.mkdirSync(resultsDir, { recursive: true });
  const results: CaseResult[] = [];
  const parseOnly: Array<{ rows: number; seconds: number; rowsPerSecond: number; load: number[] }> = [];
  const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'workgate-feeds-bench-'));
  try {
    for (const rows of rowCounts) {
      const started = performance.now();
      const files = await generateFiles(path.join(tempDir, String(rows)), rows);
      console.log(`generated ${formatNumber(rows)} rows x 3 files (${(files.bytes.deltaNew! / 2 ** 20).toFixed(0)} MiB each) in ${((performance.now() - started) / 1000).toFixed(1)} s; Full leaves out ${formatNumber(files.missing)}`);
      const parsed = await runChild<AnchorResult>({ mode: 'parse', target: { kind: 'sqlite', file: '' }, file: files.deltaNew, workDir: tempDir });
      parseOnly.push({ rows, seconds: parsed.seconds, rowsPerSecond: parsed.rows / parsed.seconds, load: load() });
      console.log(`  csv-parse alone: ${parsed.seconds.toFixed(1)} s, ${formatNumber(parsed.rows / parsed.seconds)} rows/s`);
      for (const database of databases) for (const key of cases) results.push(await runCase(database, key, files, settings));
      fs.rmSync(files.dir, { recursive: true, force: true });
    }
  } finally {
    fs.rmSync(tempDir, { recursive: true, force: true });
  }
  console.log(`\n${formatTable(headers, tableRows(results))}`);
  console.log('\nseconds: received -> result file written and published (the run final). anchor: PostgreSQL \\copy / SQLite prepared insert loop of the same file ' +
    `(median of ${settings.anchorRuns} runs around the pipeline's, each on a fresh database; ratio against the median) ` +
    'into a table with PK login + unique email. floor (PostgreSQL): the least SQL leaving the same users and role links, without any check, result or outbox (bench/feeds/floor.ts). phases from the run\'s timings; outbox = time in the sync outbox\'s recordMany (inside apply).');
  const file = path.join(resultsDir, `feeds-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, `${JSON.stringify({ benchmark: 'feeds', at: new Date().toISOString(), machine, options, parseOnly, results }, null, 2)}\n`);
  console.log(`\nmarkdown:\n${formatMarkdownTable(headers, tableRows(results))}`);
  console.log(`\nresults: ${path.relative(process.cwd(), file)}`);
  const goals = results.filter((r) => r.sizeRows >= 1_000_000).map((r) => ({ r, met: r.ratio <= 4 && r.pipeline.seconds < 60 && r.pipeline.maxRssMb < 512 }));
  for (const { r, met } of goals) console.log(`goal (within 4x of anchor, < 60 s, < 512 MB) ${r.database} ${caseTitles[r.case]}: ${met ? 'met' : 'MISSED'}`);
  return results.every((r) => r.pipeline.status === 'done');
}

export const benchmark: Benchmark = {
  description: 'Users feeds of 100k/1M rows through the feed pipeline vs COPY / prepared inserts, SQLite and PostgreSQL',
  options: {
    rows: { default: '100000', description: 'rows per file, comma-separated for several sizes (e.g. 100000,1000000)' },
    db: { default: 'sqlite,postgres', description: 'databases: sqlite, postgres' },
    cases: { default: caseKeys.join(','), description: `cases: ${caseKeys.join(', ')}` },
    'pg-url': { default: defaultPgUrl, description: 'PostgreSQL server to create databases on (unless WORKGATE_BENCH_PG_URL / WORKGATE_TEST_PG_URL is set)' },
    statements: { default: 'no', description: 'yes: time every SQL statement of the measured run and print the costliest (adds some overhead)' },
    'anchor-runs': { default: '3', description: 'runs of the anchor per case, half before and half after the pipeline (fresh database each); the ratio is against their median' },
    floor: { default: 'yes', description: 'yes: on PostgreSQL also time the least SQL of each case with the real schema (bench/feeds/floor.ts), beside the anchor' },
    'cpu-prof': { default: 'no', description: 'yes: write a V8 CPU profile of each pipeline child to .bench/feeds-profile-*' },
  },
  run,
};
