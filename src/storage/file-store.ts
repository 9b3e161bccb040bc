import crypto from 'node:crypto';
import { constants, createReadStream, type ReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { durableRename, ensureDir, errnoCode, fsyncDir, isRealDirectory, listRegularFiles, openNoFollow, type StoredFile } from './safe-fs.ts';

/**
 * The file store: one directory tree (under the data dir, or shared by all nodes):
 *
 *   accounts/<accountId>/Incoming/<folder>/          files an account uploaded under a temporary name
 *   accounts/<accountId>/Outgoing/<folder>/          results and exports for the account to download
 *   accounts/<accountId>/Archive/Incoming/<folder>/  processed originals, as received
 *   received/<storage key>                           every received file, immutable
 *   uploading/<random>                               writes in progress (uploads, atomic writes)
 *
 * Nothing here knows accounts or folders beyond their names; callers check permissions first.
 */
export const storeAreas = ['Incoming', 'Outgoing', 'Archive/Incoming'] as const;
export type StoreArea = (typeof storeAreas)[number];

export interface WrittenFile {
  name: string;
  path: string;
  size: number;
  sha256: string;
}

export interface FileStore {
  readonly root: string;
  folderDir(accountId: number, area: StoreArea, folder: string): string;
  /** Creates the folder directory if needed; false when something on its way is a link. */
  ensureFolder(accountId: number, area: StoreArea, folder: string): Promise<boolean>;
  listFolder(accountId: number, area: StoreArea, folder: string): Promise<StoredFile[]>;
  receivedPath(storageKey: string): string;
  /** A new empty private file in uploading/, opened read-write. */
  createTemp(): Promise<{ path: string; handle: FileHandle }>;
  /** Moves a finished, fsynced temp file to received/<key>, durably. */
  moveToReceived(tempPath: string, storageKey: string): Promise<void>;
  /** Moves a finished, fsynced temp file into a folder under `name`, durably. */
  moveIntoFolder(tempPath: string, accountId: number, area: StoreArea, folder: string, name: string): Promise<void>;
  openReceived(storageKey: string, options?: { start?: number }): Promise<ReadStream>;
  /** Atomic write of a whole file into a folder: temp, fsync, rename, fsync of the directory. */
  writeFile(accountId: number, area: StoreArea, folder: string, name: string, data: Buffer | Readable | AsyncIterable<Uint8Array>): Promise<WrittenFile>;
  /** Gives received/<key> a second name in a folder (a hard link, else a copy); a taken name gets a suffix. */
  linkReceived(storageKey: string, accountId: number, area: StoreArea, folder: string, name: string): Promise<string>;
  /** Deletes temp files untouched for `olderThanMs` (uploads cut off by a crash). */
  cleanStaleTemps(olderThanMs: number, now?: Date): Promise<number>;
}

const keyPattern = /^[A-Za-z0-9_-]{8,100}$/;
const folderPattern = /^[A-Za-z0-9_-]{1,64}$/;

export function newStorageKey(now = new Date()): string {
  return `${now.toISOString().slice(0, 10).replaceAll('-', '')}-${crypto.randomUUID()}`;
}

/** A single file name: not empty, no separator, no NUL, not . or .., at most 255 bytes. */
export function assertPlainName(name: string): void {
  if (name === '' || name === '.' || name === '..' || /[/\0]/.test(name) || Buffer.byteLength(name) > 255) {
    throw new Error(`not a plain file name: ${JSON.stringify(name.slice(0, 300))}`);
  }
}

export async function createFileStore(rootDir: string): Promise<FileStore> {
  await ensureDir(rootDir);
  const root = await fs.realpath(rootDir);
  const uploading = path.join(root, 'uploading');
  const received = path.join(root, 'received');
  await Promise.all([ensureDir(uploading), ensureDir(received)]);

  const folderDir = (accountId: number, area: StoreArea, folder: string): string => {
    if (!Number.isSafeInteger(accountId) || accountId <= 0) throw new Error(`bad account id ${accountId}`);
    if (!folderPattern.test(folder) || !(storeAreas as readonly string[]).includes(area)) throw new Error(`bad folder ${area}/${folder}`);
    return path.join(root, 'accounts', String(accountId), area, folder);
  };
  const receivedPath = (key: string): string => {
    if (!keyPattern.test(key)) throw new Error(`bad storage key ${JSON.stringify(key)}`);
    return path.join(received, key);
  };
  const fileIn = (accountId: number, area: StoreArea, folder: string, name: string): string => {
    assertPlainName(name);
    return path.join(folderDir(accountId, area, folder), name);
  };

  async function ensureFolder(accountId: number, area: StoreArea, folder: string): Promise<boolean> {
    const dir = folderDir(accountId, area, folder);
    await ensureDir(dir);
    return isRealDirectory(dir);
  }

  async function createTemp(): Promise<{ path: string; handle: FileHandle }> {
    const file = path.join(uploading, crypto.randomUUID());
    const handle = await openNoFollow(file, constants.O_RDWR | constants.O_CREAT | constants.O_EXCL, 0o600);
    return { path: file, handle };
  }

  async function writeFile(accountId: number, area: StoreArea, folder: string, name: string, data: Buffer | Readable | AsyncIterable<Uint8Array>): Promise<WrittenFile> {
    const target = fileIn(accountId, area, folder, name);
    if (!(await ensureFolder(accountId, area, folder))) throw new Error(`folder ${area}/${folder} of account ${accountId} is not a plain directory`);
    const temp = await createTemp();
    const hash = crypto.createHash('sha256');
    let size = 0;
    try {
      for await (const chunk of Buffer.isBuffer(data) ? [data] : data) {
        const bytes = chunk as Uint8Array;
        await temp.handle.write(bytes);
        hash.update(bytes);
        size += bytes.length;
      }
      await temp.handle.sync();
      await temp.handle.close();
      await durableRename(temp.path, target);
    } catch (error) {
      await temp.handle.close().catch(() => undefined);
      await fs.rm(temp.path, { force: true });
      throw error;
    }
    return { name, path: target, size, sha256: hash.digest('hex') };
  }

  async function linkReceived(key: string, accountId: number, area: StoreArea, folder: string, name: string): Promise<string> {
    assertPlainName(name);
    if (!(await ensureFolder(accountId, area, folder))) throw new Error(`folder ${area}/${folder} of account ${accountId} is not a plain directory`);
    const source = receivedPath(key);
    for (let attempt = 0; attempt < 1000; attempt++) {
      const candidate = attempt === 0 ? name : numberedName(name, attempt);
      const target = fileIn(accountId, area, folder, candidate);
      if (await linkOrCopy(source, target)) {
        await fsyncDir(path.dirname(target));
        return candidate;
      }
    }
    throw new Error(`no free name for ${name} in ${area}/${folder}`);
  }

  async function cleanStaleTemps(olderThanMs: number, now = new Date()): Promise<number> {
    let removed = 0;
    for (const file of await listRegularFiles(uploading)) {
      if (now.getTime() - file.mtime.getTime() < olderThanMs) continue;
      await fs.rm(path.join(uploading, file.name), { force: true });
      removed++;
    }
    return removed;
  }

  return {
    root,
    folderDir,
    ensureFolder,
    listFolder: (accountId, area, folder) => listRegularFiles(folderDir(accountId, area, folder)),
    receivedPath,
    createTemp,
    moveToReceived: (tempPath, key) => durableRename(tempPath, receivedPath(key)),
    moveIntoFolder: (tempPath, accountId, area, folder, name) => durableRename(tempPath, fileIn(accountId, area, folder, name)),
    openReceived: async (key, options = {}) => {
      const handle = await openNoFollow(receivedPath(key), constants.O_RDONLY);
      return createReadStream('', { fd: handle, start: options.start ?? 0 });
    },
    writeFile,
    linkReceived,
    cleanStaleTemps,
  };
}

/** `Users.csv` -> `Users.2.csv`; without an extension `Users` -> `Users.2`. */
function numberedName(name: string, attempt: number): string {
  const dot = name.lastIndexOf('.');
  const n = attempt + 1;
  return dot > 0 ? `${name.slice(0, dot)}.${n}${name.slice(dot)}` : `${name}.${n}`;
}

/** false when the target name is taken. */
async function linkOrCopy(source: string, target: string): Promise<boolean> {
  try {
    await fs.link(source, target);
    return true;
  } catch (error) {
    if (errnoCode(error) === 'EEXIST') return false;
    if (!['EXDEV', 'EPERM', 'ENOTSUP', 'EMLINK'].includes(errnoCode(error) ?? '')) throw error;
  }
  try {
    await fs.copyFile(source, target, constants.COPYFILE_EXCL);
    const handle = await openNoFollow(target, constants.O_RDONLY);
    await handle.sync().finally(() => handle.close());
    return true;
  } catch (error) {
    if (errnoCode(error) === 'EEXIST') return false;
    throw error;
  }
}


