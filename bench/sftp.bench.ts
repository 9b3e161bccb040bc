/**
 * SFTP benchmark (issue 3): the same OpenSSH sftp client and cipher against Workgate's sftp role and against
 * OpenSSH's own sshd + sftp-server, side by side in one run: 1 GiB up and down, many concurrent sessions of
 * small uploads, login times, memory per idle session.
 */
import crypto from 'node:crypto';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { choiceOption, listOption, positiveInteger, type Benchmark } from './lib/benchmark.ts';
import { describeMachine, machineFacts, waitForQuiet } from './lib/machine.ts';
import { formatNumber, formatTable } from './lib/table.ts';
import { concurrentUploads, loginTimes, memoryPerSession, percentile, sftpBatch } from './sftp/clients.ts';
import { makeClientKey, opensshUnavailable, startOpenSsh, startWorkgate, type ClientKey, type SftpTarget } from './sftp/servers.ts';

const resultsDir = path.resolve(import.meta.dirname, '..', '.bench');
const parts = ['upload', 'download', 'concurrent', 'login', 'memory'] as const;
type Part = (typeof parts)[number];

interface Settings {
  sizeMiB: number;
  repeat: number;
  sessions: number;
  files: number;
  fileKiB: number;
  logins: number;
  idleSessions: number;
  cipher: string;
  quietWait: number;
  parts: Part[];
  servers: Array<'workgate' | 'openssh'>;
}

interface TargetResult {
  server: string;
  uploadMBps: number[];
  downloadMBps: number[];
  concurrent?: { seconds: number; failedSessions: number; missingFiles: number; firstError: string | undefined };
  passwordLogin?: { p50: number; p99: number };
  keyLogin?: { p50: number; p99: number };
  memoryKiBPerSession?: number;
  errors: string[];
}

function settings(options: Record<string, string>): Settings {
  return {
    sizeMiB: positiveInteger(options, 'size-mib'),
    repeat: positiveInteger(options, 'repeat'),
    sessions: Math.min(100, positiveInteger(options, 'sessions')),
    files: positiveInteger(options, 'files'),
    fileKiB: positiveInteger(options, 'file-kib'),
    logins: positiveInteger(options, 'logins'),
    idleSessions: Math.min(100, positiveInteger(options, 'idle-sessions')),
    cipher: choiceOption(options, 'cipher', ['aes128-gcm@openssh.com', 'aes256-gcm@openssh.com', 'chacha20-poly1305@openssh.com', 'aes128-ctr'] as const),
    quietWait: options['quiet-wait'] === '0' ? 0 : positiveInteger(options, 'quiet-wait'),
    parts: listOption(options, 'parts', parts),
    servers: listOption(options, 'servers', ['workgate', 'openssh'] as const),
  };
}

function randomFile(file: string, bytes: number): void {
  const fd = fs.openSync(file, 'w');
  const chunk = Buffer.allocUnsafe(16 * 1024 * 1024);
  for (let written = 0; written < bytes; written += chunk.length) {
    crypto.randomFillSync(chunk);
    fs.writeSync(fd, chunk, 0, Math.min(chunk.length, bytes - written));
  }
  fs.closeSync(fd);
}

const mbps = (bytes: number, ms: number) => bytes / 1e6 / (ms / 1000);

async function quiet(s: Settings): Promise<void> {
  if (s.quietWait > 0) await waitForQuiet(s.quietWait * 1000);
}

/** One upload and one download per target, interleaved so both see the same machine. */
async function transfers(targets: SftpTarget[], results: Map<SftpTarget, TargetResult>, key: ClientKey, s: Settings, work: string, big: string): Promise<void> {
  const bytes = fs.statSync(big).size;
  for (const target of targets) target.placeForDownload(big, 'download.bin');
  for (let round = 1; round <= s.repeat; round++) {
    for (const target of targets) {
      const result = results.get(target)!;
      if (s.parts.includes('upload')) {
        await quiet(s);
        const up = await sftpBatch(target, key, s.cipher, `put ${big} ${target.uploadDir}/upload-${round}.bin\n`, work);
        if (up.ok) result.uploadMBps.push(mbps(bytes, up.ms));
        else result.errors.push(`upload: ${up.stderr.trim()}`);
        target.afterUpload(`upload-${round}.bin`);
        console.log(`  round ${round} ${target.name.padEnd(8)} upload   ${up.ok ? `${mbps(bytes, up.ms).toFixed(0)} MB/s` : 'FAILED'}`);
      }
      if (s.parts.includes('download')) {
        await quiet(s);
        const local = path.join(work, 'download.bin');
        const down = await sftpBatch(target, key, s.cipher, `get ${target.bigDir}/download.bin ${local}\n`, work);
        const complete = down.ok && fs.existsSync(local) && fs.statSync(local).size === bytes;
        if (complete) result.downloadMBps.push(mbps(bytes, down.ms));
        else result.errors.push(`download: ${down.stderr.trim()}`);
        fs.rmSync(local, { force: true });
        console.log(`  round ${round} ${target.name.padEnd(8)} download ${complete ? `${mbps(bytes, down.ms).toFixed(0)} MB/s` : 'FAILED'}`);
      }
    }
  }
}

async function sessionsAndLogins(target: SftpTarget, result: TargetResult, key: ClientKey, s: Settings, work: string, small: string): Promise<void> {
  if (s.parts.includes('concurrent')) {
    await quiet(s);
    const run = await concurrentUploads(target, key, s.cipher, work, s.sessions, s.files, small);
    result.concurrent = { seconds: run.ms / 1000, failedSessions: run.failedSessions, missingFiles: run.missingFiles, firstError: run.firstError };
    console.log(`  ${target.name.padEnd(8)} ${s.sessions} sessions x ${s.files} files: ${(run.ms / 1000).toFixed(1)} s, ${run.failedSessions} failed sessions, ${run.missingFiles} missing files`);
  }
  const privateKey = fs.readFileSync(key.file, 'utf8');
  if (s.parts.includes('login')) {
    await quiet(s);
    result.keyLogin = await loginTimes(target, { privateKey }, s.cipher, s.logins);
    if (target.password !== undefined) result.passwordLogin = await loginTimes(target, { password: target.password }, s.cipher, s.logins);
    console.log(`  ${target.name.padEnd(8)} login key p50 ${result.keyLogin.p50.toFixed(0)} ms` + (result.passwordLogin ? `, password p50 ${result.passwordLogin.p50.toFixed(0)} ms` : ''));
  }
  if (s.parts.includes('memory')) {
    await quiet(s);
    result.memoryKiBPerSession = await memoryPerSession(target, privateKey, s.cipher, s.idleSessions, 2000);
    console.log(`  ${target.name.padEnd(8)} memory per idle session ${result.memoryKiBPerSession.toFixed(0)} KiB`);
  }
}

const median = (values: number[]) => (values.length ? percentile(values, 50) : NaN);
const show = (value: number | undefined, digits = 0) => (value === undefined || Number.isNaN(value) ? '-' : formatNumber(value, digits));

function table(results: TargetResult[], s: Settings): string {
  const rows = results.map((r) => [
    r.server,
    show(median(r.uploadMBps)),
    show(median(r.downloadMBps)),
    r.concurrent ? `${r.concurrent.seconds.toFixed(1)} s` : '-',
    r.concurrent ? String(r.concurrent.failedSessions + r.concurrent.missingFiles) : '-',
    r.passwordLogin ? `${show(r.passwordLogin.p50)} / ${show(r.passwordLogin.p99)}` : 'n/a',
    r.keyLogin ? `${show(r.keyLogin.p50)} / ${show(r.keyLogin.p99)}` : '-',
    show(r.memoryKiBPerSession),
  ]);
  const concurrent = `${s.sessions}x${s.files}x${s.fileKiB} KiB`;
  return formatTable(['server', 'upload MB/s', 'download MB/s', concurrent, 'failures', 'password login p50/p99 ms', 'key login p50/p99 ms', 'KiB/idle session'], rows);
}

function goals(results: TargetResult[]): string[] {
  const [workgate, openssh] = [results.find((r) => r.server === 'workgate'), results.find((r) => r.server === 'openssh')];
  if (!workgate) return [];
  const lines = [`zero failures at the concurrent sessions: ${workgate.concurrent ? (workgate.concurrent.failedSessions + workgate.concurrent.missingFiles === 0 ? 'met' : 'NOT met') : '-'}`];
  if (openssh) {
    const up = median(workgate.uploadMBps) / median(openssh.uploadMBps);
    const down = median(workgate.downloadMBps) / median(openssh.downloadMBps);
    lines.push(`upload faster than OpenSSH: ${Number.isNaN(up) ? '-' : `${up > 1 ? 'met' : 'NOT met'} (${up.toFixed(2)}x)`}`);
    lines.push(`download at least as fast as OpenSSH: ${Number.isNaN(down) ? '-' : `${down >= 1 ? 'met' : 'NOT met'} (${down.toFixed(2)}x)`}`);
  }
  return lines;
}

function opensshVersion(): string {
  return spawnSync('ssh', ['-V'], { encoding: 'utf8' }).stderr.trim();
}

async function run(options: Record<string, string>): Promise<boolean> {
  const s = settings(options);
  const machine = machineFacts();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'workgate-bench-sftp-client-'));
  const key = makeClientKey(work);
  const password = crypto.randomBytes(18).toString('base64url');
  const unavailable = s.servers.includes('openssh') ? opensshUnavailable() : undefined;
  if (unavailable) console.log(`OpenSSH side skipped: ${unavailable}`);
  console.log(`SFTP benchmark: ${s.sizeMiB} MiB up and down x${s.repeat}, ${s.sessions} sessions x ${s.files} files of ${s.fileKiB} KiB, cipher ${s.cipher}`);
  const big = path.join(work, 'big.bin');
  const small = path.join(work, 'small.bin');
  randomFile(big, s.sizeMiB * 1024 * 1024);
  randomFile(small, s.fileKiB * 1024);
  const targets: SftpTarget[] = [];
  const results = new Map<SftpTarget, TargetResult>();
  try {
    if (s.servers.includes('workgate')) targets.push(await startWorkgate(key, password, Math.min(100, Math.max(s.sessions, s.idleSessions))));
    if (s.servers.includes('openssh') && !unavailable) targets.push(await startOpenSsh(key));
    for (const target of targets) results.set(target, { server: target.name, uploadMBps: [], downloadMBps: [], errors: [] });
    await transfers(targets, results, key, s, work, big);
    for (const target of targets) await sessionsAndLogins(target, results.get(target)!, key, s, work, small);
  } finally {
    for (const target of targets) await target.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
  const list = [...results.values()];
  console.log(`\n${describeMachine(machine, { client: opensshVersion() })}\n\n${table(list, s)}`);
  console.log('median of the rounds; MB = 10^6 bytes; login = TCP connect to SFTP ready (ssh2 client); memory = PSS growth of the server processes');
  console.log('OpenSSH password login: n/a (it would need a system account with a password); Workgate fsyncs every upload before answering close, sftp-server does not');
  for (const line of goals(list)) console.log(`goal: ${line}`);
  fs.mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `sftp-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, `${JSON.stringify({ benchmark: 'sftp', at: new Date().toISOString(), machine, settings: s, results: list }, null, 2)}\n`);
  console.log(`\nresults: ${path.relative(process.cwd(), file)}`);
  const errors = list.flatMap((r) => r.errors);
  for (const error of errors) console.log(`ERROR ${error}`);
  return errors.length === 0;
}

export const benchmark: Benchmark = {
  description: 'SFTP: Workgate vs OpenSSH sftp-server, same client and cipher: 1 GiB up/down, concurrent sessions, logins, memory',
  options: {
    'size-mib': { default: '1024', description: 'size of the file uploaded and downloaded, MiB' },
    repeat: { default: '3', description: 'rounds of upload and download per server (median reported)' },
    sessions: { default: '100', description: 'concurrent sessions of small uploads (at most 100, the accounts limit)' },
    files: { default: '20', description: 'files each concurrent session uploads' },
    'file-kib': { default: '1024', description: 'size of each small file, KiB' },
    logins: { default: '50', description: 'logins timed per method' },
    'idle-sessions': { default: '50', description: 'idle sessions opened to measure memory per session' },
    cipher: { default: 'aes128-gcm@openssh.com', description: 'cipher for every client' },
    'quiet-wait': { default: '30', description: 'seconds to wait at most for an idle machine before each measurement (0: no wait)' },
    parts: { default: parts.join(','), description: `what to measure: ${parts.join(', ')}` },
    servers: { default: 'workgate,openssh', description: 'servers to measure: workgate, openssh' },
  },
  run,
};
