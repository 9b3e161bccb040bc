import { sql, type Kysely } from 'kysely';
import type { Database } from '../../../db/index.ts';
import type { FieldProblem } from '../../../shared/errors.ts';
import type { UserImportOutcome, UserOutcome } from './user-import.ts';

/** Rows per page of outcomes. */
const PAGE_ROWS = 10_000;

interface KeyPage {
  lines: Int32Array;
  /** The page's keys end to end; key i ends at ends[i]. */
  text: string;
  ends: Uint32Array;
}

/**
 * Each staged row's line and key (Employee Number, else Login), in staging order, kept for the result:
 * the outcomes then read from the stage only the rows whose outcome is not the file's most common
 * one, instead of every row's line, key and outcome (a million rows through the driver were most of a
 * million-row file's result). A page's keys are one flat string: keys read from the file may be slices
 * of the text they were parsed from, which would otherwise stay in memory with them.
 */
export class StagedKeys {
  readonly #pages: KeyPage[] = [];
  #lines: number[] = [];
  #text = '';
  #ends: number[] = [];

  add(line: number, key: string): void {
    this.#lines.push(line);
    this.#text += key;
    this.#ends.push(this.#text.length);
    if (this.#lines.length === PAGE_ROWS) this.#seal();
  }

  pages(): readonly KeyPage[] {
    this.#seal();
    return this.#pages;
  }

  #seal(): void {
    if (this.#lines.length === 0) return;
    // Copying the concatenation into a new string leaves no reference to the keys it was made of.
    const text = this.#text.length > 0 ? Buffer.from(this.#text, 'utf16le').toString('utf16le') : '';
    this.#pages.push({ lines: Int32Array.from(this.#lines), text, ends: Uint32Array.from(this.#ends) });
    this.#lines = [];
    this.#text = '';
    this.#ends = [];
  }
}

/** A row's outcome as the stage records it: has_error first, then the outcome column (null: unchanged). */
export interface OutcomeCount {
  has_error: unknown;
  outcome: string | null;
  n: number | string;
}

const isTrue = (value: unknown): boolean => value === true || value === 1;

export const outcomeOf = (hasError: unknown, outcome: string | null): UserOutcome =>
  isTrue(hasError) ? 'error' : ((outcome ?? 'unchanged') as UserOutcome);

/**
 * Every staged row's outcome in line order, a page at a time, then the users a Full file deactivated.
 * `counts` (the stage grouped by has_error and outcome) names the most common outcome; the stage is
 * asked only for the others. The next page is read while this one is handed on.
 */
export async function* readOutcomes(trx: Kysely<Database>, keys: StagedKeys, counts: readonly OutcomeCount[]): AsyncGenerator<UserImportOutcome[]> {
  const common = mostCommon(counts);
  const pages = keys.pages();
  const exceptions = (page: KeyPage | undefined) => (page ? exceptionsIn(trx, page, common) : undefined);
  let next = exceptions(pages[0]);
  try {
    for (let p = 0; p < pages.length; p++) {
      const page = pages[p]!;
      const found = await next!;
      next = exceptions(pages[p + 1]);
      const outcomes = new Array<UserImportOutcome>(page.lines.length);
      for (let i = 0; i < page.lines.length; i++) {
        const line = page.lines[i]!;
        const key = page.text.slice(i === 0 ? 0 : page.ends[i - 1], page.ends[i]);
        outcomes[i] = { line, key, outcome: found.outcomes.get(line) ?? common, problems: found.problems.get(line) ?? [] };
      }
      yield outcomes;
    }
  } finally {
    // A reader that stops early leaves the page read ahead; its failure is the reader's to report.
    next?.catch(() => {});
  }
  yield* deactivatedUsers(trx);
}

function mostCommon(counts: readonly OutcomeCount[]): UserOutcome {
  let best: OutcomeCount | undefined;
  for (const c of counts) if (!best || Number(c.n) > Number(best.n)) best = c;
  return best ? outcomeOf(best.has_error, best.outcome) : 'unchanged';
}

/** The page's rows whose outcome is not `common`, and the problems of its rows. */
async function exceptionsIn(trx: Kysely<Database>, page: KeyPage, common: UserOutcome) {
  const first = page.lines[0]!;
  const last = page.lines[page.lines.length - 1]!;
  const other =
    common === 'error'
      ? sql`has_error = ${false}`
      : sql`(has_error = ${true} or coalesce(outcome, 'unchanged') <> ${common})`;
  const { rows } = await sql<{ line: number; outcome: string | null; has_error: unknown }>`
    select line, outcome, has_error from stage_users where line >= ${first} and line <= ${last} and ${other}`.execute(trx);
  const outcomes = new Map<number, UserOutcome>();
  for (const row of rows) outcomes.set(row.line, outcomeOf(row.has_error, row.outcome));
  return { outcomes, problems: await problemsBetween(trx, first, last) };
}

async function problemsBetween(trx: Kysely<Database>, first: number, last: number): Promise<Map<number, FieldProblem[]>> {
  const { rows } = await sql<{ line: number; field: string; message: string }>`
    select line, field, message from stage_problems where line >= ${first} and line <= ${last} order by line`.execute(trx);
  const map = new Map<number, FieldProblem[]>();
  for (const r of rows) map.set(r.line, [...(map.get(r.line) ?? []), { field: r.field, message: r.message }]);
  return map;
}

async function* deactivatedUsers(trx: Kysely<Database>): AsyncGenerator<UserImportOutcome[]> {
  let after = 0;
  for (;;) {
    const { rows } = await sql<{ id: number; login: string; employee_number: string | null }>`
      select u.id, u.login, u.employee_number from stage_deactivated d join core_users u on u.id = d.user_id
      where u.id > ${after} order by u.id limit ${PAGE_ROWS}`.execute(trx);
    if (rows.length === 0) return;
    yield rows.map((r) => ({ line: null, key: r.employee_number ?? r.login, outcome: 'deactivated', problems: [] }));
    after = rows[rows.length - 1]!.id;
  }
}
