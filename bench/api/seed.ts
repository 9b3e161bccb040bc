import { sql } from 'kysely';
import { migrateToLatest, openDatabase, type DatabaseTarget, type Db } from '../../src/db/index.ts';
import { databaseVersion } from '../lib/databases.ts';
import { formatSeconds } from '../lib/table.ts';
import type { ApiFixtures } from './cases.ts';
import { managersWithReports } from './hierarchy.ts';
import { expectedPrefixShare } from './names.ts';
import { seedAccounts } from './seed-accounts.ts';
import { seedUsers } from './seed-users.ts';

export interface SeedReport {
  databaseVersion: string;
  seconds: { migrate: number; users: number; accounts: number; analyze: number; total: number };
  users: number;
  userRoles: number;
  accounts: number;
  hierarchy: { levels: number; topManagers: number; managers: number };
  lastnamePrefix: { prefix: string; expectedShare: number; actualShare: number };
  fixtures: ApiFixtures;
}

/** The last-name prefix of case (b). */
export const lastnamePrefix = 'Sm';

async function timed<T>(label: string, work: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  process.stdout.write(`  ${label} ...`);
  const result = await work();
  const ms = performance.now() - started;
  process.stdout.write(` ${formatSeconds(ms)}\n`);
  return [result, ms / 1000];
}

/**
 * Migrates a fresh database the way the server does, then bulk-inserts users, roles, charts of
 * accounts and accounts directly, and reads back what the cases need. `analyze` refreshes the
 * planner statistics afterwards (PostgreSQL's autovacuum would; SQLite only does when told).
 */
export async function seedDatabase(target: DatabaseTarget, size: { users: number; accounts: number; analyze: boolean }): Promise<SeedReport> {
  const db = openDatabase(target);
  try {
    await fastBulkLoad(db);
    const started = performance.now();
    const [, migrate] = await timed('migrate', () => migrateToLatest(db));
    const [usersSeed, users] = await timed(`${size.users.toLocaleString('en-US')} users with roles`, () => seedUsers(db, size.users));
    const [charts, accounts] = await timed(`${size.accounts.toLocaleString('en-US')} accounts in 10 charts`, () => seedAccounts(db, size.accounts));
    const [, analyze] = size.analyze ? await timed('analyze', () => sql`analyze`.execute(db.kysely)) : [undefined, 0];
    const total = (performance.now() - started) / 1000;
    const managerIds = managersWithReports(usersSeed.hierarchy, 10, 50, 200);
    return {
      databaseVersion: await databaseVersion(db),
      seconds: { migrate, users, accounts, analyze, total },
      users: size.users,
      userRoles: usersSeed.roleRows,
      accounts: size.accounts,
      hierarchy: { levels: usersSeed.hierarchy.maxDepth, topManagers: usersSeed.hierarchy.topManagers, managers: usersSeed.hierarchy.managers },
      lastnamePrefix: { prefix: lastnamePrefix, expectedShare: expectedPrefixShare(lastnamePrefix), actualShare: await prefixShare(db, lastnamePrefix, size.users) },
      fixtures: { users: size.users, charts, managerLogins: await loginsOf(db, managerIds) },
    };
  } finally {
    await db.close();
  }
}

/**
 * SQLite only, this connection only: a large page cache keeps the 15 indexes of core_users in memory
 * while they fill, and no fsync per commit (the database is thrown away after the run anyway).
 */
async function fastBulkLoad(db: Db): Promise<void> {
  if (db.adapter.name !== 'sqlite') return;
  await sql`pragma cache_size = -524288`.execute(db.kysely);
  await sql`pragma synchronous = off`.execute(db.kysely);
}

async function loginsOf(db: Db, ids: number[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await db.kysely.selectFrom('core_users').select('login').where('id', 'in', ids).execute();
  return rows.map((r) => r.login);
}

async function prefixShare(db: Db, prefix: string, users: number): Promise<number> {
  const row = await db.kysely
    .selectFrom('core_users')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('lastname', 'like', `${prefix}%`)
    .executeTakeFirstOrThrow();
  return Number(row.n) / users;
}
