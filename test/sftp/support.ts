import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ssh2, { type ConnectConfig, type SFTPWrapper } from 'ssh2';
import { startWorkgate, type Workgate } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import type { ReceivedFile } from '../../src/transfer/files/index.ts';
import type { DialectUnderTest, TestDatabase } from '../support/databases.ts';

export const ADMIN_KEY = 'sftp-test-admin-key-0123456789abcdefghijklmn';
export const PASSWORD = 'correct horse battery staple 42';

/** A `workgate serve --roles sftp,http` started in-process on free ports, as the CLI starts it. */
export interface SftpHarness {
  workgate: Workgate;
  port: number;
  httpUrl: string;
  dataDir: string;
  received: ReceivedFile[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON of many shapes, checked by the tests
  api(method: string, url: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** An account through the admin API; password PASSWORD unless given. */
  createAccount(body: Record<string, unknown>): Promise<void>;
  auditEvents(username: string): Promise<Array<{ event: string; outcome: string; method: string | null; detail: Record<string, unknown> | null }>>;
  accountDir(username: string, ...parts: string[]): Promise<string>;
  close(): Promise<void>;
}

/** `dataDir`: a data directory shared with another harness (a second node); the caller removes it. */
export async function startSftpHarness(options: { dialect?: DialectUnderTest; env?: Record<string, string>; dataDir?: string } = {}): Promise<SftpHarness> {
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'workgate-sftp-'));
  const database: TestDatabase | undefined = options.dialect ? await options.dialect.create({ migrate: false }) : undefined;
  const config = loadConfig({
    WORKGATE_DATA_DIR: dataDir,
    ...(database ? { WORKGATE_DATABASE_URL: database.url } : {}),
    WORKGATE_HOST: '127.0.0.1',
    WORKGATE_HTTP_PORT: '0',
    WORKGATE_SFTP_PORT: '0',
    WORKGATE_ROLES: 'sftp,http',
    WORKGATE_ADMIN_API_KEY: ADMIN_KEY,
    WORKGATE_LOG_LEVEL: process.env.WORKGATE_TEST_LOG_LEVEL ?? 'silent',
    ...options.env,
  });
  const workgate = await startWorkgate(config, createLogger(config.logLevel));
  const received: ReceivedFile[] = [];
  workgate.files.onFileReceived((file) => void received.push(file));
  const httpUrl = workgate.httpUrl!;
  const api = async (method: string, url: string, body?: unknown) => {
    const response = await fetch(`${httpUrl}${url}`, {
      method,
      headers: { 'x-coupa-api-key': ADMIN_KEY, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };
  return {
    workgate,
    port: workgate.sftp!.server.port,
    httpUrl,
    dataDir,
    received,
    api,
    async createAccount(body) {
      const response = await api('POST', '/api/admin/sftp-accounts', { password: PASSWORD, ...body });
      if (response.status !== 201) throw new Error(`account not created: ${response.status} ${JSON.stringify(response.body)}`);
    },
    async auditEvents(username) {
      const response = await api('GET', `/api/admin/sftp-accounts/${username}/audit-events?limit=1000`);
      return response.body;
    },
    async accountDir(username, ...parts) {
      const account = await api('GET', `/api/admin/sftp-accounts/${username}`);
      return path.join(dataDir, 'files', 'accounts', String(account.body.id), ...parts);
    },
    async close() {
      await workgate.close();
      if (database) await database.drop();
      if (!options.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Where a Debian client program is, or why the test is skipped. */
export function tool(name: string, debianPackage: string): { path: string | undefined; skip: string | undefined } {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
  return found ? { path: found, skip: undefined } : { path: undefined, skip: `${name} is not installed (Debian package ${debianPackage}; CI installs it)` };
}

const keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'workgate-sftp-keys-'));
process.on('exit', () => fs.rmSync(keyDir, { recursive: true, force: true }));

/** A key pair on disk (OpenSSH format): ssh-keygen where present, else ssh2. */
export function makeKey(type: 'ed25519' | 'rsa' = 'ed25519'): { file: string; publicLine: string; privateKey: string } {
  const file = path.join(keyDir, `id_${type}_${crypto.randomBytes(4).toString('hex')}`);
  const keygen = spawnSync('ssh-keygen', ['-q', '-t', type, ...(type === 'rsa' ? ['-b', '3072'] : []), '-N', '', '-C', 'test', '-f', file]);
  if (keygen.error || keygen.status !== 0) {
    const pair = ssh2.utils.generateKeyPairSync(type as 'ed25519', (type === 'rsa' ? { bits: 3072 } : {}) as never);
    fs.writeFileSync(file, pair.private, { mode: 0o600 });
    fs.writeFileSync(`${file}.pub`, `${pair.public}\n`);
  }
  return { file, publicLine: fs.readFileSync(`${file}.pub`, 'utf8').trim(), privateKey: fs.readFileSync(file, 'utf8') };
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program with a time limit (a hanging client fails the test instead of blocking it). */
export function run(command: string, args: string[], options: { timeoutMs?: number; cwd?: string; input?: string; env?: Record<string, string> } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} did not finish in ${options.timeoutMs ?? 60_000} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** OpenSSH's sftp in batch mode with key authentication. */
export function openSshSftp(port: number, user: string, keyFile: string, batch: string, extra: string[] = [], cwd?: string): Promise<Run> {
  const batchFile = path.join(keyDir, `batch-${crypto.randomBytes(4).toString('hex')}`);
  fs.writeFileSync(batchFile, batch);
  return run(
    'sftp',
    [
      '-b', batchFile, '-P', String(port), '-i', keyFile,
      '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', '-o', 'LogLevel=ERROR',
      ...extra, `${user}@127.0.0.1`,
    ],
    { cwd },
  );
}

export interface Ssh2Session {
  client: ssh2.Client;
  sftp: SFTPWrapper;
  end(): void;
}

/** The ssh2 client, connected and with its SFTP channel open. */
export function connectSsh2(config: ConnectConfig): Promise<Ssh2Session> {
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    client.on('error', reject);
    client.on('ready', () => {
      client.sftp((error, sftp) => {
        if (error) return reject(error);
        resolve({ client, sftp, end: () => client.end() });
      });
    });
    client.connect({ host: '127.0.0.1', readyTimeout: 20_000, ...config });
  });
}

/** The SFTP status code of a failed request (ssh2 puts it on error.code), or 'ok'. */
export async function statusOf(work: Promise<unknown>): Promise<number | 'ok'> {
  try {
    await work;
    return 'ok';
  } catch (error) {
    return (error as { code?: number }).code ?? -1;
  }
}

export const sftpCall = <T>(fn: (cb: (error: Error | null | undefined, value?: T) => void) => void): Promise<T> =>
  new Promise((resolve, reject) => fn((error, value) => (error ? reject(error) : resolve(value as T))));
