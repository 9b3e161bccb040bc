import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql, type Kysely } from 'kysely';
import { dialects } from '../../test/support/databases.ts';
import type { Db } from './database.ts';
import type { Database } from './schema.ts';

const sqlite = dialects().find((d) => d.name === 'sqlite')!;

/** The settings a feed's work changes: the memory map's size and the page cache's (KiB when negative). */
async function readSettings(executor: Kysely<Database>): Promise<{ mmap: number; cache: number }> {
  const { rows: mmap } = await sql<{ mmap_size: number }>`pragma mmap_size`.execute(executor);
  const { rows: cache } = await sql<{ cache_size: number }>`pragma cache_size`.execute(executor);
  return { mmap: Number(mmap[0]!.mmap_size), cache: Number(cache[0]!.cache_size) };
}

/** No map and a 16 MiB page cache. */
const bulk = { mmap: 0, cache: -16 * 1024 };

async function probeRows(db: Db): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*) as n from probe`.execute(db.kysely);
  return Number(rows[0]!.n);
}

/** An empty SQLite database with one table, written inside the work's transaction so a rollback shows. */
async function probeDatabase() {
  const t = await sqlite.create({ migrate: false });
  await sql`create table probe (n integer)`.execute(t.db.kysely);
  return t;
}

describe('SQLite: a feed file\'s work reads the database without the memory map, through a bigger page cache', () => {
  it('turns the map off and the cache up for the work\'s transaction, back after it commits', async () => {
    const t = await probeDatabase();
    try {
      const shared = await readSettings(t.db.kysely);
      assert.ok(shared.mmap > 1024 ** 3, `the API's map (${shared.mmap} bytes)`);
      assert.equal(shared.cache, -2000, "SQLite's default page cache");
      const during = await t.db.withDedicatedConnection((db) =>
        db.kysely.transaction().execute(async (trx) => {
          await sql`insert into probe (n) values (1)`.execute(trx);
          return readSettings(trx);
        }),
      );
      assert.deepEqual(during, bulk);
      assert.deepEqual(await readSettings(t.db.kysely), shared);
      assert.equal(await probeRows(t.db), 1);
    } finally {
      await t.drop();
    }
  });

  it('puts both back when the work fails, after its transaction rolled back', async () => {
    const t = await probeDatabase();
    try {
      const shared = await readSettings(t.db.kysely);
      const failure = new Error('the file failed half-way');
      let during: { mmap: number; cache: number } | undefined;
      await assert.rejects(
        t.db.withDedicatedConnection((db) =>
          db.kysely.transaction().execute(async (trx) => {
            await sql`insert into probe (n) values (1)`.execute(trx);
            during = await readSettings(trx);
            throw failure;
          }),
        ),
        failure,
      );
      assert.deepEqual(during, bulk);
      assert.deepEqual(await readSettings(t.db.kysely), shared);
      assert.equal(await probeRows(t.db), 0);
    } finally {
      await t.drop();
    }
  });

  it('lets other queries run only after the work, with the API\'s settings again', async () => {
    const t = await probeDatabase();
    try {
      const shared = await readSettings(t.db.kysely);
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const order: string[] = [];
      const work = t.db.withDedicatedConnection(async (db) => {
        order.push(`work reads with ${JSON.stringify(await readSettings(db.kysely))}`);
        await gate;
        order.push('work ends');
      });
      await new Promise((resolve) => setTimeout(resolve, 20));
      const other = readSettings(t.db.kysely).then((settings) => order.push(`other query reads with ${JSON.stringify(settings)}`));
      await new Promise((resolve) => setTimeout(resolve, 20));
      release();
      await Promise.all([work, other]);
      assert.deepEqual(order, [`work reads with ${JSON.stringify(bulk)}`, 'work ends', `other query reads with ${JSON.stringify(shared)}`]);
    } finally {
      await t.drop();
    }
  });
});
