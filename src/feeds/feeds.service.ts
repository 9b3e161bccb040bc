import os from 'node:os';
import type { Logger } from 'pino';
import type { Db } from '../db/index.ts';
import type { JobQueue } from '../jobs/index.ts';
import { AppError, NotFoundError } from '../shared/errors.ts';
import type { FeedFolder } from '../transfer/folders.ts';
import { classify } from './classify.ts';
import { FeedFileError } from './feed-error.ts';
import type { FeedAccounts, FeedFiles, FeedPgp, FeedSourceFile } from './feed-ports.ts';
import type { Layout } from './layouts/layout.ts';
import { applyFile, countColumns, RunStopped, writeResult, type PipelineDeps } from './pipeline.ts';
import { resultLine, RESULT_HEADER } from './result-file.ts';
import { createRunsRepo, type Run } from './runs.repo.ts';

export const FOLDER_JOB = 'feeds.folder';

/** A reprocessed file was archived by its first run: it stays where it is. */
const isArchived = (file: FeedSourceFile) => file.status === 'processed' || file.status === 'failed';

export interface FeedsDeps {
  db: Db;
  log: Logger;
  clock?: () => Date;
  queue: JobQueue;
  files: FeedFiles;
  accounts: FeedAccounts;
  pgp?: FeedPgp;
  layouts: readonly Layout[];
  holdPercent: number;
  holdMinimumActive?: number;
  maxAttempts?: number;
  onCommitted?: () => void;
  /** A run still 'loading' with no heartbeat for this long was cut off (a node died): it runs again. */
  staleAfterMs?: number;
}

/**
 * The feed pipeline's face: a received file becomes a run, a job per folder applies its runs one at
 * a time in name order, and every run ends with a result file and a status.
 */
export function createFeeds(deps: FeedsDeps) {
  const clock = deps.clock ?? (() => new Date());
  const runs = createRunsRepo(deps.db);
  const node = `${os.hostname()}:${process.pid}`;
  const progress = new Map<number, { bytes: number; size: number; rows: number }>();
  const maxAttempts = deps.maxAttempts ?? 5;
  const staleAfterMs = deps.staleAfterMs ?? 120_000;
  /** Runs this process is working on: the sweep leaves them alone. */
  const active = new Set<number>();
  const pipelineDeps: PipelineDeps = {
    db: deps.db,
    log: deps.log,
    clock,
    runs,
    files: deps.files,
    accounts: deps.accounts,
    pgp: deps.pgp,
    holdPercent: deps.holdPercent,
    holdMinimumActive: deps.holdMinimumActive ?? 100,
    onCommitted: deps.onCommitted ?? (() => {}),
    progress,
  };

  deps.queue.define<{ accountId: number; folder: FeedFolder }>({
    name: FOLDER_JOB,
    retryLimit: 5,
    retryDelaySeconds: 2,
    handler: ({ accountId, folder }) => drainFolder(accountId, folder),
  });

  const trigger = (accountId: number, folder: FeedFolder) =>
    deps.queue.send(FOLDER_JOB, { accountId, folder }, { singletonKey: `${accountId}:${folder}` });

  /** Applies the folder's pending runs one after another, in alphanumeric order of name. */
  async function drainFolder(accountId: number, folder: FeedFolder): Promise<void> {
    for (;;) {
      const run = await runs.claimNext(accountId, folder, node, clock());
      if (!run) return;
      await processRun(run);
    }
  }

  async function processRun(run: Run): Promise<void> {
    active.add(run.id);
    try {
      await processClaimed(run);
    } finally {
      active.delete(run.id);
    }
  }

  async function processClaimed(run: Run): Promise<void> {
    const log = deps.log.child({ runId: run.id, file: run.fileName, folder: run.folder });
    const file = await deps.files.get(run.receivedFileId);
    if (!file) return settleFailed(run, undefined, new AppError('internal', 'the received file is gone from the store'), log);
    // One SQLite node finds cut-off runs at start; a heartbeat there would only queue behind the file's write lock.
    const heartbeat =
      deps.db.adapter.name === 'postgres'
        ? setInterval(() => void runs.heartbeat(run.id, clock()).catch(() => {}), Math.max(1000, staleAfterMs / 4))
        : undefined;
    heartbeat?.unref();
    try {
      if (file.status === 'received') await deps.files.setStatus(file.id, 'processing');
      const layout = classify(deps.layouts, run.folder, run.fileName);
      const refusal = await layout.refusal?.();
      if (refusal) throw new AppError('bad_request', refusal);
      log.info({ layout: layout.id }, 'applying file');
      const applied = await applyFile(pipelineDeps, run, file, layout);
      pipelineDeps.onCommitted();
      log.info({ counts: applied.counts }, 'file applied');
      await publish((await runs.get(run.id))!, file);
    } catch (error) {
      await settleError(run, file, error, log);
    } finally {
      if (heartbeat) clearInterval(heartbeat);
      progress.delete(run.id);
    }
  }

  /** After commit: the result goes to Outgoing, the original to Archive, the run to its final status. */
  async function publish(run: Run, file: FeedSourceFile): Promise<void> {
    if (run.resultTemp && run.resultFile) {
      try {
        await deps.files.publish(run.resultTemp, run.accountId, run.folder, run.resultFile);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    if (!isArchived(file)) await deps.files.archive(file, 'processed');
    const now = clock().toISOString();
    await runs.update(run.id, {
      status: run.counts.errors > 0 ? 'done_with_errors' : 'done',
      result_temp: null,
      finished_at: now,
      updated_at: now,
    });
  }

  async function settleError(run: Run, file: FeedSourceFile, error: unknown, log: Logger): Promise<void> {
    if (error instanceof RunStopped) return settleStopped(run, file, error, log);
    if (deps.db.adapter.isTransient(error) && run.attempts + 1 < maxAttempts) {
      const delay = 2 ** run.attempts;
      log.warn({ err: error, retryInSeconds: delay }, 'transient failure; the file will be tried again');
      await runs.update(run.id, {
        status: 'pending',
        attempts: run.attempts + 1,
        last_error: String((error as Error).message).slice(0, 2000),
        next_attempt_at: new Date(clock().getTime() + delay * 1000).toISOString(),
        updated_at: clock().toISOString(),
      });
      if (!isArchived(file)) await deps.files.setStatus(file.id, 'received');
      await deps.queue.send(FOLDER_JOB, { accountId: run.accountId, folder: run.folder }, { singletonKey: `${run.accountId}:${run.folder}:retry`, delaySeconds: delay });
      return;
    }
    return settleFailed(run, file, error, log);
  }

  async function settleStopped(run: Run, file: FeedSourceFile, stop: RunStopped, log: Logger): Promise<void> {
    log.info({ status: stop.status }, stop.message);
    await writeStandaloneResult(run, file, resultLine(null, '', 'skipped', stop.message));
    // The run's final status comes last: whoever sees it finds the original archived (or waiting again).
    if (!isArchived(file)) {
      if (stop.status === 'held') await deps.files.setStatus(file.id, 'received');
      else await deps.files.archive(file, 'processed');
    }
    const now = clock().toISOString();
    await runs.update(run.id, {
      status: stop.status,
      result_text: stop.message,
      ...(stop.counts ? { ...countColumns(stop.counts), held_missing: stop.counts.missing, held_active: stop.counts.activeBefore } : {}),
      finished_at: stop.status === 'held' ? null : now,
      updated_at: now,
    });
  }

  async function settleFailed(run: Run, file: FeedSourceFile | undefined, error: unknown, log: Logger): Promise<void> {
    const known = error instanceof AppError && error.code !== 'internal';
    if (known) log.info({ reason: (error as Error).message }, 'file refused');
    else log.error({ err: error }, 'file failed');
    const message = known ? (error as Error).message : `internal error: ${(error as Error)?.message ?? String(error)}`;
    const line = error instanceof FeedFileError ? (error.line ?? null) : null;
    if (file) {
      await writeStandaloneResult(run, file, resultLine(line, '', 'error', message)).catch((resultError: unknown) =>
        log.error({ err: resultError }, 'the result file of a failed run could not be written'),
      );
    }
    const column = error instanceof FeedFileError ? (error.column ?? null) : null;
    await runs.insertErrors(run.id, [{ line, column, message }], deps.db.kysely);
    if (file && !isArchived(file)) await deps.files.archive(file, 'failed');
    // The final status comes last: whoever sees 'failed' finds the errors recorded and the original archived.
    const now = clock().toISOString();
    await runs.update(run.id, { status: 'failed', result_text: message.slice(0, 2000), last_error: message.slice(0, 2000), finished_at: now, updated_at: now });
  }

  /** A result of one line (refused, held, duplicate), written and published at once. */
  async function writeStandaloneResult(run: Run, file: FeedSourceFile, line: string): Promise<void> {
    const account = await deps.accounts.byId(run.accountId);
    const encrypter = deps.pgp && account ? await deps.pgp.encrypterFor(account.username) : undefined;
    const name = `${file.name}.result.csv${encrypter ? '.pgp' : ''}`;
    const temp = await deps.files.createTemp();
    async function* lines() {
      yield `${RESULT_HEADER}\n`;
      yield line;
    }
    await writeResult(temp.handle, lines(), encrypter);
    await deps.files.publish(temp.path, run.accountId, run.folder, name);
    await runs.update(run.id, { result_file: name });
  }

  /**
   * After a crash or on another node's death: applied runs are published, runs cut off while loading
   * go back to pending, received files without a run get one, and every folder with work is triggered.
   */
  async function sweep(options: { startup?: boolean } = {}): Promise<void> {
    const staleBefore = clock().getTime() - staleAfterMs;
    // One SQLite node: at start, whatever was under way was cut off. Elsewhere: a silent heartbeat.
    const cutOff = async (run: Run) =>
      !active.has(run.id) && ((deps.db.adapter.name === 'sqlite' && options.startup === true) || (await staleHeartbeat(run.id, staleBefore)));
    for (const run of await runs.withStatus(['applied'])) {
      const file = await deps.files.get(run.receivedFileId);
      if (file && (await cutOff(run))) await publish(run, file);
    }
    for (const run of await runs.withStatus(['loading'])) {
      if (await cutOff(run)) {
        deps.log.warn({ runId: run.id }, 'run was cut off; it will be applied again');
        await runs.update(run.id, { status: 'pending', claimed_by: null, updated_at: clock().toISOString() });
      }
    }
    for (const file of await deps.files.listWaiting()) {
      if (await runs.hasRunFor(file.id)) continue;
      deps.log.warn({ receivedFileId: file.id, file: file.name }, 'a received file had no run (its event was missed); it gets one now');
      await runs.create(
        { receivedFileId: file.id, accountId: file.accountId, folder: file.folder, fileName: file.name, size: file.size, sha256: file.sha256, createdBy: 'sweep' },
        clock(),
      );
    }
    for (const { accountId, folder } of await runs.pendingFolders()) await trigger(accountId, folder);
  }

  async function staleHeartbeat(id: number, before: number): Promise<boolean> {
    const row = await deps.db.kysely.selectFrom('feed_runs').select('heartbeat_at').where('id', '=', id).executeTakeFirst();
    return !row?.heartbeat_at || new Date(row.heartbeat_at).getTime() < before;
  }

  return {
    runs,
    progress,
    sweep,

    /** The `file received` listener: a run for the file, and the folder's job triggered. */
    async fileReceived(file: FeedSourceFile, actor = 'sftp'): Promise<Run> {
      const run = await runs.create(
        { receivedFileId: file.id, accountId: file.accountId, folder: file.folder, fileName: file.name, size: file.size, sha256: file.sha256, createdBy: actor },
        clock(),
      );
      await trigger(file.accountId, file.folder);
      return run;
    },

    async approve(id: number, actor: string): Promise<Run> {
      const run = await runs.get(id);
      if (!run) throw new NotFoundError('data-file-source', id);
      if (run.status !== 'held') throw new AppError('conflict', `data file source ${id} is ${run.status}, not held: only a held file can be approved`);
      await runs.update(id, { status: 'pending', approved: true, created_by: run.createdBy, last_error: `approved by ${actor}`, updated_at: clock().toISOString() });
      await trigger(run.accountId, run.folder);
      return (await runs.get(id))!;
    },

    async reprocess(id: number, actor: string): Promise<Run> {
      const run = await runs.get(id);
      if (!run) throw new NotFoundError('data-file-source', id);
      if (run.status === 'pending' || run.status === 'loading' || run.status === 'applied') {
        throw new AppError('conflict', `data file source ${id} is ${run.status}; it can be reprocessed once it has finished`);
      }
      const file = await deps.files.get(run.receivedFileId);
      if (!file) throw new AppError('conflict', `the file of data file source ${id} is no longer stored`);
      const again = await runs.create(
        { receivedFileId: file.id, accountId: run.accountId, folder: run.folder, fileName: run.fileName, size: run.size, sha256: run.sha256, createdBy: actor, reprocessOf: id },
        clock(),
      );
      await trigger(run.accountId, run.folder);
      return again;
    },

    trigger,
  };
}

export type Feeds = ReturnType<typeof createFeeds>;
