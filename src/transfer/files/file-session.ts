import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { fsyncDir, LinkRefusedError, openNoFollow, type FileStore } from '../../storage/index.ts';
import type { TransferAccount } from '../account.types.ts';
import type { AuditEventInput } from '../audit.ts';
import { badHandle, noSuchFile, PathRefusedError, QuotaExceededError } from './file-errors.ts';
import { HandleTable, type FileNode } from './handles.ts';
import { completeUpload, removeWaiting, renameIncoming, startUpload, type Arrival, type IncomingContext } from './incoming.ts';
import { directoryInfo, findFile, listNode, statNode, type FileInfo } from './listing.ts';
import type { HashPool } from './hashing.ts';
import type { QuotaBook } from './quota.ts';
import type { ReceivedFiles } from './received-files.ts';
import { normalizeVirtualPath } from './virtual-path.ts';
import { isPermitted, locate, type Action, type VirtualNode } from './virtual-tree.ts';

export interface FileSessionDeps {
  store: FileStore;
  received: ReceivedFiles;
  quota: QuotaBook;
  hashes: HashPool;
  audit: (event: AuditEventInput) => Promise<void>;
  log: Logger;
  clock: () => Date;
  /** Open handles per session; default 256. */
  maxHandles?: number;
  /** Entries per directory page; default 100. */
  pageSize?: number;
}

/** Who the session belongs to, and its traffic counters (read by the admin API). */
export interface SessionOwner {
  account: TransferAccount;
  address: string;
  sessionId: string;
  traffic: { bytesIn: number; bytesOut: number };
}

export interface OpenMode {
  read: boolean;
  write: boolean;
  create: boolean;
  truncate: boolean;
  exclusive: boolean;
}

/** Attributes a client asks to change; only the times may be. */
export interface AttributeChange {
  size?: number;
  permissions?: number;
  uid?: number;
  gid?: number;
  atime?: Date;
  mtime?: Date;
}

/** A request the tree never allows (links, directories): refused and audited like a path outside the tree. */
export type RefusedRequest = 'mkdir' | 'rmdir' | 'symlink' | 'link' | 'readlink';

/**
 * One client's file session, protocol-neutral: every request takes the same steps, as in SFTPGo's
 * connection: permission on the virtual path, resolve the backend path, operate, audit, notify (the
 * `file received` event, sent by the received files service).
 */
export function createFileSession(owner: SessionOwner, deps: FileSessionDeps) {
  const { account } = owner;
  const handles = new HandleTable(deps.maxHandles ?? 256);
  const pageSize = deps.pageSize ?? 100;
  const quotaAudited = new WeakSet<Error>();
  const ctx: IncomingContext = { accountId: account.id, account, address: owner.address, store: deps.store, received: deps.received, quota: deps.quota, hashes: deps.hashes, since: deps.clock() };

  async function audit(event: AuditEventInput['event'], outcome: AuditEventInput['outcome'], method: string, detail: AuditEventInput['detail']) {
    try {
      await deps.audit({ event, outcome, username: account.username, accountId: account.id, address: owner.address, method, detail });
    } catch (error) {
      deps.log.error({ err: error, event }, 'could not write the audit event');
    }
  }

  /** Step 1: the path as a node of the account's tree, and the action allowed there; else refused. */
  function authorize(raw: string, action: Action): VirtualNode {
    const parsed = normalizeVirtualPath(raw);
    if (!parsed.ok) throw new PathRefusedError(raw.slice(0, 200), parsed.reason);
    const node = locate(parsed.segments, account.folders);
    if (!node) throw new PathRefusedError(parsed.path, 'outside the account tree');
    const allowed = node.kind === 'file' ? isPermitted(node.area, action) : action === 'list' || action === 'settimes';
    if (!allowed) throw new PathRefusedError(parsed.path, `${action} not permitted here`);
    return node;
  }

  function fileNode(node: VirtualNode, action: Action): FileNode {
    if (node.kind !== 'file') throw new PathRefusedError(node.path, `${action} of a directory`);
    return node;
  }

  /** Runs a request; a refusal (or a link met on disk) is audited as path_refused, a full quota as quota_exceeded. */
  async function step<T>(op: string, raw: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      const refusal = error instanceof LinkRefusedError ? new PathRefusedError(raw.slice(0, 200), 'a link') : error;
      if (refusal instanceof PathRefusedError) {
        await audit('path_refused', 'refused', op, { path: refusal.path, reason: refusal.reason });
        deps.log.info({ op, path: refusal.path, reason: refusal.reason }, 'path refused');
      } else if (refusal instanceof QuotaExceededError && !quotaAudited.has(refusal)) {
        quotaAudited.add(refusal);
        await audit('quota_exceeded', 'refused', op, { path: raw.slice(0, 200), quotaBytes: account.quotaBytes });
      }
      throw refusal;
    }
  }

  async function auditArrival(op: string, virtualPath: string, arrival: Arrival): Promise<void> {
    if ('received' in arrival) {
      const file = arrival.received;
      const detail = { path: virtualPath, folder: file.folder, name: file.name, size: file.size, sha256: file.sha256, receivedFileId: file.id };
      await audit('upload', 'success', op, detail);
      deps.log.info({ op, ...detail }, 'file received');
    } else {
      await audit('upload', 'partial', op, { path: virtualPath, name: arrival.staged.name, size: arrival.staged.size, waitingForRename: true });
    }
  }

  async function openFile(raw: string, mode: OpenMode): Promise<number> {
    const node = fileNode(authorize(raw, mode.write ? 'write' : 'read'), mode.write ? 'write' : 'read');
    handles.assertRoom();
    if (mode.write) return handles.add({ kind: 'upload', node, upload: await startUpload(ctx, node, mode) });
    const found = await findFile(ctx, node);
    if (!found || found.kind !== 'stored') throw noSuchFile(node.path);
    const file = await openNoFollow(found.path, constants.O_RDONLY);
    return handles.add({ kind: 'download', node, file, bytes: 0 });
  }

  async function closeHandle(id: number): Promise<void> {
    const handle = handles.take(id);
    if (handle.kind === 'directory') return;
    if (handle.kind === 'download') {
      await handle.file.close();
      await audit('download', 'success', 'close', { path: handle.node.path, bytes: handle.bytes });
      return;
    }
    await step('close', handle.node.path, async () => auditArrival('close', handle.node.path, await completeUpload(ctx, handle.node, handle.upload)));
  }

  return {
    owner,
    /** The canonical form of a path in the tree; `.` is `/`. */
    realpath: (raw: string): Promise<string> => step('realpath', raw, async () => authorize(raw, 'list').path),

    stat: (raw: string): Promise<FileInfo> => step('stat', raw, () => statNode(ctx, authorize(raw, 'list'))),

    openDirectory: (raw: string): Promise<number> =>
      step('opendir', raw, async () => {
        const node = authorize(raw, 'list');
        if (node.kind === 'file') throw noSuchFile(node.path);
        handles.assertRoom();
        return handles.add({ kind: 'directory', path: node.path, entries: await listNode(ctx, node), position: 0 });
      }),

    /** The next page of a directory, or undefined at its end. */
    async readDirectory(id: number): Promise<FileInfo[] | undefined> {
      const handle = handles.get(id);
      if (handle.kind !== 'directory') throw badHandle();
      if (handle.position >= handle.entries.length) return undefined;
      const page = handle.entries.slice(handle.position, handle.position + pageSize);
      handle.position += page.length;
      return page;
    },

    open: (raw: string, mode: OpenMode): Promise<number> => step('open', raw, () => openFile(raw, mode)),

    /** Up to `length` bytes at `offset`, or undefined at the end of the file. */
    async read(id: number, offset: number, length: number): Promise<Buffer | undefined> {
      const handle = handles.get(id);
      if (handle.kind !== 'download') return step('read', handleLabel(handle), () => Promise.reject(new PathRefusedError(handleLabel(handle), 'read of a handle not opened for reading')));
      const buffer = Buffer.allocUnsafe(length);
      const { bytesRead } = await handle.file.read(buffer, 0, length, offset);
      if (bytesRead === 0) return undefined;
      handle.bytes += bytesRead;
      owner.traffic.bytesOut += bytesRead;
      return bytesRead === length ? buffer : buffer.subarray(0, bytesRead);
    },

    async write(id: number, offset: number, data: Buffer): Promise<void> {
      const handle = handles.get(id);
      if (handle.kind !== 'upload') return step('write', handleLabel(handle), () => Promise.reject(new PathRefusedError(handleLabel(handle), 'write to a handle not opened for writing')));
      await step('write', handle.node.path, () => handle.upload.write(offset, data));
      owner.traffic.bytesIn += data.length;
    },

    async statHandle(id: number): Promise<FileInfo> {
      const handle = handles.get(id);
      if (handle.kind === 'directory') return directoryInfo(handle.path.split('/').pop() || '/', 0o755, ctx.since);
      if (handle.kind === 'upload') return { name: handle.node.name, kind: 'file', size: handle.upload.size, permissions: 0o644, mtime: deps.clock(), atime: deps.clock() };
      const stats = await handle.file.stat();
      return { name: handle.node.name, kind: 'file', size: stats.size, permissions: 0o444, mtime: stats.mtime, atime: stats.atime };
    },

    close: (id: number): Promise<void> => closeHandle(id),

    /** setstat: times only (applied to a file waiting under a temporary name, accepted and ignored elsewhere). */
    setAttributes: (raw: string, change: AttributeChange): Promise<void> =>
      step('setstat', raw, async () => {
        const node = authorize(raw, 'settimes');
        assertTimesOnly(node.path, change);
        if (node.kind !== 'file' || !change.mtime) return;
        const found = await findFile(ctx, node);
        if (!found) throw noSuchFile(node.path);
        if (found.kind === 'stored') await fs.lutimes(found.path, change.atime ?? change.mtime, change.mtime);
      }),

    setHandleAttributes: async (id: number, change: AttributeChange): Promise<void> => {
      const handle = handles.get(id);
      const label = handleLabel(handle);
      await step('fsetstat', label, async () => {
        if (handle.kind === 'download') throw new PathRefusedError(label, 'setstat not permitted here');
        assertTimesOnly(label, change);
      });
    },

    remove: (raw: string): Promise<void> =>
      step('remove', raw, async () => {
        const node = fileNode(authorize(raw, 'delete'), 'delete');
        const size = node.area === 'incoming' ? await removeWaiting(ctx, node) : await removeStored(node);
        await audit('delete', 'success', 'remove', { path: node.path, size });
      }),

    rename: (rawFrom: string, rawTo: string): Promise<void> =>
      step('rename', rawFrom, async () => {
        const from = fileNode(authorize(rawFrom, 'rename'), 'rename');
        const to = fileNode(authorize(rawTo, 'rename'), 'rename');
        if (to.area !== from.area || to.folder !== from.folder) throw new PathRefusedError(to.path, 'rename to another folder');
        const arrival = await renameIncoming(ctx, from, to);
        await audit('rename', 'success', 'rename', { from: from.path, to: to.path });
        if ('received' in arrival) await auditArrival('rename', to.path, arrival);
      }),

    refuse: (op: RefusedRequest, raw: string): Promise<never> =>
      step(op, raw, () => Promise.reject(new PathRefusedError(normalizedOrRaw(raw), `${op} is not allowed`))),

    /** The client went away: uploads in progress are dropped (nothing partial stays), files closed. */
    async end(): Promise<void> {
      for (const handle of handles.drain()) {
        if (handle.kind === 'upload') await handle.upload.abort();
        else if (handle.kind === 'download') await handle.file.close().catch(() => undefined);
      }
    },
  };

  async function removeStored(node: FileNode): Promise<number> {
    const found = await findFile(ctx, node);
    if (!found || found.kind !== 'stored') throw noSuchFile(node.path);
    await fs.rm(found.path, { force: true });
    await fsyncDir(path.dirname(found.path));
    return found.info.size;
  }
}

export type FileSession = ReturnType<typeof createFileSession>;

function handleLabel(handle: { kind: string; node?: FileNode; path?: string }): string {
  return handle.node?.path ?? handle.path ?? '';
}

function normalizedOrRaw(raw: string): string {
  const parsed = normalizeVirtualPath(raw);
  return parsed.ok ? parsed.path : raw.slice(0, 200);
}

function assertTimesOnly(where: string, change: AttributeChange): void {
  const others = (['size', 'permissions', 'uid', 'gid'] as const).filter((key) => change[key] !== undefined);
  if (others.length > 0) throw new PathRefusedError(where, `setstat of ${others.join(', ')} (only times may change)`);
}
