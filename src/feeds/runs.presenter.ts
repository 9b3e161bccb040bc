import type { ApiObject } from '../http/api/render/values.ts';
import type { Run } from './runs.repo.ts';

export interface RunProgress {
  bytes: number;
  size: number;
  rows: number;
}

/** The elements of presentRun's answer, in order (the OpenAPI document lists them). */
export const runElements = [
  'id', 'file-name', 'folder', 'account', 'status', 'layout', 'mode', 'size', 'sha256', 'content-sha256', 'encrypted', 'result-text', 'result-file',
  'rows', 'created', 'updated', 'unchanged', 'deactivated', 'errors', 'progress', 'rows-read', 'held', 'warnings', 'upload-errors', 'timings',
  'attempts', 'last-error', 'reprocess-of', 'approved', 'created-by', 'created-at', 'started-at', 'finished-at', 'updated-at',
] as const;

/** A run as the platform's data_file_sources record, element by element. 'applied' is still 'loading' to a client. */
export function presentRun(
  run: Run,
  extra: { username?: string; progress?: RunProgress; errors?: Array<{ line: number | null; column: string | null; message: string }> } = {},
): ApiObject {
  const finished = !['pending', 'loading', 'applied'].includes(run.status);
  const percent = finished ? 100 : extra.progress && extra.progress.size > 0 ? Math.min(99, Math.floor((extra.progress.bytes / extra.progress.size) * 100)) : 0;
  return {
    id: run.id,
    'file-name': run.fileName,
    folder: `/Incoming/${run.folder}`,
    account: { id: run.accountId, username: extra.username ?? null },
    status: run.status === 'applied' ? 'loading' : run.status,
    layout: run.layout,
    mode: run.mode,
    size: run.size,
    sha256: run.sha256,
    'content-sha256': run.contentSha256,
    encrypted: run.encrypted,
    'result-text': run.resultText,
    'result-file': run.resultFile === null ? null : `/Outgoing/${run.folder}/${run.resultFile}`,
    rows: run.counts.rows,
    created: run.counts.created,
    updated: run.counts.updated,
    unchanged: run.counts.unchanged,
    deactivated: run.counts.deactivated,
    errors: run.counts.errors,
    progress: percent,
    'rows-read': extra.progress?.rows ?? run.counts.rows,
    held: run.held === null ? null : { 'would-deactivate': run.held.missing, active: run.held.active },
    warnings: run.warnings,
    'upload-errors': (extra.errors ?? []).map((e) => ({ line: e.line, column: e.column, message: e.message })),
    timings: Object.fromEntries(Object.entries(run.timings).map(([k, v]) => [k.replaceAll('_', '-'), v])),
    attempts: run.attempts,
    'last-error': run.lastError,
    'reprocess-of': run.reprocessOf,
    approved: run.approved,
    'created-by': run.createdBy,
    'created-at': run.createdAt,
    'started-at': run.startedAt,
    'finished-at': run.finishedAt,
    'updated-at': run.updatedAt,
  };
}
