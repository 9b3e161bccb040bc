import type { Insertable, Selectable } from 'kysely';
import type { Db, PgpKeyTable } from '../db/index.ts';

export const keyStates = ['published', 'active', 'retired'] as const;
export type KeyState = (typeof keyStates)[number];

export type KeyRow = Selectable<PgpKeyTable>;
export type NewKeyRow = Omit<Insertable<PgpKeyTable>, 'state' | 'retired_at'>;

/** The table of Workgate's own keys, through Kysely only. */
export function createKeysRepo(db: Db) {
  const k = db.kysely;
  return {
    list: (): Promise<KeyRow[]> => k.selectFrom('pgp_keys').selectAll().orderBy('created_at', 'desc').orderBy('fingerprint').execute(),

    find: (fingerprint: string) => k.selectFrom('pgp_keys').selectAll().where('fingerprint', '=', fingerprint).executeTakeFirst(),

    /** The first key; false when another node published one first (the unique index on the published state). */
    async insertFirst(row: NewKeyRow): Promise<boolean> {
      try {
        await k.insertInto('pgp_keys').values({ ...row, state: 'published', retired_at: null }).execute();
        return true;
      } catch (error) {
        if (db.adapter.isUniqueViolation(error)) return false;
        throw error;
      }
    },

    /** The new key becomes the published one; the one published until now stays active (it still decrypts). */
    publish: (row: NewKeyRow): Promise<void> =>
      k.transaction().execute(async (trx) => {
        await trx.updateTable('pgp_keys').set({ state: 'active' }).where('state', '=', 'published').execute();
        await trx.insertInto('pgp_keys').values({ ...row, state: 'published', retired_at: null }).execute();
      }),

    /** Retires an active key; the published one is never retired (rotate first). */
    async retire(fingerprint: string, at: string): Promise<boolean> {
      const result = await k
        .updateTable('pgp_keys')
        .set({ state: 'retired', retired_at: at })
        .where('fingerprint', '=', fingerprint)
        .where('state', '=', 'active')
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
  };
}

export type KeysRepo = ReturnType<typeof createKeysRepo>;
