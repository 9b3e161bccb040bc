import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { createLogger } from '../../src/log.ts';
import { createSyncService, type RoundResult, type SyncService, type WakeCause } from '../../src/sync/index.ts';
import { dialects } from '../support/databases.ts';
import { licensedUser, startSyncHarness, type SyncHarness } from '../support/sync.ts';

type Round = RoundResult & { cause: WakeCause };

/**
 * An applier that polls only every 30 s: a round that applies an event says what began it, so a wake-up that
 * did not happen shows as 'poll' (an assertion that fails) rather than as a slow test.
 */
function sleepyApplier(h: SyncHarness, listenUrl: string | undefined) {
  const rounds: Round[] = [];
  const waiting: Array<() => void> = [];
  const sync: SyncService = createSyncService({
    db: h.database.db,
    core: h.core,
    workforce: h.workforce,
    outbox: h.outbox,
    log: createLogger('silent'),
    applier: {
      pollMs: 30_000,
      listenUrl,
      onRound: (round) => {
        rounds.push(round);
        waiting.splice(0).forEach((resolve) => resolve());
      },
    },
  });
  /**
   * Resolves with the round that applied an event of this Core user. Looks again after each round that
   * applied something, and every 50 ms: the round can end between the look and the wait (its onRound
   * then finds no one waiting, and no later round applies anything), which hung this test once in CI.
   */
  async function roundApplying(coreId: number): Promise<Round> {
    for (;;) {
      const applied = await h.database.db.kysely.selectFrom('sync_outbox').select('applied_at').where('entity', '=', 'user').where('entity_id', '=', coreId).executeTakeFirst();
      if (applied?.applied_at) return rounds.at(-1)!;
      await Promise.race([new Promise<void>((resolve) => waiting.push(resolve)), new Promise((resolve) => setTimeout(resolve, 50))]);
    }
  }
  return { sync, rounds, roundApplying };
}

for (const dialect of dialects()) {
  describe(`sync applier wake-ups on ${dialect.name}`, { skip: dialect.skip }, () => {
    let h: SyncHarness;
    before(async () => {
      h = await startSyncHarness(dialect);
    });
    after(async () => h?.close());

    it('a Core commit in this process wakes the running applier at once', async () => {
      const { sync, roundApplying } = sleepyApplier(h, undefined);
      await sync.applier.start();
      after(() => sync.applier.stop());
      const user = await h.core.users.create(licensedUser({ login: 'woken-here' }), 'test');
      const round = await roundApplying(user.id);
      assert.ok(['commit', 'start'].includes(round.cause), round.cause);
      assert.equal((await h.workforce.users.get('woken-here')).active, true);
      await sync.applier.stop();
    });

    it('a Core commit in another process wakes the applier through LISTEN/NOTIFY, not the poll', { skip: dialect.name === 'postgres' ? undefined : 'SQLite runs one node: its commits wake the applier in-process' }, async () => {
      const { sync, rounds, roundApplying } = sleepyApplier(h, h.database.url);
      await sync.applier.start();
      after(() => sync.applier.stop());
      const script = path.join(import.meta.dirname, 'support', 'commit-in-another-process.ts');
      const { stdout } = await promisify(execFile)(process.execPath, [script, h.database.url, 'woken-elsewhere']);
      const round = await roundApplying(Number(stdout.trim()));
      assert.equal(round.cause, 'notification', `rounds: ${JSON.stringify(rounds)}`);
      const user = await h.workforce.users.get('woken-elsewhere');
      assert.equal(user.firstName, 'Other');
      assert.equal(user.active, true);
      await sync.applier.stop();
    });

    it('listens again after its connection was cut: the next commit elsewhere still wakes it', { skip: dialect.name === 'postgres' ? undefined : 'PostgreSQL only' }, async () => {
      const { sync, rounds, roundApplying } = sleepyApplier(h, h.database.url);
      await sync.applier.start();
      after(() => sync.applier.stop());
      const listeners = async () => {
        const { rows } = await sql<{ pid: number }>`select pid from pg_stat_activity where datname = current_database() and application_name = 'workgate-sync-listener' and query ilike 'listen%'`.execute(h.database.db.kysely);
        return rows.map((r) => r.pid);
      };
      const [cut] = await listeners();
      assert.ok(cut, 'one listening connection');
      await sql`select pg_terminate_backend(${cut})`.execute(h.database.db.kysely);
      while (!(await listeners()).some((pid) => pid !== cut)) await new Promise((resolve) => setTimeout(resolve, 50));
      const script = path.join(import.meta.dirname, 'support', 'commit-in-another-process.ts');
      const { stdout } = await promisify(execFile)(process.execPath, [script, h.database.url, 'woken-after-cut']);
      const round = await roundApplying(Number(stdout.trim()));
      assert.equal(round.cause, 'notification', `rounds: ${JSON.stringify(rounds)}`);
      await sync.applier.stop();
    });
  });
}
