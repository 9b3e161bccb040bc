import type { FeedCounts, FeedOutcome, OutcomeProblem } from './layouts/layout.ts';

export const RESULT_HEADER = 'Line,Key,Outcome,Message';
export const MAX_STORED_ERRORS = 1000;

/**
 * A cell a spreadsheet would take for a formula (= + - @, or a leading tab/CR) gets a leading
 * apostrophe, so a result file opened in Excel shows the text instead of running it.
 */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function describeProblems(problems: readonly OutcomeProblem[]): string {
  return problems.map((p) => (p.column ? `${p.column}: ${p.message}` : p.message)).join('; ');
}

export function resultLine(line: number | null, key: string, outcome: string, message: string): string {
  return `${line ?? ''},${csvCell(key)},${outcome},${csvCell(message)}\n`;
}

/** "27 rows processed, creating 0 new rows, updating 11 rows, deactivating 2 rows, 1 errors" as the platform words it. */
export function resultText(counts: FeedCounts): string {
  return (
    `${counts.rows} rows processed, creating ${counts.created} new rows, updating ${counts.updated} rows, ` +
    `deactivating ${counts.deactivated} rows, ${counts.errors} errors`
  );
}

export interface StoredError {
  line: number | null;
  column: string | null;
  message: string;
}

/**
 * The result file's text, a page of lines at a time: file-level warnings first (on line 1, the header),
 * then every row and every Full deactivation. Also collects the first errors for the run record.
 */
export async function* resultLines(
  warnings: readonly string[],
  outcomes: AsyncIterable<readonly FeedOutcome[]>,
  collected: StoredError[],
): AsyncGenerator<string> {
  yield `${RESULT_HEADER}\n${warnings.map((warning) => resultLine(1, '', 'skipped', warning)).join('')}`;
  for await (const page of outcomes) {
    let text = '';
    for (const o of page) {
      if (o.outcome === 'error') collectErrors(o, collected);
      text += resultLine(o.line, o.key, o.outcome, describeProblems(o.problems));
    }
    yield text;
  }
}

function collectErrors(o: FeedOutcome, collected: StoredError[]): void {
  for (const p of o.problems.length ? o.problems : [{ message: 'error' }]) {
    if (collected.length >= MAX_STORED_ERRORS) return;
    collected.push({ line: o.line, column: p.column ?? null, message: p.message });
  }
}
