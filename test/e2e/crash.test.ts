import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { dialects } from '../support/databases.ts';
import { api, sftpPut, startServe, waitFor, writeUsersFile, type ServeProcess } from './processes.ts';

const PASSWORD = 'a long enough password 123';
const ROWS = 40_000;

for (const dialect of dialects()) {
  describe(`a worker killed in the middle of a file, on ${dialect.name}`, { skip: dialect.skip }, () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'workgate-crash-'));
    const servers: ServeProcess[] = [];
    after(async () => {
      for (const server of servers) await server.stop('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('leaves the state before the file; after a restart the file is applied exactly once', async () => {
      const database = await dialect.create({ migrate: false });
      after(() => database.drop());
      const env = {
        WORKGATE_DATA_DIR: path.join(dir, 'data'),
        ...(dialect.name === 'postgres' ? { WORKGATE_DATABASE_URL: database.url } : { WORKGATE_DATABASE_URL: `sqlite:${path.join(dir, 'data', 'workgate.db')}` }),
        WORKGATE_FEED_STALE_SECONDS: '3',
        WORKGATE_FEED_SWEEP_SECONDS: '1',
      };
      const first = await startServe(env);
      servers.push(first);
      assert.equal((await api(first.httpUrl, 'POST', '/api/admin/sftp-accounts', { username: 'acme', password: PASSWORD })).status, 201);
      const file = path.join(dir, 'users_big.csv');
      writeUsersFile(file, ROWS, 'crash');
      await sftpPut(first.sftpPort, 'acme', PASSWORD, file, '/Incoming/Users/users_big.csv');

      // Killed while the file is being applied: after it started, long before it can commit.
      await waitFor(async () => (/"msg":"applying file"/.test(first.output()) ? true : undefined), 'the run started');
      await new Promise((resolve) => setTimeout(resolve, 400));
      await first.stop('SIGKILL');
      assert.doesNotMatch(first.output(), /"msg":"file applied"/, 'killed before the commit');
      const loading = { id: 1 };

      const second = await startServe(env);
      servers.push(second);
      const done = await waitFor(async () => {
        const run = (await api(second.httpUrl, 'GET', `/api/data_file_sources/${loading.id}`)).body as { status: string; created: number; errors: number };
        return ['done', 'done_with_errors', 'failed'].includes(run.status) ? run : undefined;
      }, 'the run finished after the restart');
      assert.equal(done.status, 'done', JSON.stringify(done));
      assert.equal(done.created, ROWS, 'every row created once');
      const users = (await api(second.httpUrl, 'GET', '/api/users?login[starts_with]=crash&limit=1&offset=' + (ROWS - 1))).body as unknown[];
      assert.equal(users.length, 1);
      const beyond = (await api(second.httpUrl, 'GET', '/api/users?login[starts_with]=crash&limit=1&offset=' + ROWS)).body as unknown[];
      assert.equal(beyond.length, 0, 'no row applied twice');
      const runs = (await api(second.httpUrl, 'GET', '/api/data_file_sources')).body as unknown[];
      assert.equal(runs.length, 1, 'one record for the file');
      const account = (await api(second.httpUrl, 'GET', '/api/admin/sftp-accounts/acme')).body as { id: number };
      const outgoing = path.join(env.WORKGATE_DATA_DIR, 'files', 'accounts', String(account.id), 'Outgoing', 'Users');
      assert.deepEqual(fs.readdirSync(outgoing), ['users_big.csv.result.csv']);
      const archive = path.join(env.WORKGATE_DATA_DIR, 'files', 'accounts', String(account.id), 'Archive', 'Incoming', 'Users');
      assert.deepEqual(fs.readdirSync(archive), ['users_big.csv']);
      assert.match(second.output(), /cut off/);
    });
  });
}
