import { sql, type Kysely } from 'kysely';
import type { DialectAdapter } from '../database.ts';
import { indexes, type Migration } from './helpers.ts';

/** Users' columns that prefix filters (starts_with) are common on; see FieldSpec.prefixBucket. */
export const prefixBucketColumns = ['lastname', 'firstname', 'login', 'email'] as const;

/**
 * Indexes that let list filters read their rows in id order and stop at the page's limit.
 *
 * SQLite: a bucket index per prefix-filtered user column on the first two characters, lower-cased, and
 * active. `lastname[starts_with]=Sm` with status=active then reads the active rows of the `sm` bucket in
 * id order: without it SQLite either walked the whole active index (a prefix matching nothing read
 * 900,000 of a million users) or, with statistics, sorted every match. PostgreSQL plans the prefix as a
 * range of its `lower(col)` index and needs none.
 *
 * Both: a chart's segment filter (`account_type[name]=X&segment_2=Y`) had only the single-column
 * segment index, read in id order and filtered on the chart. `(segment_n, account_type_id, id)` gives the
 * chart's rows of a segment value in id order and still serves a segment filter alone.
 */
export function listFilterIndexesMigration(adapter: DialectAdapter): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (adapter.name === 'sqlite') {
        await indexes(
          db,
          'core_users',
          prefixBucketColumns.map((name) => ({ name: `core_users_${name}_bucket`, expression: sql`lower(substr(${sql.ref(name)}, 1, 2)), active` })),
        );
      }
      for (let n = 1; n <= 20; n++) {
        await db.schema.dropIndex(`core_accounts_segment_${n}`).execute();
        await indexes(db, 'core_accounts', [{ columns: [`segment_${n}`, 'account_type_id', 'id'] }]);
      }
    },
  };
}
