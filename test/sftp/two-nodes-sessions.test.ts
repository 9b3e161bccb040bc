import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { dialects, type TestDatabase } from '../support/databases.ts';
import { connectSsh2, PASSWORD, startSftpHarness, type SftpHarness, type Ssh2Session } from './support.ts';

const login = (node: SftpHarness, username: string) => connectSsh2({ port: node.port, username, password: PASSWORD });

async function refused(node: SftpHarness, username: string): Promise<boolean> {
  try {
    (await login(node, username)).end();
    return false;
  } catch (error) {
    return /authentication methods failed/.test((error as Error).message);
  }
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

for (const dialect of dialects()) {
  describe(`SFTP sessions of two nodes over one ${dialect.name} database`, { skip: dialect.skip }, () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'workgate-two-sftp-nodes-'));
    let database: TestDatabase;
    let a: SftpHarness;
    let b: SftpHarness;
    const open: Ssh2Session[] = [];
    const nodeOf = (node: SftpHarness) => `${os.hostname()}:${node.port}`;
    const sessionsOn = async (node: SftpHarness, username: string): Promise<string[]> =>
      ((await node.api('GET', `/api/admin/sftp-accounts/${username}/sessions`)).body as Array<{ node: string }>).map((s) => s.node).sort();

    before(async () => {
      database = await dialect.create({ migrate: false });
      const env = { WORKGATE_DATABASE_URL: database.url };
      a = await startSftpHarness({ env, dataDir });
      b = await startSftpHarness({ env, dataDir });
    });
    after(async () => {
      for (const session of open) session.end();
      await a?.close();
      await b?.close();
      await database?.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    it("each node lists the other's sessions, and max-sessions holds over both", async () => {
      await a.createAccount({ username: 'acme', 'auth-policy': 'password', 'max-sessions': 2 });
      open.push(await login(a, 'acme'), await login(b, 'acme'));
      const both = [nodeOf(a), nodeOf(b)].sort();
      assert.deepEqual(await sessionsOn(a, 'acme'), both);
      assert.deepEqual(await sessionsOn(b, 'acme'), both);
      const everyone = (await b.api('GET', '/api/admin/sftp-sessions')).body as Array<{ username: string; node: string; address: string }>;
      assert.deepEqual(everyone.filter((s) => s.username === 'acme').map((s) => s.node).sort(), both);
      assert.ok(await refused(a, 'acme'), 'a third session is refused on the first node');
      assert.ok(await refused(b, 'acme'), 'and on the second');
      assert.ok((await b.auditEvents('acme')).some((e) => e.event === 'session_limit' && e.outcome === 'refused'));
    });

    it('closing a session removes it from every listing and frees its place', async () => {
      open.pop()!.end();
      await until(async () => (await sessionsOn(a, 'acme')).length === 1, 'the closed session to leave the listing');
      assert.deepEqual(await sessionsOn(b, 'acme'), [nodeOf(a)]);
      open.push(await login(a, 'acme'));
      assert.deepEqual(await sessionsOn(b, 'acme'), [nodeOf(a), nodeOf(a)]);
    });

    it('a killed node does not hold the place past the heartbeat bound, and a live heartbeat deletes its row', async () => {
      await a.createAccount({ username: 'solo', 'auth-policy': 'password', 'max-sessions': 1 });
      const account = (await a.api('GET', '/api/admin/sftp-accounts/solo')).body as { id: number };
      const leftAt = new Date(Date.now() - 91_000).toISOString();
      await database.db.kysely
        .insertInto('transfer_sftp_sessions')
        .values({ session_id: 'killed0000', node_id: 'killed-host:2222', account_id: account.id, username: 'solo', address: '192.0.2.9', started_at: leftAt, last_seen_at: leftAt, bytes_in: 0, bytes_out: 0 })
        .execute();
      assert.deepEqual(await sessionsOn(b, 'solo'), [], "the dead node's session is not listed");
      open.push(await login(b, 'solo'));
      assert.deepEqual(await sessionsOn(a, 'solo'), [nodeOf(b)]);
      await a.workgate.sftp!.server.registry.heartbeat();
      const rows = await database.db.kysely.selectFrom('transfer_sftp_sessions').select('node_id').where('account_id', '=', account.id).execute();
      assert.deepEqual(rows.map((r) => r.node_id), [nodeOf(b)]);
    });
  });
}
