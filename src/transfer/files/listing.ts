import path from 'node:path';
import { lstatFile, type FileStore } from '../../storage/index.ts';
import { noSuchFile, PathRefusedError } from './file-errors.ts';
import type { ReceivedFiles } from './received-files.ts';
import { storeAreaOf, type Area, type VirtualNode } from './virtual-tree.ts';

/** What a client learns about an entry: protocol-neutral; each front end renders it (SFTP attrs, longname). */
export interface FileInfo {
  name: string;
  kind: 'file' | 'directory';
  size: number;
  /** Permission bits, e.g. 0o644; the front end adds the file type. */
  permissions: number;
  mtime: Date;
  atime: Date;
}

/** Where a file of the account lives on disk, and what kind of entry it is. */
export type FileLocation =
  | { kind: 'stored'; path: string; info: FileInfo }
  | { kind: 'received'; storageKey: string; receivedId: number; info: FileInfo };

export interface ListingContext {
  accountId: number;
  store: FileStore;
  received: ReceivedFiles;
  /** Time shown for the virtual directories. */
  since: Date;
}

const filePermissions: Record<Area, number> = { incoming: 0o644, outgoing: 0o644, archive: 0o444 };
const folderPermissions: Record<Area, number> = { incoming: 0o755, outgoing: 0o755, archive: 0o555 };

export function directoryInfo(name: string, permissions: number, at: Date): FileInfo {
  return { name, kind: 'directory', size: 0, permissions, mtime: at, atime: at };
}

/** The directory of a folder node, checked to be a real directory with no link on its way. */
export async function folderDirectory(ctx: ListingContext, node: { path: string; area: Area; folder: string }): Promise<string> {
  const area = storeAreaOf[node.area];
  if (!(await ctx.store.ensureFolder(ctx.accountId, area, node.folder))) throw new PathRefusedError(node.path, 'a link on the way to the folder');
  return ctx.store.folderDir(ctx.accountId, area, node.folder);
}

/** Finds a file node on disk (or, in Incoming, among the received files still waiting there). */
export async function findFile(ctx: ListingContext, node: Extract<VirtualNode, { kind: 'file' }>): Promise<FileLocation | undefined> {
  const file = path.join(await folderDirectory(ctx, node), node.name);
  const stats = await lstatFile(file).catch((error: unknown) => {
    throw error instanceof Error && error.name === 'LinkRefusedError' ? new PathRefusedError(node.path, 'a link') : error;
  });
  if (stats) {
    const info = { name: node.name, kind: 'file', size: stats.size, permissions: filePermissions[node.area], mtime: stats.mtime, atime: stats.atime } as const;
    return { kind: 'stored', path: file, info };
  }
  if (node.area !== 'incoming') return undefined;
  const received = await ctx.received.findPending(ctx.accountId, node.folder, node.name);
  if (!received) return undefined;
  return { kind: 'received', storageKey: received.storageKey, receivedId: received.id, info: receivedInfo(received) };
}

function receivedInfo(file: { name: string; size: number; receivedAt: Date }): FileInfo {
  return { name: file.name, kind: 'file', size: file.size, permissions: 0o444, mtime: file.receivedAt, atime: file.receivedAt };
}

export async function statNode(ctx: ListingContext, node: VirtualNode): Promise<FileInfo> {
  const name = path.posix.basename(node.path) || '/';
  if (node.kind === 'parent') return directoryInfo(name, 0o555, ctx.since);
  if (node.kind === 'folder') {
    await folderDirectory(ctx, node);
    return directoryInfo(name, folderPermissions[node.area], ctx.since);
  }
  const found = await findFile(ctx, node);
  if (!found) throw noSuchFile(node.path);
  return found.info;
}

/** The entries of a directory node, sorted by name; files of the same name appear once (the newest). */
export async function listNode(ctx: ListingContext, node: VirtualNode): Promise<FileInfo[]> {
  if (node.kind === 'parent') {
    const permissions = node.path.startsWith('/Archive') || node.path === '/' ? 0o555 : 0o755;
    return node.children.map((child) => directoryInfo(child, permissions, ctx.since));
  }
  if (node.kind !== 'folder') throw new PathRefusedError(node.path, 'not a directory');
  await folderDirectory(ctx, node);
  const entries = new Map<string, FileInfo>();
  if (node.area === 'incoming') {
    for (const file of await ctx.received.listPending(ctx.accountId, node.folder)) entries.set(file.name, receivedInfo(file));
  }
  for (const file of await ctx.store.listFolder(ctx.accountId, storeAreaOf[node.area], node.folder)) {
    entries.set(file.name, { name: file.name, kind: 'file', size: file.size, permissions: filePermissions[node.area], mtime: file.mtime, atime: file.atime });
  }
  return [...entries.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
