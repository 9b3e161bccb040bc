import type { Selectable } from 'kysely';
import { toDate, type Db } from '../../db/index.ts';
import type { TransferReceivedFileTable } from '../../db/index.ts';
import { incomingPath, isFeedFolder, type FeedFolder } from '../folders.ts';

/** receiving: being moved into place; received: waiting for the pipeline; then processing, processed or failed. */
export const receivedStatuses = ['receiving', 'received', 'processing', 'processed', 'failed'] as const;
export type ReceivedStatus = (typeof receivedStatuses)[number];
/** Still listed in the account's Incoming folder. */
export const pendingStatuses = ['received', 'processing'] as const satisfies readonly ReceivedStatus[];

/** A file an account uploaded and Workgate recorded: its content is the immutable received/<storageKey>. */
export interface ReceivedFile {
  id: number;
  accountId: number;
  folder: FeedFolder;
  name: string;
  storageKey: string;
  size: number;
  /** Lower-case hex SHA-256 of the content. */
  sha256: string;
  status: ReceivedStatus;
  /** The client's address, normalised. */
  address: string | null;
  receivedAt: Date;
  updatedAt: Date;
}

type Row = Selectable<TransferReceivedFileTable>;

function toReceivedFile(row: Row): ReceivedFile {
  const folder = row.folder.slice('/Incoming/'.length);
  if (!isFeedFolder(folder)) throw new Error(`received file ${row.id} has an unknown folder ${row.folder}`);
  return {
    id: row.id,
    accountId: row.account_id,
    folder,
    name: row.name,
    storageKey: row.storage_key,
    size: Number(row.size),
    sha256: row.sha256,
    status: row.status as ReceivedStatus,
    address: row.address,
    receivedAt: toDate(row.received_at),
    updatedAt: toDate(row.updated_at),
  };
}

export interface NewReceivedFile {
  accountId: number;
  folder: FeedFolder;
  name: string;
  storageKey: string;
  size: number;
  sha256: string;
  address: string | null;
  at: Date;
}

export function createReceivedFilesRepo(db: Db) {
  const k = db.kysely;
  const all = () => k.selectFrom('transfer_received_files').selectAll();
  return {
    async insertReceiving(file: NewReceivedFile): Promise<number> {
      const at = file.at.toISOString();
      const { id } = await k
        .insertInto('transfer_received_files')
        .values({
          account_id: file.accountId,
          folder: incomingPath(file.folder),
          name: file.name,
          storage_key: file.storageKey,
          size: file.size,
          sha256: file.sha256,
          status: 'receiving',
          address: file.address,
          received_at: at,
          updated_at: at,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return id;
    },
    async setStatus(id: number, status: ReceivedStatus, at: Date): Promise<void> {
      await k.updateTable('transfer_received_files').set({ status, updated_at: at.toISOString() }).where('id', '=', id).execute();
    },
    async remove(id: number): Promise<void> {
      await k.deleteFrom('transfer_received_files').where('id', '=', id).execute();
    },
    async get(id: number): Promise<ReceivedFile | undefined> {
      const row = await all().where('id', '=', id).executeTakeFirst();
      return row && toReceivedFile(row);
    },
    /** Files listed in /Incoming/<folder>, oldest first. */
    async listPending(accountId: number, folder: FeedFolder): Promise<ReceivedFile[]> {
      const rows = await all()
        .where('account_id', '=', accountId)
        .where('folder', '=', incomingPath(folder))
        .where('status', 'in', pendingStatuses)
        .orderBy('id')
        .execute();
      return rows.map(toReceivedFile);
    },
    /** The newest pending file of that name. */
    async findPending(accountId: number, folder: FeedFolder, name: string): Promise<ReceivedFile | undefined> {
      const row = await all()
        .where('account_id', '=', accountId)
        .where('folder', '=', incomingPath(folder))
        .where('name', '=', name)
        .where('status', 'in', pendingStatuses)
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row && toReceivedFile(row);
    },
    async pendingBytes(accountId: number): Promise<number> {
      const row = await k
        .selectFrom('transfer_received_files')
        .select((eb) => eb.fn.sum<number | string | null>('size').as('total'))
        .where('account_id', '=', accountId)
        .where('status', 'in', pendingStatuses)
        .executeTakeFirst();
      return Number(row?.total ?? 0);
    },
    /** Received and waiting (status 'received'), every account, oldest first: for sweeps that look for missed events. */
    async listWaiting(limit = 1000): Promise<ReceivedFile[]> {
      const rows = await all().where('status', '=', 'received').orderBy('id').limit(limit).execute();
      return rows.map(toReceivedFile);
    },
    async listReceiving(updatedBefore: Date): Promise<ReceivedFile[]> {
      const rows = await all().where('status', '=', 'receiving').where('updated_at', '<', updatedBefore.toISOString()).orderBy('id').execute();
      return rows.map(toReceivedFile);
    },
  };
}

export type ReceivedFilesRepo = ReturnType<typeof createReceivedFilesRepo>;
