import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface MachineFacts {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  node: string;
  os: string;
  loadAverage: number[];
  /** The Workgate source measured: commit, "+dirty" when src/ has uncommitted changes. */
  workgateCommit: string;
}

function cpuModel(): string {
  try {
    const line = fs.readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('model name'));
    if (line) return line.slice(line.indexOf(':') + 1).trim();
  } catch {
    // not Linux: fall back to what Node reports
  }
  return os.cpus()[0]?.model ?? 'unknown';
}

export function machineFacts(): MachineFacts {
  return {
    cpuModel: cpuModel(),
    cores: os.availableParallelism(),
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
    workgateCommit: workgateCommit(),
  };
}

function workgateCommit(): string {
  const repoRoot = path.resolve(import.meta.dirname, '..', '..');
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return `${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain', '--', 'src') ? '+dirty' : ''}`;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

export function describeMachine(facts: MachineFacts, databases: Record<string, string>): string {
  const lines = [
    `cpu:      ${facts.cpuModel}, ${facts.cores} cores`,
    `memory:   ${facts.memoryGiB} GiB`,
    `node:     ${facts.node} on ${facts.os}`,
    `load avg: ${facts.loadAverage.join(' ')} (at start)`,
    `workgate: ${facts.workgateCommit}`,
    ...Object.entries(databases).map(([name, version]) => `${`${name}:`.padEnd(10)}${version}`),
  ];
  return lines.join('\n');
}

/** CPU time (user + system) a process has used so far, in ms; undefined where /proc is missing. */
export function processCpuMs(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

/** CPU time all cores spent busy so far (everything but idle and iowait), in ms, from /proc/stat. */
export function machineBusyMs(): number | undefined {
  try {
    const fields = (fs.readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1, 9).map(Number);
    const total = fields.reduce((sum, value) => sum + value, 0);
    return ((total - (fields[3] ?? 0) - (fields[4] ?? 0)) * 1000) / 100;
  } catch {
    return undefined;
  }
}

export interface CpuUse {
  /** Percent of one core: 100 = one core busy for the whole interval. */
  server: number | undefined;
  /** CPU time the server used over the interval, in ms. */
  serverMs: number | undefined;
  bench: number;
  /** Every other process on the machine (for PostgreSQL runs this includes the database server). */
  others: number | undefined;
}

/** Starts a CPU-use interval for the server process, this process and the whole machine. */
export function startCpuInterval(serverPid: number): () => CpuUse {
  const started = performance.now();
  const server = processCpuMs(serverPid);
  const bench = process.cpuUsage();
  const machine = machineBusyMs();
  return () => {
    const wallMs = performance.now() - started;
    const percent = (ms: number) => Math.round((ms / wallMs) * 100);
    const serverMs = server === undefined ? undefined : (processCpuMs(serverPid) ?? server) - server;
    const used = process.cpuUsage(bench);
    const benchMs = (used.user + used.system) / 1000;
    const machineMs = machine === undefined ? undefined : (machineBusyMs() ?? machine) - machine;
    return {
      server: serverMs === undefined ? undefined : percent(serverMs),
      serverMs,
      bench: percent(benchMs),
      others: machineMs === undefined || serverMs === undefined ? undefined : Math.max(0, percent(machineMs - serverMs - benchMs)),
    };
  };
}

/**
 * On a shared machine: waits (up to maxWaitMs) until the whole machine has been almost idle for a
 * second, so a measurement does not start while something else is busy. Resolves the busy share
 * last seen, in percent of one core.
 */
export async function waitForQuiet(maxWaitMs: number, idleBelowPercent = 25): Promise<number | undefined> {
  const deadline = performance.now() + maxWaitMs;
  let busy: number | undefined;
  do {
    const before = machineBusyMs();
    await sleep(1000);
    const after = machineBusyMs();
    if (before === undefined || after === undefined) return undefined;
    busy = Math.round((after - before) / 10);
    if (busy < idleBelowPercent) return busy;
  } while (performance.now() < deadline);
  return busy;
}
