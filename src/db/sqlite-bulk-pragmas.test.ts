import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql, type Kysely } from 'kysely';
import { dialects } from '../../test/support/databases.ts';
import type { Db } from './database.ts';
import type { Database } from './schema.ts';

const sqlite = dialects().find((d) => d.name === 'sqlite')!;

async function mappedBytes(executor: Kysely<Database>): Promise<number> {
  const { rows } = await sql<{ mmap_size: number }>`pragma mmap_size`.execute(executor);
  return Number(rows[0]!.mmap_size);
}

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

describe('SQLite: a feed file\'s work reads the database without the memory map', () => {
  it('turns the map off for the work\'s transaction and back on after it commits', async () => {
    const t = await probeDatabase();
    try {
      const shared = await mappedBytes(t.db.kysely);
      assert.ok(shared > 1024 ** 3, `the API's map (${shared} bytes)`);
      const during = await t.db.withDedicatedConnection((db) =>
        db.kysely.transaction().execute(async (trx) => {
          await sql`insert into probe (n) values (1)`.execute(trx);
          return mappedBytes(trx);
        }),
      );
      assert.equal(during, 0);
      assert.equal(await mappedBytes(t.db.kysely), shared);
      assert.equal(await probeRows(t.db), 1);
    } finally {
      await t.drop();
    }
  });

  it('turns the map back on when the work fails, after its transaction rolled back', async () => {
    const t = await probeDatabase();
    try {
      const shared = await mappedBytes(t.db.kysely);
      const failure = new Error('the file failed half-way');
      let during: number | undefined;
      await assert.rejects(
        t.db.withDedicatedConnection((db) =>
          db.kysely.transaction().execute(async (trx) => {
            await sql`insert into probe (n) values (1)`.execute(trx);
            during = await mappedBytes(trx);
            throw failure;
          }),
        ),
        failure,
      );
      assert.equal(during, 0);
      assert.equal(await mappedBytes(t.db.kysely), shared);
      assert.equal(await probeRows(t.db), 0);
    } finally {
      await t.drop();
    }
  });

  it('lets other queries run only after the work, with the map on again', async () => {
    const t = await probeDatabase();
    try {
      const shared = await mappedBytes(t.db.kysely);
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const order: string[] = [];
      const work = t.db.withDedicatedConnection(async (db) => {
        order.push(`work reads with ${await mappedBytes(db.kysely)}`);
        await gate;
        order.push('work ends');
      });
      await new Promise((resolve) => setTimeout(resolve, 20));
      const other = mappedBytes(t.db.kysely).then((bytes) => order.push(`other query reads with ${bytes}`));
      await new Promise((resolve) => setTimeout(resolve, 20));
      release();
      await Promise.all([work, other]);
      assert.deepEqual(order, ['work reads with 0', 'work ends', `other query reads with ${shared}`]);
    } finally {
      await t.drop();
    }
  });
});
