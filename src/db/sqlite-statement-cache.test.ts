import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { openDatabase } from './database.ts';
import { migrateToLatest } from './migrate.ts';
import { cachingStatements } from './sqlite-statement-cache.ts';

interface Tables {
  items: { id: number; name: string; size?: number };
}

function memoryKysely(size?: number): { kysely: Kysely<Tables>; connection: SQLite.Database } {
  const connection = new SQLite(':memory:');
  connection.exec('create table items (id integer primary key, name text not null)');
  const insert = connection.prepare('insert into items (id, name) values (?, ?)');
  for (let id = 1; id <= 20; id++) insert.run(id, `item ${id}`);
  return { kysely: new Kysely<Tables>({ dialect: new SqliteDialect({ database: cachingStatements(connection, size) }) }), connection };
}

describe('SQLite statement cache', () => {
  it('reuses a statement for the same SQL and answers each execution with its own parameters', async () => {
    const connection = new SQLite(':memory:');
    const cache = cachingStatements(connection);
    try {
      const first = cache.prepare('select ? as n');
      const second = cache.prepare('select ? as n');
      assert.equal(first, second);
      assert.deepEqual(first.all([1]), [{ n: 1 }]);
      assert.deepEqual(second.all(['two']), [{ n: 'two' }]);
      assert.notEqual(cache.prepare('select ? as m'), first);
    } finally {
      cache.close();
    }
  });

  it('keeps only the most recently used statements', () => {
    const connection = new SQLite(':memory:');
    const cache = cachingStatements(connection, 2);
    try {
      const a = cache.prepare('select 1');
      const b = cache.prepare('select 2');
      assert.equal(cache.prepare('select 1'), a); // now b is the least recently used
      cache.prepare('select 3');
      assert.equal(cache.prepare('select 1'), a);
      assert.notEqual(cache.prepare('select 2'), b);
    } finally {
      cache.close();
    }
  });

  it('gives a fresh statement for SQL whose cached statement is still being iterated', () => {
    const { kysely, connection } = memoryKysely();
    const cache = cachingStatements(connection);
    try {
      const text = 'select id from items where id >= ? order by id';
      const early = cache.prepare(text).iterate([1]);
      const late = cache.prepare(text).iterate([11]);
      const seen: number[][] = [[], []];
      for (let i = 0; i < 10; i++) {
        seen[0]!.push((early.next().value as { id: number }).id);
        seen[1]!.push((late.next().value as { id: number }).id);
        assert.equal(cache.prepare(text).all([15]).length, 6);
      }
      assert.equal(late.next().done, true);
      for (const row of { [Symbol.iterator]: () => early }) seen[0]!.push((row as { id: number }).id);
      assert.deepEqual(seen[0], Array.from({ length: 20 }, (_, i) => i + 1));
      assert.deepEqual(seen[1], Array.from({ length: 10 }, (_, i) => i + 11));
      assert.deepEqual(cache.prepare(text).all([19]), [{ id: 19 }, { id: 20 }]);
    } finally {
      void kysely.destroy();
    }
  });

  it('streams the same query through Kysely twice at once, and a stream left early frees its statement', async () => {
    const { kysely } = memoryKysely();
    try {
      const query = (from: number) => kysely.selectFrom('items').select('id').where('id', '>=', from).orderBy('id');
      const collect = async (from: number) => {
        const ids: number[] = [];
        for await (const row of query(from).stream()) ids.push(row.id);
        return ids;
      };
      const [all, last] = await Promise.all([collect(1), collect(18), query(5).execute()]);
      assert.deepEqual(all, Array.from({ length: 20 }, (_, i) => i + 1));
      assert.deepEqual(last, [18, 19, 20]);
      for await (const row of query(3).stream()) {
        assert.equal(row.id, 3);
        break;
      }
      assert.deepEqual((await query(19).execute()).map((row) => row.id), [19, 20]);
    } finally {
      await kysely.destroy();
    }
  });

  it('answers for the current schema after columns, tables and indexes change', async () => {
    const { kysely } = memoryKysely(2);
    try {
      const all = () => sql<Record<string, unknown>>`select * from items where id = 1`.execute(kysely);
      assert.deepEqual((await all()).rows, [{ id: 1, name: 'item 1' }]);
      await kysely.schema.alterTable('items').addColumn('size', 'integer', (c) => c.defaultTo(7)).execute();
      assert.deepEqual((await all()).rows, [{ id: 1, name: 'item 1', size: 7 }]);
      await kysely.schema.createIndex('items_name').on('items').column('name').execute();
      await kysely.schema.dropTable('items').execute();
      await assert.rejects(all(), /no such table: items/);
      await kysely.schema.createTable('items').addColumn('id', 'integer', (c) => c.primaryKey()).addColumn('label', 'text').execute();
      await sql`insert into items (id, label) values (1, 'again')`.execute(kysely);
      assert.deepEqual((await all()).rows, [{ id: 1, label: 'again' }]);
    } finally {
      await kysely.destroy();
    }
  });

  describe('in a migrated Workgate database', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'workgate-statements-'));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('reads, writes and rolls back correctly when the same statements run over and over', async () => {
      const db = openDatabase({ kind: 'sqlite', file: path.join(dir, 'cache.db') });
      try {
        await migrateToLatest(db);
        const roles = () => db.kysely.selectFrom('core_roles').selectAll().where('predefined', '=', true).orderBy('id').execute();
        const before = await roles();
        assert.ok(before.length > 0);
        // A later migration's kind of change, after the statement was cached.
        await db.kysely.schema.alterTable('core_roles').addColumn('note', 'text').execute();
        await db.kysely.schema.createIndex('core_roles_note').on('core_roles').column('note').execute();
        assert.deepEqual(await roles(), before.map((row) => ({ ...row, note: null })));
        const now = new Date().toISOString();
        const insert = (executor: typeof db.kysely, name: string) =>
          executor.insertInto('core_roles').values({ name, description: null, predefined: false, created_at: now, updated_at: now, created_by: 't', updated_by: 't' }).execute();
        await insert(db.kysely, 'Cached A');
        await insert(db.kysely, 'Cached B');
        await assert.rejects(
          db.kysely.transaction().execute(async (trx) => {
            await insert(trx, 'Rolled back');
            await insert(trx, 'Cached A'); // the same statement; a unique name taken: the transaction rolls back
          }),
          (error: unknown) => db.adapter.isUniqueViolation(error),
        );
        const custom = await db.kysely.selectFrom('core_roles').select('name').where('predefined', '=', false).orderBy('name').execute();
        assert.deepEqual(custom.map((row) => row.name), ['Cached A', 'Cached B']);
      } finally {
        await db.close();
      }
    });
  });
});
