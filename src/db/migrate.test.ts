import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { dialects } from '../../test/support/databases.ts';
import { migrateToLatest } from './migrate.ts';

for (const dialect of dialects()) {
  describe(`migrations on ${dialect.name}`, { skip: dialect.skip }, () => {
    it('creates every table from empty, and a second run applies nothing', async () => {
      const t = await dialect.create({ migrate: false });
      try {
        const first = await migrateToLatest(t.db);
        assert.deepEqual(first.applied, ['0001-core', '0002-auth', '0003-transfer', '0004-pgp', '0005-workforce-sync', '0006-feeds', '0007-sso', '0008-list-filter-indexes', '0009-sftp-sessions']);
        const second = await migrateToLatest(t.db);
        assert.deepEqual(second.applied, []);
        const tables = await t.db.kysely.introspection.getTables();
        const names = tables.map((table) => table.name);
        for (const expected of ['core_users', 'core_roles', 'core_user_roles', 'core_accounts', 'core_account_types', 'core_lookup_values']) {
          assert.ok(names.includes(expected), `${expected} exists`);
        }
        const count = await sql<{ n: number }>`select count(*) as n from core_users`.execute(t.db.kysely);
        assert.equal(Number(count.rows[0]?.n), 0);
      } finally {
        await t.drop();
      }
    });
  });
}
