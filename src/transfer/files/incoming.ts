import fs from 'node:fs/promises';
import path from 'node:path';
import { fsyncDir, durableRename } from '../../storage/index.ts';
import type { TransferAccount } from '../account.types.ts';
import { fileExists, noSuchFile, PathRefusedError } from './file-errors.ts';
import type { FileNode } from './handles.ts';
import { findFile, folderDirectory, type FileLocation, type ListingContext } from './listing.ts';
import type { HashPool } from './hashing.ts';
import type { QuotaBook } from './quota.ts';
import type { ReceivedFiles } from './received-files.ts';
import type { ReceivedFile } from './received-files.repo.ts';
import { isTemporaryName } from './temporary-names.ts';
import { Upload } from './upload.ts';

/**
 * What only Incoming folders do: take uploads, turn a finished one into a received file (or keep it under
 * its temporary name until renamed), rename and delete what has not been received yet.
 */
export interface IncomingContext extends ListingContext {
  account: TransferAccount;
  address: string;
  quota: QuotaBook;
  received: ReceivedFiles;
  hashes: HashPool;
}

export interface OpenForWrite {
  create: boolean;
  truncate: boolean;
  exclusive: boolean;
}

/** Outcome of a finished upload or a rename: a received file, or a file kept under a temporary name. */
export type Arrival = { received: ReceivedFile } | { staged: { name: string; size: number } };

export async function startUpload(ctx: IncomingContext, node: FileNode, mode: OpenForWrite): Promise<Upload> {
  const existing = await findFile(ctx, node);
  if (existing && mode.exclusive) throw fileExists(node.path);
  if (!existing && !mode.create) throw noSuchFile(node.path);
  const resumeFrom = !mode.truncate && existing?.kind === 'stored' ? existing.path : undefined;
  const guard = await ctx.quota.open(ctx.account);
  try {
    return await Upload.start(ctx.store, guard, ctx.hashes, resumeFrom);
  } catch (error) {
    guard.settle(false);
    throw error;
  }
}

/** The client closed the handle: fsync, then received (final name) or kept waiting (temporary name). */
export async function completeUpload(ctx: IncomingContext, node: FileNode, upload: Upload): Promise<Arrival> {
  const done = await upload.finish();
  try {
    let arrival: Arrival;
    if (isTemporaryName(node.name)) {
      await folderDirectory(ctx, node);
      await ctx.store.moveIntoFolder(done.tempPath, ctx.account.id, 'Incoming', node.folder, node.name);
      arrival = { staged: { name: node.name, size: done.size } };
    } else {
      const received = await ctx.received.receive({ ...receiveTarget(ctx, node), tempPath: done.tempPath, size: done.size, sha256: done.sha256 });
      arrival = { received };
    }
    upload.kept();
    return arrival;
  } catch (error) {
    await upload.abort();
    throw error;
  }
}

function receiveTarget(ctx: IncomingContext, node: FileNode) {
  return { accountId: ctx.account.id, folder: node.folder, name: node.name, address: ctx.address };
}

/** Only files not yet received can be renamed or deleted; received ones wait, read-only, for the pipeline. */
async function waitingFile(ctx: IncomingContext, node: FileNode): Promise<Extract<FileLocation, { kind: 'stored' }>> {
  const found = await findFile(ctx, node);
  if (!found) throw noSuchFile(node.path);
  if (found.kind === 'received') throw new PathRefusedError(node.path, 'a received file is read-only');
  return found;
}

/** Rename inside one Incoming folder; to a final name the file becomes a received file. */
export async function renameIncoming(ctx: IncomingContext, from: FileNode, to: FileNode): Promise<Arrival> {
  const source = await waitingFile(ctx, from);
  if (isTemporaryName(to.name)) {
    if (from.name !== to.name) {
      if (await findFile(ctx, to)) throw fileExists(to.path);
      await durableRename(source.path, path.join(path.dirname(source.path), to.name));
    }
    return { staged: { name: to.name, size: source.info.size } };
  }
  const sha256 = await ctx.hashes.open(source.path).digest(source.info.size, true);
  const received = await ctx.received.receive({ ...receiveTarget(ctx, to), tempPath: source.path, size: source.info.size, sha256 });
  return { received };
}

export async function removeWaiting(ctx: IncomingContext, node: FileNode): Promise<number> {
  const source = await waitingFile(ctx, node);
  await fs.rm(source.path, { force: true });
  await fsyncDir(path.dirname(source.path));
  return source.info.size;
}
