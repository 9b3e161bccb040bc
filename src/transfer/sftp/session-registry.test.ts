import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dialects } from '../../../test/support/databases.ts';
import { openDatabase, type Db } from '../../db/index.ts';
import type { TransferAccount } from '../account.types.ts';
import { createTransferAccounts } from '../accounts.service.ts';
import { silentLog, testClock, type TestClock } from '../test-support.ts';
import { listLiveSessions, SessionRegistry } from './session-registry.ts';

const timing = { heartbeatMs: 3_600_000, staleAfterMs: 90_000 };

for (const dialect of dialects()) {
  describe(`SFTP sessions shared through the database on ${dialect.name}`, { skip: dialect.skip }, () => {
    let db: Db;
    /** The same database through its own connections, as a second process holds it. */
    let secondDb: Db;
    let drop: () => Promise<void>;
    let clock: TestClock;
    let sequence = 0;
    const started: SessionRegistry[] = [];

    before(async () => {
      let url: string;
      ({ db, drop, url } = await dialect.create());
      secondDb = openDatabase(url.startsWith('sqlite:') ? { kind: 'sqlite', file: url.slice('sqlite:'.length) } : { kind: 'postgres', url, poolSize: 8 });
      clock = testClock();
    });
    after(async () => {
      for (const registry of started) await registry.stop();
      await secondDb?.close();
      await drop?.();
    });

    async function node(name: string, nodeDb = db): Promise<SessionRegistry> {
      const registry = new SessionRegistry({ db: nodeDb, clock: clock.now, log: silentLog, timing });
      await registry.start(name);
      started.push(registry);
      return registry;
    }

    async function account(maxSessions: number): Promise<TransferAccount> {
      const transfer = createTransferAccounts({ db, clock: clock.now, log: silentLog });
      const { account } = await transfer.create({ username: `acct${++sequence}`, password: 'correct horse battery staple', maxSessions }, 'test');
      return account;
    }

    const open = (registry: SessionRegistry, acct: TransferAccount) => registry.tryOpen(acct, '192.0.2.1', `s${++sequence}`);
    const listed = async (acct: TransferAccount) => (await listLiveSessions(db, { now: clock.now(), timing, accountId: acct.id })).map((s) => s.node).sort();

    it('counts the limit over both nodes and lists each session with the node holding it', async () => {
      const [a, b] = [await node('host-a:2222'), await node('host-b:2222')];
      const acct = await account(2);
      assert.ok(await open(a, acct));
      assert.ok(await open(b, acct));
      assert.equal(await open(a, acct), undefined, 'a third session on either node is refused');
      assert.equal(await open(b, acct), undefined);
      assert.deepEqual(await listed(acct), ['host-a:2222', 'host-b:2222']);
    });

    it('lets exactly max-sessions of many simultaneous logins on two nodes through', async () => {
      const [a, b] = [await node('race-a:2222'), await node('race-b:2222', secondDb)];
      for (let round = 0; round < 5; round++) {
        const acct = await account(3);
        const outcomes = await Promise.all(Array.from({ length: 16 }, (_, i) => open(i % 2 === 0 ? a : b, acct).catch(() => undefined)));
        assert.equal(outcomes.filter(Boolean).length, 3, `round ${round}: three logins pass`);
        assert.equal((await listed(acct)).length, 3);
      }
    });

    it('removes the row when the session closes, and frees its place', async () => {
      const [a, b] = [await node('close-a:2222'), await node('close-b:2222')];
      const acct = await account(1);
      const session = await open(a, acct);
      assert.ok(session);
      assert.equal(await open(b, acct), undefined);
      await a.close(session.id);
      assert.deepEqual(await listed(acct), []);
      assert.ok(await open(b, acct), 'the place is free on the other node');
    });

    it("ignores a dead node's rows once its heartbeat is older than the bound, and a live node's heartbeat deletes them", async () => {
      const frozen = new Date(clock.now());
      const dead = new SessionRegistry({ db, clock: () => frozen, log: silentLog, timing });
      await dead.start('killed:2222');
      const live = await node('live:2222');
      const acct = await account(1);
      assert.ok(await open(dead, acct), 'the dead node held the only place before it died (no close, no more heartbeats)');
      assert.equal(await open(live, acct), undefined);
      clock.advance(60);
      await live.heartbeat();
      assert.equal(await open(live, acct), undefined, 'still within the bound: the place is still held');
      clock.advance(31);
      assert.deepEqual(await listed(acct), [], "past the bound the dead node's session is not listed");
      assert.ok(await open(live, acct), 'and does not count against the limit');
      await live.heartbeat();
      const rows = await db.kysely.selectFrom('transfer_sftp_sessions').select('node_id').where('account_id', '=', acct.id).execute();
      assert.deepEqual(rows.map((r) => r.node_id), ['live:2222'], 'the heartbeat deleted the dead row');
    });

    it('refreshes its rows and their traffic on each heartbeat, and puts back rows deleted meanwhile', async () => {
      const a = await node('beat-a:2222');
      const acct = await account(2);
      const session = await open(a, acct);
      assert.ok(session);
      session.traffic.bytesIn = 1234;
      clock.advance(80);
      await a.heartbeat();
      clock.advance(80);
      const seen = await listLiveSessions(db, { now: clock.now(), timing, accountId: acct.id });
      assert.deepEqual(seen.map((s) => [s.node, s.traffic.bytesIn]), [['beat-a:2222', 1234]], 'alive 160 s after login thanks to the heartbeat');
      await db.kysely.deleteFrom('transfer_sftp_sessions').where('session_id', '=', session.id).execute();
      await a.heartbeat();
      assert.equal((await listed(acct)).length, 1);
    });

    it("removes at start the rows its previous run left, not another node's", async () => {
      const acct = await account(5);
      const before = new SessionRegistry({ db, clock: clock.now, log: silentLog, timing });
      await before.start('restart:2222');
      assert.ok(await open(before, acct));
      const other = await node('other:2222');
      assert.ok(await open(other, acct));
      clock.advance(5);
      await node('restart:2222');
      assert.deepEqual(await listed(acct), ['other:2222']);
    });
  });
}
