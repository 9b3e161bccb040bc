import type { Kysely } from 'kysely';
import { Migrator, type MigrationResult } from 'kysely/migration';
import type { Db } from './database.ts';
import { coreMigration } from './migrations/0001-core.ts';
import { authMigration } from './migrations/0002-auth.ts';
import { transferMigration } from './migrations/0003-transfer.ts';
import { pgpMigration } from './migrations/0004-pgp.ts';
import { workforceSyncMigration } from './migrations/0005-workforce-sync.ts';
import { feedsMigration } from './migrations/0006-feeds.ts';
import { ssoMigration } from './migrations/0007-sso.ts';
import { listFilterIndexesMigration } from './migrations/0008-list-filter-indexes.ts';
import { sftpSessionsMigration } from './migrations/0009-sftp-sessions.ts';
import type { Migration } from './migrations/helpers.ts';

/** Forward-only, numbered. Append new ones; never edit one that has shipped. */
const migrations: Array<[string, (adapter: Db['adapter']) => Migration]> = [
  ['0001-core', coreMigration],
  ['0002-auth', authMigration],
  ['0003-transfer', transferMigration],
  ['0004-pgp', pgpMigration],
  ['0005-workforce-sync', workforceSyncMigration],
  ['0006-feeds', feedsMigration],
  ['0007-sso', ssoMigration],
  ['0008-list-filter-indexes', listFilterIndexesMigration],
  ['0009-sftp-sessions', sftpSessionsMigration],
];

export interface MigrationReport {
  applied: string[];
}

export async function migrateToLatest(db: Db): Promise<MigrationReport> {
  const migrator = new Migrator({
    db: db.kysely as unknown as Kysely<unknown>,
    provider: {
      getMigrations: async () => Object.fromEntries(migrations.map(([name, make]) => [name, make(db.adapter)])),
    },
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r: MigrationResult) => r.status === 'Error');
    throw new Error(`migration ${failed?.migrationName ?? '(unknown)'} failed: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}
