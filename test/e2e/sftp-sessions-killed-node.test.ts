import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { connectSsh2 } from '../sftp/support.ts';
import { dialects } from '../support/databases.ts';
import { api, startServe, waitFor, type ServeProcess } from './processes.ts';

const PASSWORD = 'a long enough password 123';

async function loginOutcome(port: number): Promise<string> {
  try {
    (await connectSsh2({ port, username: 'acme', password: PASSWORD })).end();
    return 'logged in';
  } catch (error) {
    return (error as Error).message;
  }
}

for (const dialect of dialects()) {
  describe(`an SFTP node killed with SIGKILL, on ${dialect.name}`, { skip: dialect.skip }, () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'workgate-killed-sftp-'));
    const servers: ServeProcess[] = [];
    after(async () => {
      for (const server of servers) await server.stop('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('keeps its session counted until it restarts on its host and port, which deletes the session at start', async () => {
      const database = await dialect.create({ migrate: false });
      after(() => database.drop());
      const env = { WORKGATE_DATA_DIR: path.join(dir, 'data'), WORKGATE_DATABASE_URL: database.url };
      const a = await startServe(env, 'sftp,http');
      servers.push(a);
      const b = await startServe(env, 'sftp,http');
      servers.push(b);
      assert.equal((await api(b.httpUrl, 'POST', '/api/admin/sftp-accounts', { username: 'acme', password: PASSWORD, 'max-sessions': 1 })).status, 201);
      const sessions = async () => ((await api(b.httpUrl, 'GET', '/api/admin/sftp-sessions')).body as Array<{ node: string }>).map((s) => s.node);

      const client = await connectSsh2({ port: a.sftpPort, username: 'acme', password: PASSWORD });
      client.client.on('error', () => undefined);
      assert.deepEqual(await sessions(), [`${os.hostname()}:${a.sftpPort}`]);
      await a.stop('SIGKILL');
      assert.deepEqual(await sessions(), [`${os.hostname()}:${a.sftpPort}`], 'the killed node could not delete its row; it stays live until the heartbeat bound');
      assert.match(await loginOutcome(b.sftpPort), /authentication methods failed/);

      const restarted = await startServe({ ...env, WORKGATE_SFTP_PORT: String(a.sftpPort) }, 'sftp,http');
      servers.push(restarted);
      await waitFor(async () => ((await sessions()).length === 0 ? true : undefined), 'the restarted node to delete the session of its previous run', 20_000);
      assert.equal(await loginOutcome(b.sftpPort), 'logged in');
    });
  });
}
