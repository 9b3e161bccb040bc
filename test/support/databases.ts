import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { migrateToLatest, openDatabase, type Db, type DialectName } from '../../src/db/index.ts';

export interface TestDatabase {
  db: Db;
  /** The target that opens this same database again (e.g. for a server under test). */
  url: string;
  drop(): Promise<void>;
}

export interface DialectUnderTest {
  name: DialectName;
  /** Why this dialect is skipped here, or undefined when it runs. */
  skip: string | undefined;
  create(options?: { migrate?: boolean }): Promise<TestDatabase>;
}

const pgUrl = process.env.WORKGATE_TEST_PG_URL;

/**
 * Every data-layer test loops over these. PostgreSQL runs when WORKGATE_TEST_PG_URL is set (CI sets it);
 * elsewhere it is skipped with that reason.
 */
export function dialects(): DialectUnderTest[] {
  return [
    { name: 'sqlite', skip: undefined, create: createSqlite },
    {
      name: 'postgres',
      skip: pgUrl ? undefined : 'WORKGATE_TEST_PG_URL is not set: PostgreSQL tests need a server (CI provides one)',
      create: createPostgres,
    },
  ];
}

async function createSqlite(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'workgate-test-'));
  const file = path.join(dir, 'test.db');
  const db = openDatabase({ kind: 'sqlite', file });
  if (options.migrate !== false) await migrateToLatest(db);
  return {
    db,
    url: `sqlite:${file}`,
    drop: async () => {
      await db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function createPostgres(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  if (!pgUrl) throw new Error('WORKGATE_TEST_PG_URL is not set');
  const name = `workgate_test_${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(pgUrl);
  url.pathname = `/${name}`;
  const db = openDatabase({ kind: 'postgres', url: url.toString(), poolSize: 4 });
  if (options.migrate !== false) await migrateToLatest(db);
  return {
    db,
    url: url.toString(),
    drop: async () => {
      await db.close();
      const again = new pg.Client({ connectionString: pgUrl });
      await again.connect();
      try {
        await again.query(`drop database if exists ${name} with (force)`);
      } finally {
        await again.end();
      }
    },
  };
}
