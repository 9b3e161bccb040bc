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

/** The memory map's size and the page cache's (KiB when negative) on the connection. */
async function readSettings(executor: Kysely<Database>): Promise<{ mmap: number; cache: number }> {
  const { rows: mmap } = await sql<{ mmap_size: number }>`pragma mmap_size`.execute(executor);
  const { rows: cache } = await sql<{ cache_size: number }>`pragma cache_size`.execute(executor);
  return { mmap: Number(mmap[0]!.mmap_size), cache: Number(cache[0]!.cache_size) };
}

/** During an import: no map, a 16 MiB page cache. */
const bulk = { mmap: 0, cache: -16 * 1024 };

/**
 * A feed file on SQLite reads the database through SQLite's page cache (a bounded one), not the memory
 * map the API uses, so a big file's reads do not become the process's resident memory. The API's
 * settings are back afterwards, whether the file was applied, held or failed.
 */
describe('SQLite: a Users file is imported without the memory map, through a bigger page cache', () => {
  let h: FeedHarness;
  let shared: { mmap: number; cache: number };
  const seen: Array<{ mmap: number; cache: number }> = [];
  let failNext: Error | undefined;
  before(async () => {
    h = await startFeedHarness(sqlite, {
      onUserImport: async (trx) => {
        seen.push(await readSettings(trx));
        const failure = failNext;
        failNext = undefined;
        if (failure) throw failure;
      },
    });
    shared = await readSettings(h.database.db.kysely);
  });
  after(async () => h?.close());

  it('maps the database for the API outside imports, with the default cache', () => {
    assert.ok(shared.mmap > 1024 ** 3, `mmap_size ${shared.mmap}`);
    assert.equal(shared.cache, -2000);
  });

  it('applies a file with the map off and the cache up, both back after the commit', async () => {
    seen.length = 0;
    const run = await h.upload('Users', 'full_1.csv', usersCsv(0, 150));
    assert.equal(run.status, 'done');
    assert.deepEqual(seen, [bulk]);
    assert.deepEqual(await readSettings(h.database.db.kysely), shared);
  });

  it('puts both back after a Full file is held (its transaction rolled back)', async () => {
    seen.length = 0;
    const run = await h.upload('Users', 'full_2.csv', usersCsv(0, 100));
    assert.equal(run.status, 'held');
    assert.deepEqual(seen, [bulk]);
    assert.deepEqual(await readSettings(h.database.db.kysely), shared);
  });

  it('puts both back after an import fails, and the next file imports with the bulk settings again', async () => {
    seen.length = 0;
    failNext = new Error('disk I/O error while staging');
    const failed = await h.upload('Users', 'delta_3.csv', usersCsv(150, 160, 'active'));
    assert.equal(failed.status, 'failed');
    assert.deepEqual(await readSettings(h.database.db.kysely), shared);
    const next = await h.upload('Users', 'delta_4.csv', usersCsv(160, 170, 'active'));
    assert.equal(next.status, 'done');
    assert.deepEqual(seen, [bulk, bulk]);
    assert.deepEqual(await readSettings(h.database.db.kysely), shared);
  });
});
