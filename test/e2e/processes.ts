import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import ssh2 from 'ssh2';

export const ADMIN_KEY = 'e2e-test-admin-key-0123456789abcdefghijklmn';

export async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

export interface ServeProcess {
  child: ChildProcess;
  httpUrl: string;
  sftpPort: number;
  output(): string;
  /** Ends it gracefully (SIGTERM) or as a crash would (SIGKILL). */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** `workgate serve` as its own process, the way an operator runs it. */
export async function startServe(env: Record<string, string>, roles = 'sftp,http,worker'): Promise<ServeProcess> {
  const httpPort = await freePort();
  const sftpPort = await freePort();
  const child = spawn(process.execPath, ['src/cli.ts', 'serve', '--roles', roles], {
    env: {
      ...process.env,
      WORKGATE_HOST: '127.0.0.1',
      WORKGATE_HTTP_PORT: String(httpPort),
      WORKGATE_SFTP_PORT: String(sftpPort),
      WORKGATE_ADMIN_API_KEY: ADMIN_KEY,
      WORKGATE_LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const httpUrl = `http://127.0.0.1:${httpPort}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`workgate serve exited: ${output.slice(-2000)}`);
    const ok = await fetch(`${httpUrl}/healthz`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`workgate serve did not start: ${output.slice(-2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    child,
    httpUrl,
    sftpPort,
    output: () => output,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill(signal);
      await exited;
    },
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON of many shapes, checked by the tests
export async function api(baseUrl: string, method: string, url: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${baseUrl}${url}`, {
    method,
    headers: { 'x-coupa-api-key': ADMIN_KEY, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** Uploads a local file with the ssh2 SFTP client and password authentication. */
export async function sftpPut(port: number, username: string, password: string, local: string, remote: string): Promise<void> {
  const client = new ssh2.Client();
  await new Promise<void>((resolve, reject) => {
    client.once('ready', resolve).once('error', reject).connect({ host: '127.0.0.1', port, username, password, readyTimeout: 20_000 });
  });
  try {
    const sftp = await new Promise<ssh2.SFTPWrapper>((resolve, reject) => client.sftp((error, s) => (error ? reject(error) : resolve(s))));
    await new Promise<void>((resolve, reject) => sftp.fastPut(local, remote, (error) => (error ? reject(error) : resolve())));
  } finally {
    client.end();
  }
}

export async function waitFor<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not reached in ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export function writeUsersFile(file: string, rows: number, prefix: string): void {
  const lines = ['Login,Status,Email,First Name,Last Name,Employee Number,Approver Login'];
  for (let i = 0; i < rows; i++) {
    lines.push(`${prefix}${i},active,${prefix}${i}@example.com,First${i},Last${i},${prefix.toUpperCase()}${i},${i === 0 ? '' : `${prefix}${Math.floor((i - 1) / 10)}`}`);
  }
  fs.writeFileSync(file, lines.join('\n') + '\n');
}
