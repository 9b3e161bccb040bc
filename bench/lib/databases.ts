import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import type { DatabaseTarget, Db } from '../../src/db/index.ts';

export type BenchDialect = 'sqlite' | 'postgres';
export const benchDialects: readonly BenchDialect[] = ['sqlite', 'postgres'];

/** A throw-away database for one benchmark run, and the environment that points a server at it. */
export interface BenchDatabase {
  dialect: BenchDialect;
  target: DatabaseTarget;
  /** WORKGATE_DATA_DIR (and WORKGATE_DATABASE_URL for PostgreSQL) for the server process. */
  env: Record<string, string>;
  /** Where the database lives, for the report (never a password). */
  where: string;
  drop(): Promise<void>;
}

/** The PostgreSQL server the bench may create databases on: WORKGATE_BENCH_PG_URL, else WORKGATE_TEST_PG_URL. */
export function benchPostgresUrl(): string | undefined {
  return process.env.WORKGATE_BENCH_PG_URL || process.env.WORKGATE_TEST_PG_URL || undefined;
}

export async function createBenchDatabase(dialect: BenchDialect, tag: string): Promise<BenchDatabase> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `workgate-bench-${tag}-`));
  const removeDir = () => fs.rmSync(dataDir, { recursive: true, force: true });
  if (dialect === 'sqlite') {
    const file = path.join(dataDir, 'workgate.db');
    return { dialect, target: { kind: 'sqlite', file }, env: { WORKGATE_DATA_DIR: dataDir }, where: file, drop: async () => removeDir() };
  }
  const adminUrl = benchPostgresUrl();
  if (!adminUrl) throw new Error('PostgreSQL needs WORKGATE_BENCH_PG_URL or WORKGATE_TEST_PG_URL');
  const name = `workgate_bench_${tag}_${crypto.randomBytes(4).toString('hex')}`;
  await adminQuery(adminUrl, `create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    dialect,
    target: { kind: 'postgres', url: url.toString() },
    env: { WORKGATE_DATA_DIR: dataDir, WORKGATE_DATABASE_URL: url.toString() },
    where: `database ${name} on ${url.host}`,
    drop: async () => {
      removeDir();
      await adminQuery(adminUrl, `drop database if exists ${name} with (force)`);
    },
  };
}

async function adminQuery(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, application_name: 'workgate-bench' });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

export async function databaseVersion(db: Db): Promise<string> {
  if (db.adapter.name === 'sqlite') {
    const { rows } = await sql<{ v: string }>`select sqlite_version() as v`.execute(db.kysely);
    return `SQLite ${rows[0]?.v ?? '?'} (better-sqlite3)`;
  }
  const { rows } = await sql<{ v: string }>`select current_setting('server_version') as v`.execute(db.kysely);
  return `PostgreSQL ${rows[0]?.v ?? '?'}`;
}
