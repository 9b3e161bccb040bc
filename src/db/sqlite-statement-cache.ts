import type SQLite from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/** Statements kept per connection: well above the distinct SQL texts of the API and the feeds. */
export const STATEMENT_CACHE_SIZE = 300;

/**
 * The connection as Kysely's SQLite dialect sees it, with `prepare(sql)` reusing an earlier statement of
 * the same text instead of compiling it again (Kysely prepares on every execution; for a lookup by id
 * that was a quarter of the server's CPU). Least recently used statements leave the cache beyond `size`.
 *
 * A statement still being iterated (a streamed query) is busy and cannot run again until the iteration
 * ends, so the same SQL asked for meanwhile gets a fresh statement. Cached statements stay valid across
 * schema changes: SQLite prepares them again when the schema they were compiled against has changed.
 */
export function cachingStatements(connection: SQLite.Database, size = STATEMENT_CACHE_SIZE): SqliteDatabase {
  const statements = new Map<string, SQLite.Statement>();
  return {
    close: () => {
      statements.clear();
      connection.close();
    },
    prepare: (sql: string): SqliteStatement => {
      const cached = statements.get(sql);
      if (cached) {
        if (cached.busy) return connection.prepare(sql);
        // Map keeps insertion order: re-inserting marks it the most recently used.
        statements.delete(sql);
        statements.set(sql, cached);
        return cached;
      }
      const statement = connection.prepare(sql);
      statements.set(sql, statement);
      if (statements.size > size) statements.delete(statements.keys().next().value!);
      return statement;
    },
  };
}
