import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const gpgPath = '/usr/bin/gpg';
export const timePath = '/usr/bin/time';
const repoRoot = path.resolve(import.meta.dirname, '..', '..');
const workerPath = path.join(import.meta.dirname, 'worker.ts');

export interface Measurement {
  /** Wall time of the whole process, seconds. */
  wallSeconds: number;
  /** Time of the streaming itself: Workgate's worker reports it (without Node's start); gpg's is its wall time. */
  streamSeconds: number;
  /** User + system time of the whole process. */
  cpuSeconds: number;
  /** CPU time of the streaming itself (Workgate's worker reports it; gpg's is its whole CPU time). */
  streamCpuSeconds: number;
  peakRssKiB: number;
  /** Bytes the operation produced (ciphertext or plaintext). */
  outputBytes: number | undefined;
}

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Finished> {
  const child = spawn(command, args, { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs a command under /usr/bin/time: wall seconds, peak RSS (KiB), user + system seconds on the last stderr line. */
async function timed(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Finished & { wall: number; rssKiB: number; cpu: number }> {
  const finished = await run(timePath, ['-f', 'TIME %e %M %U %S', command, ...args], env);
  const line = finished.stderr.split('\n').reverse().find((l) => l.startsWith('TIME '));
  if (finished.code !== 0 || !line) throw new Error(`${path.basename(command)} ${args.join(' ')} failed (${finished.code}): ${finished.stderr.slice(-600)}`);
  const [wall, rss, user, system] = line.slice(5).split(' ').map(Number);
  return { ...finished, wall: wall ?? NaN, rssKiB: rss ?? NaN, cpu: (user ?? NaN) + (system ?? NaN) };
}

export function gpgEnv(home: string): NodeJS.ProcessEnv {
  return { ...process.env, GNUPGHOME: home };
}

export async function gpg(home: string, args: string[], input?: string): Promise<string> {
  const child = spawn(gpgPath, ['--batch', '--yes', '--trust-model', 'always', ...args], { env: gpgEnv(home), stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('latin1')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(input ?? '');
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`gpg ${args.join(' ')} failed (${code}): ${stderr.slice(-600)}`);
  return stdout;
}

export async function gpgVersion(): Promise<string> {
  const finished = await run(gpgPath, ['--version'], process.env);
  return finished.stdout.split('\n').slice(0, 2).join(', ');
}

export type Operation = 'encrypt' | 'decrypt' | 'encrypt-signed';

/** Signing without a prompt: the bench's key has no passphrase, and loopback keeps any pinentry away. */
export const gpgSigningArgs = ['--pinentry-mode', 'loopback', '--passphrase', ''];

function gpgArgs(operation: Operation, fingerprint: string, input: string): string[] {
  if (operation === 'decrypt') return ['--decrypt', input];
  const encrypt = ['--compress-level', '0', '--recipient', fingerprint];
  // Signed with the same Workgate key the message is encrypted to, as Workgate signs its own results.
  if (operation === 'encrypt-signed') return [...gpgSigningArgs, ...encrypt, '--local-user', fingerprint, '--sign', '--encrypt', input];
  return [...encrypt, '--encrypt', input];
}

/** gpg as customers run it: no compression (as Workgate writes), output to /dev/null. */
export async function measureGpg(home: string, operation: Operation, fingerprint: string, input: string): Promise<Measurement> {
  const args = ['--batch', '--yes', '--trust-model', 'always', '--output', '/dev/null'];
  const finished = await timed(gpgPath, [...args, ...gpgArgs(operation, fingerprint, input)], gpgEnv(home));
  return { wallSeconds: finished.wall, streamSeconds: finished.wall, cpuSeconds: finished.cpu, streamCpuSeconds: finished.cpu, peakRssKiB: finished.rssKiB, outputBytes: undefined };
}

/** Workgate's stream functions in a child process of their own (see worker.ts). */
export async function measureWorkgate(operation: Operation, keyFile: string, input: string, chunkBytes: number, pieceBytes: number | undefined): Promise<Measurement> {
  const finished = await timed(process.execPath, [workerPath, operation, keyFile, input, String(chunkBytes), String(pieceBytes ?? 'default')]);
  const reported = JSON.parse(finished.stdout.trim().split('\n').pop() ?? '{}') as { outputBytes: number; ms: number; cpuMs: number };
  return {
    wallSeconds: finished.wall,
    streamSeconds: reported.ms / 1000,
    cpuSeconds: finished.cpu,
    streamCpuSeconds: reported.cpuMs / 1000,
    peakRssKiB: finished.rssKiB,
    outputBytes: reported.outputBytes,
  };
}

/** A file of `mebibytes` MiB of random bytes (incompressible, like the already compressed data gpg would not shrink). */
export function writeRandomFile(file: string, mebibytes: number): void {
  const block = Buffer.alloc(1024 * 1024);
  const fd = fs.openSync(file, 'w');
  try {
    for (let i = 0; i < mebibytes; i += 1) fs.writeSync(fd, crypto.randomFillSync(block));
  } finally {
    fs.closeSync(fd);
  }
}

export async function commandExists(file: string): Promise<boolean> {
  try {
    await fs.promises.access(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
