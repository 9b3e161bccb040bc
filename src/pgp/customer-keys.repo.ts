import type { Insertable, Selectable } from 'kysely';
import type { Db, PgpCustomerKeyTable } from '../db/index.ts';
import type { KeyPurpose } from './key-inspection.ts';

export type CustomerKeyRow = Selectable<PgpCustomerKeyTable>;
export type CustomerKeyValues = Omit<Insertable<PgpCustomerKeyTable>, 'id' | 'account_id' | 'purpose' | 'created_at' | 'created_by'>;

/** One account's changes: a key to set, null to remove, undefined to leave. */
export interface AccountKeyChanges {
  encrypt?: CustomerKeyValues | null;
  sign?: CustomerKeyValues | null;
  requireSignedInbound?: boolean;
}

/** Customers' public keys and the inbound signature policy, per SFTP account id, through Kysely only. */
export function createCustomerKeysRepo(db: Db) {
  const k = db.kysely;
  return {
    keysOf: (accountId: number): Promise<CustomerKeyRow[]> =>
      k.selectFrom('pgp_customer_keys').selectAll().where('account_id', '=', accountId).orderBy('purpose').execute(),

    async requiresSigned(accountId: number): Promise<boolean> {
      const row = await k.selectFrom('pgp_account_policies').select('require_signed_inbound').where('account_id', '=', accountId).executeTakeFirst();
      return row?.require_signed_inbound === true || row?.require_signed_inbound === 1;
    },

    apply: (accountId: number, changes: AccountKeyChanges, actor: string, at: string): Promise<void> =>
      k.transaction().execute(async (trx) => {
        for (const purpose of ['encrypt', 'sign'] as const satisfies readonly KeyPurpose[]) {
          const values = changes[purpose];
          if (values === undefined) continue;
          await trx.deleteFrom('pgp_customer_keys').where('account_id', '=', accountId).where('purpose', '=', purpose).execute();
          if (values === null) continue;
          await trx
            .insertInto('pgp_customer_keys')
            .values({ ...values, account_id: accountId, purpose, created_at: at, created_by: actor, updated_at: at, updated_by: actor })
            .execute();
        }
        if (changes.requireSignedInbound === undefined) return;
        await trx.deleteFrom('pgp_account_policies').where('account_id', '=', accountId).execute();
        await trx
          .insertInto('pgp_account_policies')
          .values({ account_id: accountId, require_signed_inbound: changes.requireSignedInbound, updated_at: at, updated_by: actor })
          .execute();
      }),

    removeAll: (accountId: number): Promise<void> =>
      k.transaction().execute(async (trx) => {
        await trx.deleteFrom('pgp_customer_keys').where('account_id', '=', accountId).execute();
        await trx.deleteFrom('pgp_account_policies').where('account_id', '=', accountId).execute();
      }),
  };
}

export type CustomerKeysRepo = ReturnType<typeof createCustomerKeysRepo>;
