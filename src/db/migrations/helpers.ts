import { sql, type CreateTableBuilder, type Kysely, type RawBuilder } from 'kysely';
import type { DialectAdapter } from '../database.ts';

export interface Migration {
  up(db: Kysely<unknown>): Promise<void>;
}

export interface IndexSpec {
  name?: string;
  columns?: string[];
  expression?: RawBuilder<unknown>;
  unique?: boolean;
  where?: RawBuilder<boolean>;
}

export function idColumn<T extends string>(table: CreateTableBuilder<T, never>, adapter: DialectAdapter) {
  return adapter.name === 'postgres'
    ? table.addColumn('id', 'integer', (c) => c.primaryKey().generatedByDefaultAsIdentity())
    : table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
}

export function auditColumns<T extends string, C extends string>(table: CreateTableBuilder<T, C>, ts: string) {
  return table
    .addColumn('created_at', sql.raw(ts), (c) => c.notNull())
    .addColumn('updated_at', sql.raw(ts), (c) => c.notNull())
    .addColumn('created_by', 'varchar(255)')
    .addColumn('updated_by', 'varchar(255)');
}

export async function indexes(db: Kysely<unknown>, table: string, specs: IndexSpec[]): Promise<void> {
  for (const spec of specs) {
    const name = spec.name ?? `${table}_${(spec.columns ?? []).join('_')}${spec.unique ? '_unique' : ''}`;
    let builder = db.schema.createIndex(name).on(table);
    if (spec.unique) builder = builder.unique();
    builder = spec.expression ? builder.expression(spec.expression) : builder.columns(spec.columns ?? []);
    if (spec.where) builder = builder.where(spec.where);
    await builder.execute();
  }
}
