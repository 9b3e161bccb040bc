import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../src/db/index.ts';
import { dialects } from '../support/databases.ts';
import { startFeedHarness, type FeedHarness } from '../support/feeds.ts';

const sqlite = dialects().find((d) => d.name === 'sqlite')!;

const header = 'Login,Email,First Name,Last Name';
const usersCsv = (from: number, to: number, status = '') =>
  [`${header}${status ? ',Status' : ''}`, ...Array.from({ length: to - from }, (_, i) => `user${from + i},user${from + i}@example.com,U,${from + i}${status ? `,${status}` : ''}`)].join('\n');

async function mappedBytes(executor: Kysely<Database>): Promise<number> {
  const { rows } = await sql<{ mmap_size: number }>`pragma mmap_size`.execute(executor);
  return Number(rows[0]!.mmap_size);
}

/**
 * A feed file on SQLite reads the database through SQLite's page cache, not the memory map the API
 * uses, so a big file's reads do not become the process's resident memory. The map is back for the
 * API afterwards, whether the file was applied, held or failed.
 */
describe('SQLite: a Users file is imported without the memory map', () => {
  let h: FeedHarness;
  let shared: number;
  const seen: number[] = [];
  let failNext: Error | undefined;
  before(async () => {
    h = await startFeedHarness(sqlite, {
      onUserImport: async (trx) => {
        seen.push(await mappedBytes(trx));
        const failure = failNext;
        failNext = undefined;
        if (failure) throw failure;
      },
    });
    shared = await mappedBytes(h.database.db.kysely);
  });
  after(async () => h?.close());

  it('maps the database for the API outside imports', () => {
    assert.ok(shared > 1024 ** 3, `mmap_size ${shared}`);
  });

  it('applies a file with the map off and turns it back on after the commit', async () => {
    seen.length = 0;
    const run = await h.upload('Users', 'full_1.csv', usersCsv(0, 150));
    assert.equal(run.status, 'done');
    assert.deepEqual(seen, [0]);
    assert.equal(await mappedBytes(h.database.db.kysely), shared);
  });

  it('turns the map back on after a Full file is held (its transaction rolled back)', async () => {
    seen.length = 0;
    const run = await h.upload('Users', 'full_2.csv', usersCsv(0, 100));
    assert.equal(run.status, 'held');
    assert.deepEqual(seen, [0]);
    assert.equal(await mappedBytes(h.database.db.kysely), shared);
  });

  it('turns the map back on after an import fails, and the next file runs with it off again', async () => {
    seen.length = 0;
    failNext = new Error('disk I/O error while staging');
    const failed = await h.upload('Users', 'delta_3.csv', usersCsv(150, 160, 'active'));
    assert.equal(failed.status, 'failed');
    assert.equal(await mappedBytes(h.database.db.kysely), shared);
    const next = await h.upload('Users', 'delta_4.csv', usersCsv(160, 170, 'active'));
    assert.equal(next.status, 'done');
    assert.deepEqual(seen, [0, 0]);
    assert.equal(await mappedBytes(h.database.db.kysely), shared);
  });
});
