import type { FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { Logger } from 'pino';
import type { Db } from '../db/index.ts';
import { openCsv, type CsvEvent } from './csv/csv-reader.ts';
import type { FeedAccounts, FeedFiles, FeedPgp, FeedSourceFile } from './feed-ports.ts';
import type { FeedCounts, Layout, LayoutImport, LayoutRow } from './layouts/layout.ts';
import { mapHeader, readRow, type HeaderMap } from './layouts/read-row.ts';
import { openSource } from './read-source.ts';
import { resultLines, resultText, type StoredError } from './result-file.ts';
import type { Run, RunsRepo } from './runs.repo.ts';

/**
 * Rows handed to the layout at a time. Each batch stays alive while it is staged (a round trip to the
 * database), so V8 promotes it to the old generation; with 5,000 a million-row file left up to 450 MB of
 * such garbage before a full collection (peak RSS 572 to 950 MB on PostgreSQL), with 2,000 it peaked at
 * 452 to 475 MB.
 */
const BATCH_ROWS = 2_000;

export interface PipelineDeps {
  db: Db;
  log: Logger;
  clock: () => Date;
  runs: RunsRepo;
  files: FeedFiles;
  accounts: FeedAccounts;
  pgp: FeedPgp | undefined;
  /** Share of active records a Full file may deactivate before it is held (WORKGATE_FULL_FEED_HOLD_PERCENT). */
  holdPercent: number;
  /** Below this many active records a Full file is never held. */
  holdMinimumActive: number;
  /** Core committed changes: wake the sync applier. */
  onCommitted: () => void;
  progress: Map<number, { bytes: number; size: number; rows: number }>;
}

/** Nothing was applied: the run ends with this status and a one-line result. */
export class RunStopped extends Error {
  readonly status: 'held' | 'duplicate';
  readonly counts: FeedCounts | undefined;
  constructor(status: 'held' | 'duplicate', message: string, counts?: FeedCounts) {
    super(message);
    this.status = status;
    this.counts = counts;
  }
}

export interface AppliedRun {
  counts: FeedCounts;
  resultFile: string;
}

/**
 * Reads, checks and applies one file in ONE transaction, writing its result file before the commit
 * and recording the run as 'applied' in that same transaction; publishing the result and archiving
 * the original happen after. A crash therefore leaves the state before the file or after it.
 */
export async function applyFile(deps: PipelineDeps, run: Run, file: FeedSourceFile, layout: Layout): Promise<AppliedRun> {
  const account = await deps.accounts.byId(run.accountId);
  if (!account) throw new Error(`SFTP account ${run.accountId} no longer exists`);
  const timings: Record<string, number> = {};
  const mark = timer(deps.clock);
  const source = await openSource(await deps.files.openContent(file), file.name, deps.pgp, account.username);
  const csv = await openCsv(source.plaintext, { encoding: account.inputEncoding, delimiters: layout.delimiters });
  const header = mapHeader(layout, csv.header);
  const resultName = `${file.name}.result.csv`;
  const encrypter = deps.pgp ? await deps.pgp.encrypterFor(account.username) : undefined;

  return deps.db.withDedicatedConnection((db) => db.kysely.transaction().execute(async (trx) => {
    // SQLite: a write first takes the write lock now (waiting for other writers), instead of failing
    // later when this transaction's read snapshot could no longer be upgraded. Not on PostgreSQL:
    // the run's row would stay locked until commit and block the heartbeat other nodes watch.
    if (db.adapter.name === 'sqlite') await deps.runs.update(run.id, { heartbeat_at: deps.clock().toISOString() }, trx);
    const imported = await layout.start({ db, trx, actor: `feed:run ${run.id}`, fullFeed: header.fullFeed, given: header.given });
    let bytes = 0;
    source.plaintext.on('data', (chunk: Buffer) => (bytes += chunk.length));
    const rows = await stageRows(layout, header, csv.events, imported, (count) => deps.progress.set(run.id, { bytes, size: run.size, rows: count }));
    timings.parse_and_stage_ms = mark();
    const content = await source.finished;
    if (!run.reprocessOf) {
      const earlier = await deps.runs.findApplied(layout.id, content.sha256, trx);
      if (earlier) throw new RunStopped('duplicate', `skipped: the same content was already applied by data file source ${earlier.id} (${earlier.fileName})`);
    }
    const planned = await imported.plan();
    timings.plan_ms = mark();
    checkHold(deps, run, layout, header, planned);
    const applied = { ...(await imported.apply()), rows };
    timings.apply_ms = mark();
    const temp = await deps.files.createTemp();
    const errors: StoredError[] = [];
    const name = encrypter ? `${resultName}.pgp` : resultName;
    await writeResult(temp.handle, resultLines(header.warnings, imported.outcomes(), errors), encrypter);
    timings.result_ms = mark();
    await imported.close();
    await deps.runs.insertErrors(run.id, errors, trx);
    await deps.runs.update(
      run.id,
      {
        status: 'applied',
        layout: layout.id,
        mode: header.fullFeed ? 'full' : 'delta',
        encrypted: source.encrypted,
        content_sha256: content.sha256,
        ...countColumns(applied),
        result_text: resultText(applied),
        warnings: JSON.stringify(header.warnings),
        result_file: name,
        result_temp: temp.path,
        timings: JSON.stringify(timings),
        updated_at: deps.clock().toISOString(),
      },
      trx,
    );
    return { counts: applied, resultFile: name };
  }));
}

/** Reads every record into the import in batches; unreadable records become error rows. */
export async function stageRows(
  layout: Layout,
  header: HeaderMap,
  events: AsyncIterable<CsvEvent>,
  imported: LayoutImport,
  onBatch: (rows: number) => void = () => {},
): Promise<number> {
  let batch: LayoutRow[] = [];
  let rows = 0;
  for await (const event of events) {
    rows++;
    batch.push(
      event.kind === 'row'
        ? readRow(layout, header, event.row)
        : { line: event.problem.line, values: {}, problems: [{ message: event.problem.message }], unreadable: true },
    );
    if (batch.length >= BATCH_ROWS) {
      await imported.add(batch);
      batch = [];
      onBatch(rows);
    }
  }
  if (batch.length) await imported.add(batch);
  return rows;
}

function checkHold(deps: PipelineDeps, run: Run, layout: Layout, header: HeaderMap, planned: FeedCounts): void {
  if (!header.fullFeed || run.approved || planned.activeBefore < deps.holdMinimumActive) return;
  const share = (planned.missing / planned.activeBefore) * 100;
  if (share <= deps.holdPercent) return;
  throw new RunStopped(
    'held',
    `held: this Full file would deactivate ${planned.missing} of ${planned.activeBefore} active ${layout.title.toLowerCase()} ` +
      `(${share.toFixed(1)}%, more than ${deps.holdPercent}%); nothing was applied; an admin can approve it (workgate runs approve ${run.id})`,
    planned,
  );
}

export function countColumns(counts: FeedCounts) {
  return {
    rows_read: counts.rows,
    created_count: counts.created,
    updated_count: counts.updated,
    unchanged_count: counts.unchanged,
    deactivated_count: counts.deactivated,
    error_count: counts.errors,
  };
}

/** Writes the result lines (encrypted for the account when it has a key) to the temp file and fsyncs it. */
export async function writeResult(
  handle: FileHandle,
  pages: AsyncIterable<string>,
  encrypter: ((input: Readable) => Readable) | undefined,
): Promise<void> {
  try {
    // Pages of lines, not lines: a million short lines as a million stream chunks (and buffers) took
    // seconds of a million-row file's result.
    const source = encrypter ? encrypter(Readable.from(pages, { objectMode: false })) : pages;
    // Gathered into 1 MiB writes: a million short lines must not be a million system calls.
    let pending: Buffer[] = [];
    let size = 0;
    for await (const chunk of source) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
      pending.push(bytes);
      size += bytes.length;
      if (size >= 1024 * 1024) {
        await handle.write(Buffer.concat(pending));
        pending = [];
        size = 0;
      }
    }
    if (size > 0) await handle.write(Buffer.concat(pending));
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function timer(clock: () => Date): () => number {
  let last = clock().getTime();
  return () => {
    const now = clock().getTime();
    const elapsed = now - last;
    last = now;
    return elapsed;
  };
}
