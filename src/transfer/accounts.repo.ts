import type { Insertable, Kysely, Selectable, Transaction, Updateable } from 'kysely';
import type { Database, Db, TransferAccountTable, TransferSshKeyTable } from '../db/index.ts';

export type AccountRow = Selectable<TransferAccountTable>;
export type SshKeyRow = Selectable<TransferSshKeyTable>;
export type NewAccountRow = Insertable<TransferAccountTable>;
export type AccountChanges = Updateable<TransferAccountTable>;
export type NewSshKeyRow = Omit<Insertable<TransferSshKeyTable>, 'account_id' | 'removed_at'>;

type Executor = Kysely<Database> | Transaction<Database>;

/** The account and SSH key tables through Kysely, nothing else. Usernames arrive already lower-cased. */
export function createAccountsRepo(db: Db) {
  const k = db.kysely;

  async function insertKeys(executor: Executor, accountId: number, keys: NewSshKeyRow[]): Promise<void> {
    if (keys.length === 0) return;
    await executor
      .insertInto('transfer_ssh_keys')
      .values(keys.map((key) => ({ ...key, account_id: accountId, removed_at: null })))
      .execute();
  }

  return {
    findByUsername: (username: string) => k.selectFrom('transfer_accounts').selectAll().where('username', '=', username).executeTakeFirst(),

    list: () => k.selectFrom('transfer_accounts').selectAll().orderBy('username').execute(),

    /** The account and its first keys in one transaction. */
    insertWithKeys: (account: NewAccountRow, keys: NewSshKeyRow[]): Promise<number> =>
      k.transaction().execute(async (trx) => {
        const row = await trx.insertInto('transfer_accounts').values(account).returning('id').executeTakeFirstOrThrow();
        const id = Number(row.id);
        await insertKeys(trx, id, keys);
        return id;
      }),

    async update(id: number, changes: AccountChanges): Promise<void> {
      await k.updateTable('transfer_accounts').set(changes).where('id', '=', id).execute();
    },

    /** Keys of these accounts, oldest first; removed ones only when asked. */
    keysOf(accountIds: number[], options: { includeRemoved?: boolean } = {}): Promise<SshKeyRow[]> {
      if (accountIds.length === 0) return Promise.resolve([]);
      let select = k.selectFrom('transfer_ssh_keys').selectAll().where('account_id', 'in', accountIds);
      if (!options.includeRemoved) select = select.where('removed_at', 'is', null);
      return select.orderBy('created_at').orderBy('id').execute();
    },

    countActiveKeys: async (accountId: number): Promise<number> => {
      const row = await k
        .selectFrom('transfer_ssh_keys')
        .select((eb) => eb.fn.countAll<number | string>().as('keys'))
        .where('account_id', '=', accountId)
        .where('removed_at', 'is', null)
        .executeTakeFirstOrThrow();
      return Number(row.keys);
    },

    /** The active key with this fingerprint on this account (an unknown account id finds nothing, at the same cost). */
    findActiveKey: (accountId: number, fingerprint: string) =>
      k
        .selectFrom('transfer_ssh_keys')
        .selectAll()
        .where('account_id', '=', accountId)
        .where('fingerprint', '=', fingerprint)
        .where('removed_at', 'is', null)
        .executeTakeFirst(),

    addKey: (accountId: number, key: NewSshKeyRow) => insertKeys(k, accountId, [key]),

    async markKeyRemoved(accountId: number, fingerprint: string, removedAt: string): Promise<boolean> {
      const result = await k
        .updateTable('transfer_ssh_keys')
        .set({ removed_at: removedAt })
        .where('account_id', '=', accountId)
        .where('fingerprint', '=', fingerprint)
        .where('removed_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
  };
}

export type AccountsRepo = ReturnType<typeof createAccountsRepo>;
