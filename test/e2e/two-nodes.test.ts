import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { dialects } from '../support/databases.ts';
import { api, sftpPut, startServe, waitFor, writeUsersFile, type ServeProcess } from './processes.ts';

const postgres = dialects().find((d) => d.name === 'postgres')!;
const PASSWORD = 'a long enough password 123';
const FILES = 6;

describe('two workgate nodes on one PostgreSQL and one data directory', { skip: postgres.skip }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'workgate-two-nodes-'));
  const nodes: ServeProcess[] = [];
  after(async () => {
    for (const node of nodes) await node.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('processes each file uploaded through one node exactly once, by whichever worker takes it', async () => {
    const database = await postgres.create({ migrate: false });
    after(() => database.drop());
    const env = { WORKGATE_DATA_DIR: path.join(dir, 'shared'), WORKGATE_DATABASE_URL: database.url };
    const a = await startServe(env, 'sftp,http,worker');
    nodes.push(a);
    const b = await startServe(env, 'http,worker');
    nodes.push(b);
    assert.equal((await api(a.httpUrl, 'POST', '/api/admin/sftp-accounts', { username: 'acme', password: PASSWORD })).status, 201);

    for (let i = 0; i < FILES; i++) {
      const file = path.join(dir, `users_${i}.csv`);
      writeUsersFile(file, 200, `n${i}x`);
      await sftpPut(a.sftpPort, 'acme', PASSWORD, file, `/Incoming/Users/users_${i}.csv`);
    }
    const runs = await waitFor(async () => {
      const list = (await api(b.httpUrl, 'GET', '/api/data_file_sources')).body as Array<{ id: number; status: string; 'file-name': string; created: number }>;
      return list.length === FILES && list.every((r) => ['done', 'done_with_errors', 'failed'].includes(r.status)) ? list : undefined;
    }, 'every file processed');
    assert.deepEqual(runs.map((r) => r.status), Array(FILES).fill('done'));
    assert.deepEqual(runs.map((r) => r.created), Array(FILES).fill(200), 'each file applied once: a second apply would find its users unchanged');
    assert.deepEqual(
      runs.map((r) => r['file-name']).sort(),
      Array.from({ length: FILES }, (_, i) => `users_${i}.csv`),
    );
    const account = (await api(b.httpUrl, 'GET', '/api/admin/sftp-accounts/acme')).body as { id: number };
    const outgoing = path.join(env.WORKGATE_DATA_DIR, 'files', 'accounts', String(account.id), 'Outgoing', 'Users');
    assert.equal(fs.readdirSync(outgoing).length, FILES, 'one result file per upload');
    const total = (await api(a.httpUrl, 'GET', `/api/users?login[starts_with]=n&limit=1&offset=${FILES * 200 - 1}`)).body as unknown[];
    assert.equal(total.length, 1);
  });
});
