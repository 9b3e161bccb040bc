import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { dialects } from '../support/databases.ts';
import { startFeedHarness, type FeedHarness } from '../support/feeds.ts';

const header = 'Login,Email,First Name,Last Name';
const usersCsv = (from: number, to: number) =>
  [header, ...Array.from({ length: to - from }, (_, i) => `user${from + i},user${from + i}@example.com,U,${from + i}`)].join('\n');
/** A Delta file (Status column): it names only what changes. */
const deltaCsv = (from: number, to: number) =>
  [`${header},Status`, ...Array.from({ length: to - from }, (_, i) => `user${from + i},user${from + i}@example.com,U,${from + i},active`)].join('\n');

for (const dialect of dialects()) {
  describe(`Full feeds, the safety hold and recovery on ${dialect.name}`, { skip: dialect.skip }, () => {
    let h: FeedHarness;
    before(async () => {
      h = await startFeedHarness(dialect);
    });
    after(async () => h?.close());

    it('holds a Full file that would deactivate more than 20% of 100+ active users, applies it once approved', async () => {
      const first = await h.upload('Users', 'full_1.csv', usersCsv(0, 150));
      assert.equal(first.status, 'done');
      assert.equal(first.mode, 'full');
      const held = await h.upload('Users', 'full_2.csv', usersCsv(0, 100));
      assert.equal(held.status, 'held');
      assert.deepEqual(held.held, { missing: 50, active: 150 });
      assert.match(h.result('Users', 'full_2.csv.result.csv'), /held: this Full file would deactivate 50 of 150 active users \(33\.3%, more than 20%\); nothing was applied/);
      const active = await h.database.db.kysely.selectFrom('core_users').select((eb) => eb.fn.countAll<number>().as('n')).where('active', '=', true).executeTakeFirstOrThrow();
      assert.equal(Number(active.n), 150, 'nothing applied while held');
      assert.deepEqual(h.archived('Users'), ['full_1.csv'], 'a held file stays in Incoming');

      await h.feeds.approve(held.id, 'test');
      const done = await waitFor(async () => {
        const run = await h.feeds.runs.get(held.id);
        return run && ['done', 'done_with_errors'].includes(run.status) ? run : undefined;
      });
      assert.equal(done.counts.deactivated, 50);
      assert.match(h.result('Users', 'full_2.csv.result.csv'), /^,user149,deactivated,$/m);
      assert.deepEqual(h.archived('Users'), ['full_1.csv', 'full_2.csv']);
    });

    it('a run cut off after its commit is published exactly once by the sweep', async () => {
      const run = await h.upload('Users', 'after_commit.csv', deltaCsv(200, 203));
      assert.equal(run.status, 'done');
      // As if the node died between the commit and the publication: the result is still in a temp file.
      const temp = await h.store.createTemp();
      await temp.handle.writeFile('Line,Key,Outcome,Message\n2,user200,created,\n');
      await temp.handle.close();
      const longAgo = new Date(Date.now() - 3_600_000).toISOString();
      await h.feeds.runs.update(run.id, { status: 'applied', result_temp: temp.path, result_file: 'after_commit.csv.result.csv', heartbeat_at: longAgo });
      await h.feeds.sweep({ startup: true });
      const swept = await h.feeds.runs.get(run.id);
      assert.equal(swept?.status, 'done');
      assert.equal(fs.existsSync(temp.path), false);
      await h.feeds.sweep({ startup: true });
      assert.deepEqual(h.archived('Users').filter((n) => n.startsWith('after_commit')), ['after_commit.csv'], 'archived once');
    });

    it('reprocessing a finished file runs it again as a new record', async () => {
      const run = await h.upload('Users', 'again.csv', deltaCsv(300, 302));
      const again = await h.feeds.reprocess(run.id, 'test');
      assert.equal(again.reprocessOf, run.id);
      const done = await waitFor(async () => {
        const r = await h.feeds.runs.get(again.id);
        return r && r.status === 'done' ? r : undefined;
      });
      assert.equal(done.counts.unchanged, 2);
    });
  });
}

async function waitFor<T>(probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not reached in 30 s');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
