import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import ssh2 from 'ssh2';

/** Helpers for this folder's tests only. */
export const silentLog = pino({ level: 'silent' });

export interface TestClock {
  now: () => Date;
  advance(seconds: number): void;
}

export function testClock(start = '2030-01-01T00:00:00.000Z'): TestClock {
  let current = new Date(start).getTime();
  return {
    now: () => new Date(current),
    advance: (seconds) => {
      current += seconds * 1000;
    },
  };
}

export type TestKeyKind = 'ed25519' | 'ecdsa-256' | 'ecdsa-384' | 'ecdsa-521' | 'rsa-1024' | 'rsa-2048' | 'rsa-3072';

export interface TestKey {
  /** The .pub line: `<type> <base64> <comment>`. */
  line: string;
  /** The .pub file on disk. */
  file: string;
  /** What ssh2 hands the server as ctx.key. */
  offered: { algo: string; data: Buffer };
}

/** Where ssh-keygen is, or undefined when openssh-client is not installed (keys then come from ssh2). */
export const sshKeygen: string | undefined = spawnSync('ssh-keygen', ['-l', '-f', '/dev/null']).error ? undefined : 'ssh-keygen';

const keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'workgate-keys-'));
process.on('exit', () => fs.rmSync(keyDir, { recursive: true, force: true }));
let sequence = 0;

function generateWithKeygen(kind: TestKeyKind, comment: string, file: string): void {
  const [type = '', bits = ''] = kind.split('-');
  const args = ['-q', '-t', type, '-N', '', '-C', comment, '-f', file, ...(bits ? ['-b', bits] : [])];
  const result = spawnSync('ssh-keygen', args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`ssh-keygen ${args.join(' ')} failed: ${result.stderr}`);
}

function generateWithSsh2(kind: TestKeyKind, comment: string, file: string): void {
  const [type = '', bits = ''] = kind.split('-');
  const pair = ssh2.utils.generateKeyPairSync(type as 'ed25519', { ...(bits ? { bits: Number(bits) } : {}), comment } as never);
  fs.writeFileSync(`${file}.pub`, `${pair.public.trim()}\n`);
}

/** A fresh key pair of the kind, made with ssh-keygen where present (else ssh2). */
export function generateTestKey(kind: TestKeyKind, comment = `test-${kind}`): TestKey {
  sequence += 1;
  const file = path.join(keyDir, `key${sequence}`);
  if (sshKeygen) generateWithKeygen(kind, comment, file);
  else generateWithSsh2(kind, comment, file);
  const line = fs.readFileSync(`${file}.pub`, 'utf8').trim();
  const [type = '', data = ''] = line.split(' ');
  return { line, file: `${file}.pub`, offered: { algo: type, data: Buffer.from(data, 'base64') } };
}

/** The fingerprint `ssh-keygen -lf` prints for a .pub file. */
export function keygenFingerprint(file: string): string {
  const result = spawnSync('ssh-keygen', ['-l', '-f', file], { encoding: 'utf8' });
  const fingerprint = result.stdout.split(' ')[1];
  if (result.status !== 0 || !fingerprint) throw new Error(`ssh-keygen -lf ${file} failed: ${result.stderr}`);
  return fingerprint;
}

const shared = new Map<TestKeyKind, TestKey>();

/** One key per kind for the whole test file (RSA generation takes seconds); comment `test-<kind>`. */
export function sharedTestKey(kind: TestKeyKind): TestKey {
  let key = shared.get(kind);
  if (!key) shared.set(kind, (key = generateTestKey(kind)));
  return key;
}
