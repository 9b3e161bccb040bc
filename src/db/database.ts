import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql, type RawBuilder, type SqliteStatement } from 'kysely';
import pg from 'pg';
import { copyInserter } from './pg-copy.ts';
import type { Database } from './schema.ts';
import { SqliteBooleanPlugin } from './sqlite-boolean-plugin.ts';
import { cachingStatements } from './sqlite-statement-cache.ts';

export type DialectName = 'sqlite' | 'postgres';
export type DatabaseTarget = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string; poolSize?: number };

/** The one place that knows SQLite from PostgreSQL; everything else asks it. */
export interface DialectAdapter {
  readonly name: DialectName;
  /** Column type of a boolean column in migrations. */
  readonly booleanType: 'integer' | 'boolean';
  readonly timestampType: 'text' | 'timestamptz';
  /** An expression usable in ORDER BY/range comparisons with byte-wise ordering. */
  bytewise(expression: RawBuilder<unknown>): RawBuilder<unknown>;
  /** Is a caught error a unique-constraint violation? */
  isUniqueViolation(error: unknown): boolean;
  /** Is a caught error transient (busy, lock timeout, serialization), worth a retry? */
  isTransient(error: unknown): boolean;
  /** Null-safe "differs": true when exactly one side is null or both differ. */
  isDistinct(a: RawBuilder<unknown>, b: RawBuilder<unknown>): RawBuilder<boolean>;
  /** Clause after CREATE TEMP TABLE (...) so the table lives only as long as the transaction. */
  readonly tempTableSuffix: string;
}

/** A column of a bulk insert: its name and the type PostgreSQL needs to read an array of it. */
export interface BulkColumn {
  name: string;
  pgType: 'text' | 'integer' | 'bigint' | 'boolean' | 'timestamptz';
}

export interface Db {
  readonly kysely: Kysely<Database>;
  readonly adapter: DialectAdapter;
  /**
   * Inserts many rows fast inside `executor`'s transaction: a cached prepared statement on SQLite;
   * on PostgreSQL `COPY ... FROM STDIN` in a transaction, else one `insert ... select from
   * unnest(arrays)` per chunk. Values must match the columns.
   */
  bulkInsert(executor: Kysely<Database>, table: string, columns: readonly BulkColumn[], rows: readonly unknown[][]): Promise<void>;
  /**
   * Runs long work (a feed file's transaction) on a connection of its own where the database allows it:
   * PostgreSQL's pool gives each transaction its own connection. Embedded SQLite has one connection, so
   * other work waits while a file is applied (seconds for the platform's advised 5,000 rows); `work`
   * holds it from start to end and reads the database file without the memory map (see SQLITE_BULK_PRAGMAS).
   */
  withDedicatedConnection<T>(work: (db: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

const sqliteAdapter: DialectAdapter = {
  name: 'sqlite',
  booleanType: 'integer',
  timestampType: 'text',
  bytewise: (expression) => expression,
  isUniqueViolation: (error) => errorCode(error) === 'SQLITE_CONSTRAINT_UNIQUE' || errorCode(error) === 'SQLITE_CONSTRAINT_PRIMARYKEY',
  isTransient: (error) => ['SQLITE_BUSY', 'SQLITE_LOCKED'].includes(String(errorCode(error))),
  isDistinct: (a, b) => sql<boolean>`(${a} is not ${b})`,
  tempTableSuffix: '',
};

const postgresAdapter: DialectAdapter = {
  name: 'postgres',
  booleanType: 'boolean',
  timestampType: 'timestamptz',
  bytewise: (expression) => sql`(${expression}) collate "C"`,
  isUniqueViolation: (error) => errorCode(error) === '23505',
  isTransient: (error) => ['40001', '40P01', '55P03', '57014'].includes(String(errorCode(error))),
  isDistinct: (a, b) => sql<boolean>`(${a} is distinct from ${b})`,
  tempTableSuffix: 'on commit drop',
};

function errorCode(error: unknown): unknown {
  return typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
}

export function openDatabase(target: DatabaseTarget): Db {
  return target.kind === 'sqlite' ? openSqlite(target.file) : openPostgres(target.url, target.poolSize);
}

/** Upper bound of the SQLite file mapped into memory (databases beyond it read the rest as before). */
const SQLITE_MMAP_BYTES = 2 * 1024 ** 3;

/**
 * While a feed file applies: no memory map, a bigger page cache. A file read through the map is part of
 * the process's resident memory for as long as the map lasts, so a million-row import that joins against
 * every user grew the process by the database's size (670 MB of 1.1 GB measured). Through SQLite's own
 * page cache the import holds at most that cache; the kernel still caches the file, outside the process.
 * Reads through the default 2 MB cache made updating 100,000 of a million users (the statement sets
 * columns of 16 of core_users' 19 indexes) take 32.6 s instead of 6.4 s mapped; a 16 MiB cache took
 * 9.7 s (peak RSS 454 MB), 32 MiB 5.8 s on a quieter machine but 492 MB, too near the 512 MB the
 * million-row files must stay under (one run; another peaked 30 MB higher without any of this cache).
 */
const SQLITE_BULK_PRAGMAS = { mmap_size: 0, cache_size: -16 * 1024 } as const;
/** The API's: the map, and SQLite's default cache (in KiB when negative). */
const SQLITE_SHARED_PRAGMAS = { mmap_size: SQLITE_MMAP_BYTES, cache_size: -2000 } as const;

function openSqlite(file: string): Db {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const connection = new SQLite(file);
  connection.pragma('journal_mode = WAL');
  connection.pragma('synchronous = NORMAL');
  connection.pragma('foreign_keys = ON');
  // Staging tables of a big feed file are temporary tables: on disk, not in the process's memory.
  connection.pragma('temp_store = FILE');
  // Writers wait for one another (a big feed file holds the write lock until it commits).
  connection.pragma('busy_timeout = 60000');
  // The API reads through a memory map of the file instead of a read() into SQLite's page cache (2 MB by
  // default) for every page: a random lookup by id in a 1M-user database took 113 µs that way, 14.5 µs
  // mapped. The kernel's page cache holds the pages, but those read count in this process's RSS while
  // mapped: feed files turn the map off (withDedicatedConnection).
  setPragmas(connection, SQLITE_SHARED_PRAGMAS);
  // One statement cache for Kysely's queries and the bulk inserts below.
  const database = cachingStatements(connection);
  const kysely = new Kysely<Database>({
    dialect: new SqliteDialect({ database }),
    plugins: [new SqliteBooleanPlugin()],
  });
  function statementFor(table: string, columns: readonly BulkColumn[], rowCount: number): SqliteStatement {
    const names = columns.map((c) => `"${c.name}"`).join(', ');
    const tuple = `(${columns.map(() => '?').join(', ')})`;
    return database.prepare(`insert into "${table}" (${names}) values ${Array(rowCount).fill(tuple).join(', ')}`);
  }
  const db: Db = {
    kysely,
    adapter: sqliteAdapter,
    // The raw connection is the one Kysely's transaction runs on, so these rows join that transaction.
    bulkInsert: async (_executor, table, columns, rows) => {
      // Many rows per statement (one VM run, one bind of all their values) and one row per statement
      // for the rest: per-row statements cost a quarter of a million-row feed's staging.
      const perStatement = Math.max(1, Math.floor(SQLITE_BULK_VARIABLES / columns.length));
      const many = statementFor(table, columns, perStatement);
      let start = 0;
      for (; start + perStatement <= rows.length; start += perStatement) many.run(flatValues(rows, start, perStatement, columns.length));
      const one = rows.length > start ? statementFor(table, columns, 1) : undefined;
      for (; start < rows.length; start++) one!.run(flatValues(rows, start, 1, columns.length));
    },
    // better-sqlite3 waits for a lock synchronously, blocking the event loop: a second connection in
    // this process contending with the first would deadlock. One connection, transactions in turn; the
    // work holds it (Kysely's lock) throughout, so no other query runs under the bulk settings.
    withDedicatedConnection: (work) =>
      kysely.connection().execute(async (held) => {
        setPragmas(connection, SQLITE_BULK_PRAGMAS);
        try {
          const own: Db = { ...db, kysely: held, withDedicatedConnection: (inner) => inner(own) };
          return await work(own);
        } finally {
          setPragmas(connection, SQLITE_SHARED_PRAGMAS);
        }
      }),
    close: async () => {
      await kysely.destroy();
    },
  };
  return db;
}

function setPragmas(connection: SQLite.Database, pragmas: Readonly<Record<string, number>>): void {
  for (const [name, value] of Object.entries(pragmas)) connection.pragma(`${name} = ${value}`);
}

function openPostgres(url: string, poolSize = 10): Db {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, application_name: 'workgate' });
  // An idle connection the server closes (restart, failover, a dropped test database) is an 'error'
  // event; unhandled, it would end the process. The pool replaces it; the next query reports real trouble.
  pool.on('error', () => {});
  const copyRows = copyInserter(pool);
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const db: Db = {
    kysely,
    adapter: postgresAdapter,
    withDedicatedConnection: (work) => work(db),
    bulkInsert: async (executor, table, columns, rows) => {
      if (rows.length === 0 || (await copyRows(executor, table, columns, rows))) return;
      const chunk = 10_000;
      for (let start = 0; start < rows.length; start += chunk) {
        const part = rows.slice(start, start + chunk);
        const arrays = columns.map((column, i) => sql`${part.map((row) => row[i] ?? null)}::${sql.raw(column.pgType)}[]`);
        const names = sql.join(columns.map((c) => sql.id(c.name)));
        await sql`insert into ${sql.table(table)} (${names}) select * from unnest(${sql.join(arrays)})`.execute(executor);
      }
    },
    close: async () => {
      await kysely.destroy();
    },
  };
  return db;
}

/** Bound values per multi-row insert statement, well under SQLite's limit on variables. */
const SQLITE_BULK_VARIABLES = 900;

function flatValues(rows: readonly unknown[][], start: number, count: number, width: number): unknown[] {
  const values = new Array<unknown>(count * width);
  for (let r = 0; r < count; r++) {
    const row = rows[start + r]!;
    for (let c = 0; c < width; c++) values[r * width + c] = sqliteValue(row[c]);
  }
  return values;
}

function sqliteValue(value: unknown): unknown {
  return typeof value === 'boolean' ? (value ? 1 : 0) : value === undefined ? null : value;
}

/** Timestamps come back as Date (PostgreSQL) or ISO text (SQLite). */
export function toDate(value: Date | string): Date {
  return value instanceof Date ? value : new Date(value);
}

export function toBool(value: boolean | number): boolean {
  return value === true || value === 1;
}

export function isoNow(clock: () => Date = () => new Date()): string {
  return clock().toISOString();
}
