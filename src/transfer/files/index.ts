import type { Logger } from 'pino';
import type { Db } from '../../db/index.ts';
import type { FileStore } from '../../storage/index.ts';
import type { TransferAccount } from '../account.types.ts';
import { createFileSession, type FileSessionDeps, type SessionOwner } from './file-session.ts';
import { createHashPool } from './hashing.ts';
import { createQuotaBook } from './quota.ts';
import { createReceivedFiles } from './received-files.ts';

/**
 * The files side of transfer, protocol-neutral: each account's virtual tree and file sessions, and the
 * record of received files with the `file received` event the feed pipeline subscribes to.
 */
export interface TransferFilesDeps {
  db: Db;
  store: FileStore;
  clock: () => Date;
  log: Logger;
}

export function createTransferFiles(deps: TransferFilesDeps) {
  const received = createReceivedFiles(deps);
  const hashes = createHashPool();
  const quota = createQuotaBook(async (account: TransferAccount) => {
    let bytes = await received.pendingBytes(account.id);
    for (const folder of account.folders) {
      for (const file of await deps.store.listFolder(account.id, 'Incoming', folder)) bytes += file.size;
    }
    return bytes;
  });
  return {
    ...received,
    store: deps.store,
    /** A session for one client of `owner.account`; `end()` it when the client goes away. */
    openSession(owner: SessionOwner, options: Pick<FileSessionDeps, 'audit' | 'log' | 'maxHandles' | 'pageSize'>) {
      return createFileSession(owner, { ...options, store: deps.store, received, quota, hashes, clock: deps.clock });
    },
    /** Stops the hashing workers (at shutdown). */
    close: () => hashes.close(),
  };
}

export type TransferFiles = ReturnType<typeof createTransferFiles>;

export type { AttributeChange, FileSession, OpenMode, RefusedRequest, SessionOwner } from './file-session.ts';
export type { FileInfo } from './listing.ts';
export type { FileReceivedListener, ReceiveInput } from './received-files.ts';
export { pendingStatuses, receivedStatuses, type ReceivedFile, type ReceivedStatus } from './received-files.repo.ts';
export { PathRefusedError, QuotaExceededError } from './file-errors.ts';
export { isTemporaryName } from './temporary-names.ts';
export { normalizeVirtualPath } from './virtual-path.ts';
