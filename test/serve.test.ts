import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { after, describe, it } from 'node:test';

const ADMIN_KEY = 'serve-test-admin-key-0123456789abcdefghijk';

/** `workgate serve` as a user runs it: a real process, a real port, SIGTERM to stop. */
async function startServer(dataDir: string, env: Record<string, string> = {}): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, ['src/cli.ts', 'serve', '--roles', 'http'], {
    env: { ...process.env, WORKGATE_DATA_DIR: dataDir, WORKGATE_HTTP_PORT: '0', WORKGATE_HOST: '127.0.0.1', WORKGATE_ADMIN_API_KEY: ADMIN_KEY, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const match = /"url":"(http:\/\/[^"]+)","database"/.exec(output);
    if (match) return { child, url: match[1]!, output: () => output };
    if (child.exitCode !== null) throw new Error(`server exited: ${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`server did not start: ${output}`);
}

async function waitFor(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached in 20 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('workgate serve', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'workgate-serve-'));
  after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('starts with a SQLite database in the data dir, answers, and on SIGTERM finishes in-flight requests then exits 0', async () => {
    const server = await startServer(dataDir);
    assert.ok(fs.existsSync(path.join(dataDir, 'workgate.db')));
    const health = await fetch(`${server.url}/healthz`);
    const healthBody = (await health.json()) as { status: string; database: string };
    assert.equal(healthBody.status, 'ok');
    assert.equal(healthBody.database, 'sqlite');

    // A request in flight: headers sent, body still coming when SIGTERM arrives.
    const body = JSON.stringify({ login: 'late', email: 'late@example.com', firstname: 'Late', lastname: 'Comer' });
    const { hostname, port } = new URL(server.url);
    const request = http.request({
      host: hostname,
      port,
      method: 'POST',
      path: '/api/users',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-coupa-api-key': ADMIN_KEY },
    });
    const response = once(request, 'response');
    request.write(body.slice(0, 10));
    await waitFor(() => /"url":"\/api\/users","host"/.test(server.output()));
    server.child.kill('SIGTERM');
    await waitFor(() => /shutting down/.test(server.output()));
    request.end(body.slice(10));
    const [res] = (await response) as [http.IncomingMessage];
    res.resume();
    assert.equal(res.statusCode, 201);
    const [code] = await once(server.child, 'exit');
    assert.equal(code, 0, server.output());
    assert.match(server.output(), /"msg":"stopped"/);
  });

  /** A request whose body never ends: in flight until the server gives up on it. */
  async function stuckRequest(server: { url: string; output: () => string }): Promise<http.ClientRequest> {
    const { hostname, port } = new URL(server.url);
    const request = http.request({ host: hostname, port, method: 'POST', path: '/api/users', headers: { 'content-type': 'application/json', 'content-length': 1000, 'x-coupa-api-key': ADMIN_KEY } });
    request.on('error', () => undefined);
    request.write('{"login":');
    await waitFor(() => /"url":"\/api\/users","host"/.test(server.output()));
    return request;
  }

  it('exits after the shutdown grace when in-flight work does not finish, saying so', async () => {
    const server = await startServer(dataDir, { WORKGATE_SHUTDOWN_GRACE_SECONDS: '1' });
    const request = await stuckRequest(server);
    server.child.kill('SIGTERM');
    const [code] = await once(server.child, 'exit');
    request.destroy();
    assert.equal(code, 1, server.output());
    assert.match(server.output(), /"graceSeconds":1,"msg":"in-flight work did not finish within the shutdown grace: exiting anyway"/);
  });

  it('exits at once on a second SIGTERM', async () => {
    const server = await startServer(dataDir, { WORKGATE_SHUTDOWN_GRACE_SECONDS: '3600' });
    const request = await stuckRequest(server);
    server.child.kill('SIGTERM');
    await waitFor(() => /shutting down/.test(server.output()));
    server.child.kill('SIGTERM');
    const [code] = await once(server.child, 'exit');
    request.destroy();
    assert.equal(code, 1, server.output());
    assert.match(server.output(), /"msg":"second signal: exiting now, in-flight work unfinished"/);
  });

  it('refuses to start with a bad configuration and says why', async () => {
    const child = spawn(process.execPath, ['src/cli.ts', 'serve'], {
      env: { ...process.env, WORKGATE_DATA_DIR: dataDir, WORKGATE_HTTP_PORT: 'eighty' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = await once(child, 'exit');
    assert.equal(code, 2);
    assert.match(stderr, /WORKGATE_HTTP_PORT: .*\(got "eighty"\)/);
  });
});
