import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import ssh2 from 'ssh2';
import type { ClientKey, SftpTarget } from './servers.ts';

export interface BatchRun {
  ms: number;
  ok: boolean;
  stderr: string;
}

/** OpenSSH's sftp in batch mode with the key and one cipher; the wall time of the whole run. */
export function sftpBatch(target: SftpTarget, key: ClientKey, cipher: string, batch: string, workDir: string): Promise<BatchRun> {
  const batchFile = path.join(workDir, `batch-${process.hrtime.bigint()}`);
  fs.writeFileSync(batchFile, batch);
  const args = [
    '-q', '-b', batchFile, '-P', String(target.port), '-i', key.file, '-c', cipher,
    '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes',
    '-o', 'LogLevel=ERROR', '-o', 'Compression=no', `${target.user}@127.0.0.1`,
  ];
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn('sftp', args, { cwd: workDir, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    child.on('close', (code) => {
      fs.rmSync(batchFile, { force: true });
      resolve({ ms: performance.now() - started, ok: code === 0, stderr });
    });
  });
}

/** Many sessions at once, each putting `files` copies of one local file under its own names. */
export async function concurrentUploads(target: SftpTarget, key: ClientKey, cipher: string, workDir: string, sessions: number, files: number, localFile: string) {
  const started = performance.now();
  const runs = await Promise.all(
    Array.from({ length: sessions }, (_, s) => {
      const lines = Array.from({ length: files }, (_, f) => `put ${localFile} ${target.smallDir}/s${s}-f${f}.csv`);
      return sftpBatch(target, key, cipher, `${lines.join('\n')}\n`, workDir);
    }),
  );
  const ms = performance.now() - started;
  const arrived = await target.countSmallFiles();
  return { ms, failedSessions: runs.filter((r) => !r.ok).length, missingFiles: sessions * files - arrived, firstError: runs.find((r) => !r.ok)?.stderr.trim() };
}

/** An SFTP session of the ssh2 client, ready for requests; resolves the time to get there. */
function openSession(target: SftpTarget, auth: { password?: string; privateKey?: string }, cipher: string): Promise<{ ms: number; client: ssh2.Client }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    client.on('error', reject);
    client.on('ready', () =>
      client.sftp((error) => (error ? reject(error) : resolve({ ms: performance.now() - started, client }))),
    );
    client.connect({ host: '127.0.0.1', port: target.port, username: target.user, ...auth, algorithms: { cipher: [cipher as ssh2.CipherAlgorithm] }, readyTimeout: 30_000 });
  });
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

/** Login times (TCP connect to SFTP ready), one after another. */
export async function loginTimes(target: SftpTarget, auth: { password?: string; privateKey?: string }, cipher: string, count: number): Promise<{ p50: number; p99: number }> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const { ms, client } = await openSession(target, auth, cipher);
    times.push(ms);
    client.end();
  }
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}

/** Proportional set size of the processes, in KiB (RSS where smaps_rollup is missing). */
export function memoryKiB(pids: number[]): number {
  let total = 0;
  for (const pid of pids) {
    try {
      const rollup = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      total += Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
    } catch {
      try {
        total += Number(/^VmRSS:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
      } catch {
        // exited
      }
    }
  }
  return total;
}

/** Server memory per idle SFTP session: open `count` sessions, wait, compare. */
export async function memoryPerSession(target: SftpTarget, privateKey: string, cipher: string, count: number, settleMs: number): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, settleMs));
  const before = memoryKiB(target.pids());
  const sessions: ssh2.Client[] = [];
  try {
    for (let i = 0; i < count; i++) sessions.push((await openSession(target, { privateKey }, cipher)).client);
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    return (memoryKiB(target.pids()) - before) / count;
  } finally {
    for (const client of sessions) client.end();
  }
}
