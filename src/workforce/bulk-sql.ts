import { CompiledQuery } from 'kysely';
import type { DialectName } from '../db/index.ts';
import type { Executor } from './types.ts';

export interface BulkWrite {
  table: string;
  columns: readonly string[];
  rows: ReadonlyArray<readonly unknown[]>;
  /** ON CONFLICT (column) DO UPDATE SET these columns from the proposed row; absent: plain insert. */
  upsert?: { conflict: string; update: readonly string[] };
  returning?: readonly string[];
  /** PostgreSQL element type of each column (int, text, bool, timestamptz): rows travel as one array per column. */
  pgTypes: readonly string[];
}

/** PostgreSQL rows per statement: arrays are not bound by the parameter limit. */
const PG_ROWS = 5000;

/** Bound parameters per statement: under SQLite's 32,766 and PostgreSQL's 65,535. */
const MAX_PARAMETERS = 30_000;

/**
 * Multi-row INSERT (or upsert) as one precompiled statement per chunk. A million-row sync spends its
 * time here, so the SQL text is built directly instead of through the query builder; every value is
 * still a bound parameter. Identifiers come from code, never from input.
 */
export async function bulkWrite(db: Executor, dialect: DialectName, write: BulkWrite): Promise<Array<Record<string, unknown>>> {
  if (dialect === 'postgres') return bulkWritePostgres(db, write);
  const perStatement = Math.max(1, Math.floor(MAX_PARAMETERS / write.columns.length));
  const out: Array<Record<string, unknown>> = [];
  for (let i = 0; i < write.rows.length; i += perStatement) {
    const rows = write.rows.slice(i, i + perStatement);
    const params: unknown[] = [];
    const tuples = rows.map((row) => `(${row.map((value) => placeholder(params, value, dialect)).join(', ')})`);
    const text = `insert into ${write.table} (${write.columns.join(', ')}) values ${tuples.join(', ')}${tail(write)}`;
    const result = await db.executeQuery<Record<string, unknown>>(CompiledQuery.raw(text, params));
    out.push(...result.rows);
  }
  return out;
}

function placeholder(params: unknown[], value: unknown, dialect: DialectName): string {
  params.push(dialect === 'sqlite' && typeof value === 'boolean' ? (value ? 1 : 0) : value);
  return dialect === 'sqlite' ? '?' : `$${params.length}`;
}

function tail(write: BulkWrite): string {
  let text = '';
  if (write.upsert) text += ` on conflict (${write.upsert.conflict}) do update set ${write.upsert.update.map((c) => `${c} = excluded.${c}`).join(', ')}`;
  if (write.returning) text += ` returning ${write.returning.join(', ')}`;
  return text;
}

/** PostgreSQL: `insert ... select * from unnest($1::int[], $2::text[], ...)`, one array per column: parsed once, whatever the row count. */
async function bulkWritePostgres(db: Executor, write: BulkWrite): Promise<Array<Record<string, unknown>>> {
  const arrays = write.pgTypes.map((type, i) => `$${i + 1}::${type}[]`).join(', ');
  const text = `insert into ${write.table} (${write.columns.join(', ')}) select * from unnest(${arrays})${tail(write)}`;
  const out: Array<Record<string, unknown>> = [];
  for (let i = 0; i < write.rows.length; i += PG_ROWS) {
    const rows = write.rows.slice(i, i + PG_ROWS);
    const params = write.columns.map((_, c) => rows.map((row) => row[c]));
    out.push(...(await db.executeQuery<Record<string, unknown>>(CompiledQuery.raw(text, params))).rows);
  }
  return out;
}
