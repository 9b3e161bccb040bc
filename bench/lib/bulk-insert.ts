import type { Kysely, Transaction } from 'kysely';
import type { Database, Db } from '../../src/db/index.ts';

/** SQLite's limit on bound parameters per statement (SQLITE_MAX_VARIABLE_NUMBER since 3.32). */
const sqliteMaxParameters = 32_766;
/** PostgreSQL: a few thousand rows per statement, under its 65,535-parameter limit. */
const postgresMaxRows = 2_500;
const postgresMaxParameters = 65_000;
/** Rows per transaction: large enough to amortise commits, small enough to keep the WAL/undo bounded. */
const rowsPerTransaction = 100_000;

/** How many rows of `columns` columns go into one multi-row INSERT on this database. */
export function rowsPerStatement(db: Db, columns: number): number {
  if (db.adapter.name === 'sqlite') return Math.floor(sqliteMaxParameters / columns);
  return Math.min(postgresMaxRows, Math.floor(postgresMaxParameters / columns));
}

/**
 * Inserts `count` rows made by `makeRow(index)` (index 0..count-1) into `table`, in multi-row INSERTs
 * grouped into transactions. Rows are made lazily, a transaction's worth at a time.
 */
export async function bulkInsert<T extends keyof Database & string>(
  db: Db,
  table: T,
  count: number,
  makeRow: (index: number) => Record<string, unknown>,
): Promise<void> {
  if (count === 0) return;
  const columns = Object.keys(makeRow(0)).length;
  const perStatement = rowsPerStatement(db, columns);
  for (let start = 0; start < count; start += rowsPerTransaction) {
    const end = Math.min(count, start + rowsPerTransaction);
    await db.kysely.transaction().execute(async (trx) => {
      for (let from = start; from < end; from += perStatement) {
        const rows = [];
        for (let i = from; i < Math.min(end, from + perStatement); i++) rows.push(makeRow(i));
        await insertRows(trx, table, rows);
      }
    });
  }
}

async function insertRows(trx: Transaction<Database> | Kysely<Database>, table: keyof Database & string, rows: Record<string, unknown>[]): Promise<void> {
  await trx.insertInto(table).values(rows as never).execute();
}
