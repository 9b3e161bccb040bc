import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, generateApiKey } from '../lib/server.ts';

const repoRoot = path.resolve(import.meta.dirname, '..', '..');

/** One SFTP server under test, with where its client writes and reads. */
export interface SftpTarget {
  name: 'workgate' | 'openssh';
  port: number;
  /** Processes whose memory and CPU belong to the server (sshd forks per connection). */
  pids(): number[];
  user: string;
  password: string | undefined;
  /** Remote directories: uploads of the big file, its download, the many small uploads. */
  uploadDir: string;
  bigDir: string;
  smallDir: string;
  /** Frees the disk an uploaded big file took. */
  afterUpload(name: string): void;
  /** Puts a local file where the client can download it from `${bigDir}/<name>`. */
  placeForDownload(localFile: string, name: string): void;
  /** How many of the small files arrived. */
  countSmallFiles(): Promise<number>;
  stop(): Promise<void>;
}

export interface ClientKey {
  file: string;
  publicLine: string;
}

export function makeClientKey(dir: string): ClientKey {
  const file = path.join(dir, 'id_ed25519');
  const made = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'bench', '-f', file]);
  if (made.status !== 0) throw new Error(`ssh-keygen failed: ${made.stderr}`);
  return { file, publicLine: fs.readFileSync(`${file}.pub`, 'utf8').trim() };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/** The processes below `pid` (sshd's per-connection children), from /proc. */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  const all: number[] = [];
  const walk = (p: number) => {
    for (const child of children.get(p) ?? []) {
      all.push(child);
      walk(child);
    }
  };
  walk(pid);
  return all;
}

/** `workgate serve --roles sftp,http` as its own process, with one account (password and key). */
export async function startWorkgate(key: ClientKey, password: string, maxSessions: number): Promise<SftpTarget> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'workgate-bench-sftp-'));
  const [httpPort, sftpPort] = [await freePort(), await freePort()];
  const adminApiKey = generateApiKey();
  const child = spawn(process.execPath, ['src/cli.ts', 'serve', '--roles', 'sftp,http'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      WORKGATE_DATA_DIR: dataDir,
      WORKGATE_HOST: '127.0.0.1',
      WORKGATE_HTTP_PORT: String(httpPort),
      WORKGATE_SFTP_PORT: String(sftpPort),
      WORKGATE_LOG_LEVEL: 'warn',
      WORKGATE_ADMIN_API_KEY: adminApiKey,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  let stopping = false;
  child.on('exit', (code, signal) => {
    if (!stopping) console.error(`workgate exited during the benchmark: ${code ?? signal}`);
  });
  const url = `http://127.0.0.1:${httpPort}`;
  const api = (method: string, route: string, body?: unknown) =>
    fetch(`${url}${route}`, {
      method,
      headers: { 'x-coupa-api-key': adminApiKey, accept: 'application/json', 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  try {
    await waitForHealth(child, url);
    const created = await api('POST', '/api/admin/sftp-accounts', {
      username: 'bench',
      password,
      'ssh-keys': [key.publicLine],
      'auth-policy': 'password-or-publickey',
      folders: ['CCW', 'Users'],
      'max-sessions': maxSessions,
    });
    if (created.status !== 201) throw new Error(`account not created: ${created.status} ${await created.text()}`);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  const id = ((await (await api('GET', '/api/admin/sftp-accounts/bench')).json()) as { id: number }).id;
  const outgoing = path.join(dataDir, 'files', 'accounts', String(id), 'Outgoing', 'CCW');
  return {
    name: 'workgate',
    port: sftpPort,
    pids: () => [child.pid ?? 0],
    user: 'bench',
    password,
    uploadDir: '/Incoming/CCW',
    bigDir: '/Outgoing/CCW',
    smallDir: '/Incoming/Users',
    afterUpload() {
      const received = path.join(dataDir, 'files', 'received');
      for (const file of fs.readdirSync(received)) if (fs.statSync(path.join(received, file)).size > 64 * 1024 * 1024) fs.rmSync(path.join(received, file));
    },
    placeForDownload(localFile, name) {
      fs.mkdirSync(outgoing, { recursive: true });
      fs.rmSync(path.join(outgoing, name), { force: true });
      fs.linkSync(localFile, path.join(outgoing, name));
    },
    async countSmallFiles() {
      const { default: Database } = await import('better-sqlite3');
      const db = new Database(path.join(dataDir, 'workgate.db'), { readonly: true });
      try {
        const row = db.prepare("select count(distinct name) as n from transfer_received_files where folder = '/Incoming/Users' and status = 'received'").get() as { n: number };
        return row.n;
      } finally {
        db.close();
      }
    },
    async stop() {
      stopping = true;
      await stopChild(child);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function waitForHealth(child: ChildProcess, url: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`workgate exited (${child.exitCode ?? child.signalCode}) before it was healthy`);
    try {
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      const body = (await response.json()) as { sftp?: { role: string } };
      if (response.status === 200 && body.sftp?.role === 'running') return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`workgate at ${url} not healthy in time`);
}

export const sshd = '/usr/sbin/sshd';

/** Why OpenSSH's server cannot run here, or undefined. */
export function opensshUnavailable(): string | undefined {
  if (!fs.existsSync(sshd)) return `${sshd} is missing (Debian package openssh-server)`;
  if (!fs.existsSync('/usr/lib/openssh/sftp-server')) return '/usr/lib/openssh/sftp-server is missing (openssh-server)';
  if (process.getuid?.() !== 0) return 'sshd needs root here (privilege separation)';
  return undefined;
}

/**
 * OpenSSH's sshd with its own config, host key and authorized_keys in a temp dir, on a loopback port,
 * `-D -e -f <config>`, serving its internal-less sftp-server subsystem to the current user (key only).
 */
export async function startOpenSsh(key: ClientKey): Promise<SftpTarget> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'workgate-bench-sshd-'));
  const port = await freePort();
  spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'host_key')]);
  fs.writeFileSync(path.join(dir, 'authorized_keys'), `${key.publicLine}\n`, { mode: 0o600 });
  const files = path.join(dir, 'files');
  fs.mkdirSync(path.join(files, 'big'), { recursive: true });
  fs.mkdirSync(path.join(files, 'up'), { recursive: true });
  fs.mkdirSync(path.join(files, 'small'), { recursive: true });
  const config = path.join(dir, 'sshd_config');
  fs.writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${path.join(dir, 'host_key')}`,
      `PidFile ${path.join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      'MaxStartups 400:30:800',
      'MaxSessions 50',
      'Subsystem sftp /usr/lib/openssh/sftp-server',
      '',
    ].join('\n'),
  );
  fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const check = spawnSync(sshd, ['-t', '-f', config], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`sshd -t rejected the config: ${check.stderr}`);
  const child = spawn(sshd, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
  await waitForPort(port, child, () => log);
  return {
    name: 'openssh',
    port,
    pids: () => [child.pid ?? 0, ...descendants(child.pid ?? 0)],
    user: os.userInfo().username,
    password: undefined,
    uploadDir: path.join(files, 'up'),
    bigDir: path.join(files, 'big'),
    smallDir: path.join(files, 'small'),
    afterUpload: (name) => fs.rmSync(path.join(files, 'up', name), { force: true }),
    placeForDownload(localFile, name) {
      fs.rmSync(path.join(files, 'big', name), { force: true });
      fs.linkSync(localFile, path.join(files, 'big', name));
    },
    countSmallFiles: async () => fs.readdirSync(path.join(files, 'small')).length,
    async stop() {
      await stopChild(child);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitForPort(port: number, child: ChildProcess, log: () => string): Promise<void> {
  const net = await import('node:net');
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`sshd exited: ${log()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    await sleep(100);
  }
  throw new Error(`sshd did not listen on ${port}: ${log()}`);
}
