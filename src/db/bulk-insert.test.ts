import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { dialects } from '../../test/support/databases.ts';
import type { BulkColumn } from './database.ts';

const columns: BulkColumn[] = [
  { name: 'n', pgType: 'integer' },
  { name: 'label', pgType: 'text' },
  { name: 'flag', pgType: 'boolean' },
];

for (const dialect of dialects()) {
  describe(`bulkInsert on ${dialect.name}`, { skip: dialect.skip }, () => {
    it('writes every row in order with nulls and booleans, whatever the count (many per statement and the rest)', async () => {
      const t = await dialect.create({ migrate: false });
      try {
        const bool = dialect.name === 'postgres' ? sql.raw('boolean') : sql.raw('integer');
        await sql`create table bulk_probe (n integer primary key, label text, flag ${bool})`.execute(t.db.kysely);
        for (const count of [0, 1, 299, 301, 12_345]) {
          await sql`delete from bulk_probe`.execute(t.db.kysely);
          const rows = Array.from({ length: count }, (_, i) => [i, i % 7 === 0 ? null : `row ${i}, "quoted"`, i % 2 === 0]);
          await t.db.kysely.transaction().execute((trx) => t.db.bulkInsert(trx, 'bulk_probe', columns, rows));
          const { rows: back } = await sql<{ n: number; label: string | null; flag: boolean | number }>`
            select n, label, flag from bulk_probe order by n`.execute(t.db.kysely);
          assert.equal(back.length, count, `${count} rows`);
          assert.deepEqual(
            back.map((r) => [r.n, r.label, r.flag === true || r.flag === 1]),
            rows,
          );
        }
      } finally {
        await t.drop();
      }
    });

    it('keeps text as given: tabs, newlines, backslashes, a literal \\N, empty strings, non-ASCII; also outside a transaction', async () => {
      const t = await dialect.create({ migrate: false });
      try {
        await sql`create table bulk_probe (n integer primary key, label text, flag integer)`.execute(t.db.kysely);
        const labels = ['a\tb', 'line 1\nline 2\r\n', 'C:\\dir\\', '\\N', '', 'Zoë 😀', '=cmd|x', null];
        const rows = labels.map((label, i) => [i, label, null]);
        const intColumns: BulkColumn[] = [columns[0]!, columns[1]!, { name: 'flag', pgType: 'integer' }];
        await t.db.kysely.transaction().execute((trx) => t.db.bulkInsert(trx, 'bulk_probe', intColumns, rows));
        await t.db.bulkInsert(t.db.kysely, 'bulk_probe', intColumns, rows.map(([n, label]) => [Number(n) + 100, label, 1]));
        const { rows: back } = await sql<{ n: number; label: string | null }>`select n, label from bulk_probe order by n`.execute(t.db.kysely);
        assert.deepEqual(back.map((r) => r.label), [...labels, ...labels]);
      } finally {
        await t.drop();
      }
    });

    it('adds nothing when a row breaks a constraint inside the caller\'s transaction', async () => {
      const t = await dialect.create({ migrate: false });
      try {
        await sql`create table bulk_probe (n integer primary key, label text, flag integer)`.execute(t.db.kysely);
        const rows = Array.from({ length: 1000 }, (_, i) => [i === 999 ? 0 : i, 'x', null]);
        await assert.rejects(t.db.kysely.transaction().execute((trx) => t.db.bulkInsert(trx, 'bulk_probe', [columns[0]!, columns[1]!, { name: 'flag', pgType: 'integer' }], rows)));
        const { rows: count } = await sql<{ n: number | string }>`select count(*) as n from bulk_probe`.execute(t.db.kysely);
        assert.equal(Number(count[0]!.n), 0);
      } finally {
        await t.drop();
      }
    });
  });
}
