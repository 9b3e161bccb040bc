import { sql, type Kysely, type Selectable, type Updateable } from 'kysely';
import { toBool, toDate, type Database, type Db } from '../db/index.ts';
import type { FeedRunTable } from '../db/schema.ts';
import { applyListQuery } from '../query/compile-list-query.ts';
import type { ListQuery } from '../query/types.ts';
import type { FeedFolder } from '../transfer/folders.ts';
import { runQuerySchema } from './runs.query-schema.ts';

export const runStatuses = ['pending', 'loading', 'applied', 'held', 'done', 'done_with_errors', 'failed', 'duplicate'] as const;
export type RunStatus = (typeof runStatuses)[number];
/** A run in one of these is working on its folder: the next file of the folder waits for it. */
export const busyStatuses: readonly RunStatus[] = ['loading', 'applied'];

export type RunRow = Selectable<FeedRunTable>;

export interface Run {
  id: number;
  receivedFileId: number;
  accountId: number;
  folder: FeedFolder;
  fileName: string;
  size: number;
  sha256: string;
  contentSha256: string | null;
  encrypted: boolean;
  layout: string | null;
  mode: 'delta' | 'full' | null;
  status: RunStatus;
  approved: boolean;
  counts: { rows: number; created: number; updated: number; unchanged: number; deactivated: number; errors: number };
  held: { missing: number; active: number } | null;
  resultText: string | null;
  warnings: string[];
  resultFile: string | null;
  resultTemp: string | null;
  timings: Record<string, number>;
  attempts: number;
  lastError: string | null;
  reprocessOf: number | null;
  createdBy: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  updatedAt: Date;
}

export function toRun(row: RunRow): Run {
  return {
    id: row.id,
    receivedFileId: row.received_file_id,
    accountId: row.account_id,
    folder: row.folder as FeedFolder,
    fileName: row.file_name,
    size: Number(row.size),
    sha256: row.sha256,
    contentSha256: row.content_sha256,
    encrypted: toBool(row.encrypted),
    layout: row.layout,
    mode: row.mode as Run['mode'],
    status: row.status as RunStatus,
    approved: toBool(row.approved),
    counts: {
      rows: row.rows_read,
      created: row.created_count,
      updated: row.updated_count,
      unchanged: row.unchanged_count,
      deactivated: row.deactivated_count,
      errors: row.error_count,
    },
    held: row.held_missing === null ? null : { missing: row.held_missing, active: row.held_active ?? 0 },
    resultText: row.result_text,
    warnings: row.warnings ? (JSON.parse(row.warnings) as string[]) : [],
    resultFile: row.result_file,
    resultTemp: row.result_temp,
    timings: row.timings ? (JSON.parse(row.timings) as Record<string, number>) : {},
    attempts: row.attempts,
    lastError: row.last_error,
    reprocessOf: row.reprocess_of,
    createdBy: row.created_by,
    createdAt: toDate(row.created_at),
    startedAt: row.started_at === null ? null : toDate(row.started_at),
    finishedAt: row.finished_at === null ? null : toDate(row.finished_at),
    updatedAt: toDate(row.updated_at),
  };
}

export interface NewRun {
  receivedFileId: number;
  accountId: number;
  folder: FeedFolder;
  fileName: string;
  size: number;
  sha256: string;
  createdBy: string;
  reprocessOf?: number;
  approved?: boolean;
}

export function createRunsRepo(db: Db) {
  const k = db.kysely;

  async function get(id: number, executor: Kysely<Database> = k): Promise<Run | undefined> {
    const row = await executor.selectFrom('feed_runs').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toRun(row) : undefined;
  }

  return {
    get,

    async create(run: NewRun, now: Date): Promise<Run> {
      const at = now.toISOString();
      const { id } = await k
        .insertInto('feed_runs')
        .values({
          received_file_id: run.receivedFileId,
          account_id: run.accountId,
          folder: run.folder,
          file_name: run.fileName,
          size: run.size,
          sha256: run.sha256,
          encrypted: false,
          status: 'pending',
          approved: run.approved ?? false,
          rows_read: 0,
          created_count: 0,
          updated_count: 0,
          unchanged_count: 0,
          deactivated_count: 0,
          error_count: 0,
          attempts: 0,
          reprocess_of: run.reprocessOf ?? null,
          created_by: run.createdBy,
          created_at: at,
          updated_at: at,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return (await get(id))!;
    },

    async hasRunFor(receivedFileId: number): Promise<boolean> {
      return (await k.selectFrom('feed_runs').select('id').where('received_file_id', '=', receivedFileId).executeTakeFirst()) !== undefined;
    },

    /**
     * Takes the folder's next pending run, in alphanumeric order of file name, unless another run of
     * the folder is under way. On PostgreSQL a transaction-scoped advisory lock on the folder makes the
     * check-and-take atomic across nodes.
     */
    async claimNext(accountId: number, folder: FeedFolder, node: string, now: Date): Promise<Run | undefined> {
      return k.transaction().execute(async (trx) => {
        if (db.adapter.name === 'postgres') await sql`select pg_advisory_xact_lock(hashtext(${`feeds:${accountId}:${folder}`}))`.execute(trx);
        const busy = await trx
          .selectFrom('feed_runs')
          .select('id')
          .where('account_id', '=', accountId)
          .where('folder', '=', folder)
          .where('status', 'in', [...busyStatuses])
          .executeTakeFirst();
        if (busy) return undefined;
        const next = await trx
          .selectFrom('feed_runs')
          .select('id')
          .where('account_id', '=', accountId)
          .where('folder', '=', folder)
          .where('status', '=', 'pending')
          .where((eb) => eb.or([eb('next_attempt_at', 'is', null), eb('next_attempt_at', '<=', now.toISOString())]))
          .orderBy(db.adapter.name === 'postgres' ? sql`file_name collate "C"` : sql`file_name`)
          .orderBy('id')
          .limit(1)
          .executeTakeFirst();
        if (!next) return undefined;
        const at = now.toISOString();
        await trx
          .updateTable('feed_runs')
          .set({ status: 'loading', claimed_by: node, heartbeat_at: at, started_at: at, updated_at: at })
          .where('id', '=', next.id)
          .execute();
        return get(next.id, trx);
      });
    },

    async update(id: number, columns: Updateable<FeedRunTable>, executor: Kysely<Database> = k): Promise<void> {
      await executor.updateTable('feed_runs').set(columns).where('id', '=', id).execute();
    },

    async heartbeat(id: number, now: Date): Promise<void> {
      await k.updateTable('feed_runs').set({ heartbeat_at: now.toISOString() }).where('id', '=', id).where('status', '=', 'loading').execute();
    },

    /** A run already applied with the same content for the same layout. */
    async findApplied(layout: string, contentSha256: string, executor: Kysely<Database> = k): Promise<Run | undefined> {
      const row = await executor
        .selectFrom('feed_runs')
        .selectAll()
        .where('layout', '=', layout)
        .where('content_sha256', '=', contentSha256)
        .where('status', 'in', ['done', 'done_with_errors', 'applied'])
        .orderBy('id')
        .executeTakeFirst();
      return row ? toRun(row) : undefined;
    },

    async insertErrors(runId: number, errors: ReadonlyArray<{ line: number | null; column: string | null; message: string }>, executor: Kysely<Database>): Promise<void> {
      for (let i = 0; i < errors.length; i += 200) {
        const chunk = errors.slice(i, i + 200).map((e) => ({ run_id: runId, line: e.line, column_name: e.column, message: e.message.slice(0, 2000) }));
        await executor.insertInto('feed_run_errors').values(chunk).execute();
      }
    },

    async errors(runId: number): Promise<Array<{ line: number | null; column: string | null; message: string }>> {
      const rows = await k.selectFrom('feed_run_errors').select(['line', 'column_name', 'message']).where('run_id', '=', runId).orderBy('id').execute();
      return rows.map((r) => ({ line: r.line, column: r.column_name, message: r.message }));
    },

    async list(query: ListQuery): Promise<Run[]> {
      const rows = await applyListQuery(k.selectFrom('feed_runs').selectAll('feed_runs'), runQuerySchema, query, db.adapter).execute();
      return (rows as RunRow[]).map(toRun);
    },

    async withStatus(statuses: readonly RunStatus[]): Promise<Run[]> {
      const rows = await k.selectFrom('feed_runs').selectAll().where('status', 'in', [...statuses]).orderBy('id').execute();
      return rows.map(toRun);
    },

    async pendingFolders(): Promise<Array<{ accountId: number; folder: FeedFolder }>> {
      const rows = await k.selectFrom('feed_runs').select(['account_id', 'folder']).distinct().where('status', '=', 'pending').execute();
      return rows.map((r) => ({ accountId: r.account_id, folder: r.folder as FeedFolder }));
    },
  };
}

export type RunsRepo = ReturnType<typeof createRunsRepo>;
