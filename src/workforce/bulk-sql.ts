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
}

/** Bound parameters per statement: under SQLite's 32,766 and PostgreSQL's 65,535. */
const MAX_PARAMETERS = 30_000;

/**
 * Multi-row INSERT (or upsert) as one precompiled statement per chunk. A million-row sync spends its
 * time here, so the SQL text is built directly instead of through the query builder; every value is
 * still a bound parameter. Identifiers come from code, never from input.
 */
export async function bulkWrite(db: Executor, dialect: DialectName, write: BulkWrite): Promise<Array<Record<string, unknown>>> {
  const perStatement = Math.max(1, Math.floor(MAX_PARAMETERS / write.columns.length));
  const out: Array<Record<string, unknown>> = [];
  for (let i = 0; i < write.rows.length; i += perStatement) {
    const rows = write.rows.slice(i, i + perStatement);
    const params: unknown[] = [];
    const tuples = rows.map((row) => `(${row.map((value) => placeholder(params, value, dialect)).join(', ')})`);
    let text = `insert into ${write.table} (${write.columns.join(', ')}) values ${tuples.join(', ')}`;
    if (write.upsert) {
      text += ` on conflict (${write.upsert.conflict}) do update set ${write.upsert.update.map((c) => `${c} = excluded.${c}`).join(', ')}`;
    }
    if (write.returning) text += ` returning ${write.returning.join(', ')}`;
    const result = await db.executeQuery<Record<string, unknown>>(CompiledQuery.raw(text, params));
    out.push(...result.rows);
  }
  return out;
}

function placeholder(params: unknown[], value: unknown, dialect: DialectName): string {
  params.push(dialect === 'sqlite' && typeof value === 'boolean' ? (value ? 1 : 0) : value);
  return dialect === 'sqlite' ? '?' : `$${params.length}`;
}
