import type { ReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import type { Db } from '../../db/index.ts';
import { errnoCode, newStorageKey, type FileStore, type WrittenFile } from '../../storage/index.ts';
import type { FeedFolder } from '../folders.ts';
import { createReceivedFilesRepo, type ReceivedFile, type ReceivedStatus } from './received-files.repo.ts';

export type FileReceivedListener = (file: ReceivedFile) => void | Promise<void>;

export interface ReceiveInput {
  accountId: number;
  folder: FeedFolder;
  name: string;
  /** A finished, fsynced file in the store's uploading/ directory. */
  tempPath: string;
  size: number;
  sha256: string;
  address: string | null;
}

export interface ReceivedFilesDeps {
  db: Db;
  store: FileStore;
  clock: () => Date;
  log: Logger;
}

/**
 * The record of every received file and the `file received` event. Crash-safe order: record as
 * 'receiving', move into received/<key> and fsync the directory, mark 'received', then tell listeners.
 * `recover()` finishes or removes 'receiving' records a crash left behind.
 */
export function createReceivedFiles(deps: ReceivedFilesDeps) {
  const repo = createReceivedFilesRepo(deps.db);
  const listeners = new Set<FileReceivedListener>();

  async function notify(file: ReceivedFile): Promise<void> {
    const results = await Promise.allSettled([...listeners].map(async (listener) => listener(file)));
    for (const result of results) {
      if (result.status === 'rejected') deps.log.error({ err: result.reason, receivedFileId: file.id }, 'a file received listener failed');
    }
  }

  async function receive(input: ReceiveInput): Promise<ReceivedFile> {
    const storageKey = newStorageKey(deps.clock());
    const id = await repo.insertReceiving({ ...input, storageKey, at: deps.clock() });
    try {
      await deps.store.moveToReceived(input.tempPath, storageKey);
    } catch (error) {
      await repo.remove(id);
      throw error;
    }
    await repo.setStatus(id, 'received', deps.clock());
    const file = (await repo.get(id))!;
    await notify(file);
    return file;
  }

  /** 'receiving' records untouched for `olderThanMs`: finished when their file made it to received/, else removed. */
  async function recover(options: { olderThanMs: number; tempsOlderThanMs?: number }): Promise<{ finished: ReceivedFile[]; removed: number; temps: number }> {
    const stale = await repo.listReceiving(new Date(deps.clock().getTime() - options.olderThanMs));
    const finished: ReceivedFile[] = [];
    let removed = 0;
    for (const file of stale) {
      if (await hasContent(file)) {
        await repo.setStatus(file.id, 'received', deps.clock());
        finished.push({ ...file, status: 'received' });
      } else {
        await repo.remove(file.id);
        removed++;
      }
    }
    const temps = await deps.store.cleanStaleTemps(options.tempsOlderThanMs ?? 3_600_000, deps.clock());
    for (const file of finished) await notify(file);
    if (stale.length > 0 || temps > 0) deps.log.info({ finished: finished.length, removed, temps }, 'recovered interrupted uploads');
    return { finished, removed, temps };
  }

  async function hasContent(file: ReceivedFile): Promise<boolean> {
    try {
      const stats = await fs.lstat(deps.store.receivedPath(file.storageKey));
      return stats.isFile() && stats.size === file.size;
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return false;
      throw error;
    }
  }

  /** The processed original goes to /Archive/Incoming/<folder> (a taken name gets a number) and leaves Incoming. */
  async function archive(file: ReceivedFile, outcome: 'processed' | 'failed'): Promise<{ archivedName: string }> {
    const archivedName = await deps.store.linkReceived(file.storageKey, file.accountId, 'Archive/Incoming', file.folder, file.name);
    await repo.setStatus(file.id, outcome, deps.clock());
    return { archivedName };
  }

  return {
    /** Subscribe to `file received`; listeners run after the record is durable, before the client hears OK. */
    onFileReceived(listener: FileReceivedListener): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    receive,
    recover,
    archive,
    get: (id: number) => repo.get(id),
    listPending: (accountId: number, folder: FeedFolder) => repo.listPending(accountId, folder),
    listWaiting: (limit?: number) => repo.listWaiting(limit),
    findPending: (accountId: number, folder: FeedFolder, name: string) => repo.findPending(accountId, folder, name),
    pendingBytes: (accountId: number) => repo.pendingBytes(accountId),
    setStatus: (id: number, status: Exclude<ReceivedStatus, 'receiving'>) => repo.setStatus(id, status, deps.clock()),
    /** The content as received, streamed. */
    openContent: (file: ReceivedFile): Promise<ReadStream> => deps.store.openReceived(file.storageKey),
    /** Writes a whole file into the account's /Outgoing/<folder> atomically (replacing one of the same name). */
    writeOutgoing: (accountId: number, folder: FeedFolder, name: string, data: Buffer | Readable | AsyncIterable<Uint8Array>): Promise<WrittenFile> =>
      deps.store.writeFile(accountId, 'Outgoing', folder, name, data),
  };
}

export type ReceivedFiles = ReturnType<typeof createReceivedFiles>;
