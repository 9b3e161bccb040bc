import type { PgpService } from '../pgp/index.ts';
import type { FileStore } from '../storage/index.ts';
import type { TransferAccounts } from '../transfer/index.ts';
import type { TransferFiles } from '../transfer/files/index.ts';
import type { TextEncoding } from './csv/decode-text.ts';
import type { FeedAccounts, FeedFiles, FeedPgp } from './feed-ports.ts';

/** The pipeline's file port over the transfer module's received files and the file store. */
export function feedFilesFrom(received: Pick<TransferFiles, 'get' | 'listWaiting' | 'openContent' | 'setStatus' | 'archive'>, store: FileStore): FeedFiles {
  return {
    get: (id) => received.get(id),
    listWaiting: () => received.listWaiting(),
    openContent: async (file) => received.openContent((await received.get(file.id))!),
    setStatus: (id, status) => received.setStatus(id, status).then(() => undefined),
    archive: async (file, outcome) => {
      const record = await received.get(file.id);
      if (record) await received.archive(record, outcome);
    },
    createTemp: () => store.createTemp(),
    publish: async (tempPath, accountId, folder, name) => {
      if (!(await store.ensureFolder(accountId, 'Outgoing', folder))) throw new Error(`the Outgoing/${folder} folder of account ${accountId} is a link: refused`);
      await store.moveIntoFolder(tempPath, accountId, 'Outgoing', folder, name);
    },
    discardTemp: async (tempPath) => {
      const { rm } = await import('node:fs/promises');
      await rm(tempPath, { force: true });
    },
  };
}

export function feedAccountsFrom(accounts: TransferAccounts): FeedAccounts {
  return {
    async byId(id) {
      const account = (await accounts.list()).find((a) => a.id === id);
      return account ? { id: account.id, username: account.username, inputEncoding: account.inputEncoding as TextEncoding } : undefined;
    },
  };
}

export function feedPgpFrom(pgp: PgpService): FeedPgp {
  return {
    decrypt: (input, from) => pgp.decrypt(input, { from }),
    async encrypterFor(username) {
      const keys = await pgp.customers.get(username);
      if (!keys.encryptionKey) return undefined;
      // Keys read here, before the file's transaction: the result is encrypted inside it.
      return pgp.encrypter({ for: username, filename: 'result.csv' });
    },
  };
}
