import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const repoRoot = path.resolve(import.meta.dirname, '..', '..');

/** A `workgate serve` process started for a benchmark. */
export interface BenchServer {
  url: string;
  pid: number;
  adminApiKey: string;
  stop(): Promise<void>;
}

/** 40 characters of A-Z a-z 0-9 - _, the shape of a generated API key. */
export function generateApiKey(): string {
  return crypto.randomBytes(30).toString('base64url');
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Starts `node src/cli.ts serve --roles http` with `env` and waits until /healthz answers 200. */
export async function startServer(env: Record<string, string>, options: { startTimeoutMs?: number; cpuProfileDir?: string } = {}): Promise<BenchServer> {
  const port = await freePort();
  const adminApiKey = generateApiKey();
  const profile = options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [];
  const child = spawn(process.execPath, [...profile, 'src/cli.ts', 'serve', '--roles', 'http'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      ...env,
      WORKGATE_HOST: '127.0.0.1',
      WORKGATE_HTTP_PORT: String(port),
      WORKGATE_LOG_LEVEL: 'warn',
      WORKGATE_ADMIN_API_KEY: adminApiKey,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(child, url, options.startTimeoutMs ?? 120_000);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  return { url, pid: child.pid ?? 0, adminApiKey, stop: () => stopChild(child) };
}

async function waitForHealth(child: ChildProcess, url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`server exited (${child.exitCode ?? child.signalCode}) before it was healthy`);
    try {
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`server at ${url} not healthy after ${timeoutMs} ms`);
}

/**
 * SIGTERM, then SIGKILL if it has not exited after 15 s. autocannon drops its sockets at the end of a
 * run while the server may still be answering them; a short pause lets those finish first.
 */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await sleep(1000);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}
