import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import type { RowResult } from '../../workforce/index.ts';
import { emptyCounts, inPages, type FeedCounts, type FeedOutcome, type ImportContext, type LayoutImport, type LayoutRow, type Outcome, type OutcomeProblem } from './layout.ts';
import { flagRepeatedKeys, type RowKey } from './row-import.ts';

/**
 * How a layout reaches a domain service that takes a file's rows at once and answers row by row
 * (Workforce's segment values, relationships and work locations). `H` is how the service names a
 * record to deactivate it (a value's name, a location's code, a pair of names).
 */
export interface SetTarget<I extends object, H> {
  /** The row's key, or what keeps the row from having one (a blank key column). */
  keyOf(values: Record<string, unknown>): RowKey | OutcomeProblem;
  /** Checks the service leaves to the file (e.g. a code list); a row with any is not written. */
  check?(values: Record<string, unknown>): OutcomeProblem[];
  /** The service input of the fields the header gives (`given`). */
  toInput(values: Record<string, unknown>, given: ReadonlySet<string>): I;
  /** Writes the rows (Status 1 and 0) in one call; each result's index is into `inputs`. */
  write(inputs: readonly I[], db: Kysely<Database>): Promise<RowResult[]>;
  /** The active records a Full file is the complete set of. */
  active(db: Kysely<Database>): Promise<H[]>;
  /** Equal to the key identity (or text) of a row that names the same record. */
  identityOf(record: H): string;
  deactivate(records: readonly H[], db: Kysely<Database>): Promise<RowResult[]>;
  /** The file's column a service message is about, when it is about one. */
  columnOf?(message: string): string | undefined;
}

interface StagedRow<I> {
  line: number;
  key: RowKey | undefined;
  outcome: Outcome;
  problems: OutcomeProblem[];
  values: Record<string, unknown>;
  /** Set for a row without problems: what the service is given. */
  input?: I;
}

/**
 * A LayoutImport over a set-based service, for files of thousands of rows kept in memory: rows are
 * checked and keyed here (a key on two rows makes both errors), written by ONE service call in the
 * feed's transaction, and a Full file then deactivates the active records no row named (never
 * deletes). Planning only counts what a Full file would deactivate, for the safety hold.
 */
export function startSetImport<I extends object, H>(target: SetTarget<I, H>, context: ImportContext): LayoutImport {
  const { trx, fullFeed } = context;
  const rows: Array<StagedRow<I>> = [];
  const named = new Set<string>();
  let deactivated: string[] = [];
  let planned = emptyCounts();

  const absent = (active: readonly H[]) => active.filter((record) => !named.has(target.identityOf(record)));

  async function plan(): Promise<FeedCounts> {
    rows.sort((a, b) => a.line - b.line);
    flagRepeatedKeys(rows);
    for (const row of rows) prepare(row);
    planned = { ...emptyCounts(), rows: rows.length, errors: rows.filter((row) => !row.input).length };
    if (fullFeed) {
      const active = await target.active(trx);
      planned.activeBefore = active.length;
      planned.missing = absent(active).length;
    }
    return planned;
  }

  function prepare(row: StagedRow<I>): void {
    if (!row.key) return;
    named.add(row.key.identity ?? row.key.text);
    row.problems.push(...(target.check?.(row.values) ?? []));
    if (row.problems.length === 0) row.input = target.toInput(row.values, context.given);
  }

  async function apply(): Promise<FeedCounts> {
    const good = rows.filter((row) => row.input);
    const results = good.length > 0 ? await target.write(good.map((row) => row.input!), trx) : [];
    if (results.length !== good.length) throw new Error(`the service answered ${results.length} of ${good.length} rows`);
    for (const result of results) settle(good[result.index]!, result);
    if (fullFeed) {
      const missing = absent(await target.active(trx));
      const done = missing.length > 0 ? await target.deactivate(missing, trx) : [];
      deactivated = done.filter((result) => result.outcome === 'deactivated').map((result) => result.key);
    }
    return counts();
  }

  function settle(row: StagedRow<I>, result: RowResult): void {
    row.outcome = result.outcome;
    if (result.outcome !== 'error') return;
    const message = result.message ?? 'the row was refused';
    const column = target.columnOf?.(message);
    row.problems.push(column ? { column, message } : { message });
  }

  function counts(): FeedCounts {
    const c = { ...emptyCounts(), rows: rows.length, missing: planned.missing, activeBefore: planned.activeBefore };
    for (const row of rows) {
      if (row.outcome === 'error') c.errors++;
      else if (row.outcome !== 'skipped') c[row.outcome]++;
    }
    c.deactivated += deactivated.length;
    return c;
  }

  async function* outcomes(): AsyncGenerator<FeedOutcome[]> {
    yield* inPages(rows, (row) => ({ line: row.line, key: row.key?.text ?? '', outcome: row.outcome, problems: row.problems }));
    yield* inPages(deactivated, (key) => ({ line: null, key, outcome: 'deactivated', problems: [] }));
  }

  return {
    add: async (batch) => void rows.push(...batch.map((row) => stage(row, target))),
    plan,
    apply,
    outcomes,
    close: async () => {},
  };
}

function stage<I extends object>(row: LayoutRow, target: SetTarget<I, unknown>): StagedRow<I> {
  const staged: StagedRow<I> = { line: row.line, key: undefined, outcome: 'error', problems: [...row.problems], values: row.values };
  if (row.unreadable) return staged;
  const key = target.keyOf(row.values);
  if ('message' in key) staged.problems.push(key);
  else staged.key = key;
  return staged;
}

/**
 * For services that upsert and deactivate in separate calls: Status 1 rows are upserted, Status 0
 * rows deactivated by their handle; the results come back indexed into `inputs`.
 */
export async function writeByStatus<I extends { active?: boolean }, H>(
  inputs: readonly I[],
  handleOf: (input: I) => H,
  upsert: (rows: readonly I[]) => Promise<RowResult[]>,
  deactivate: (handles: readonly H[]) => Promise<RowResult[]>,
): Promise<RowResult[]> {
  const indexes = (active: boolean) => inputs.flatMap((input, index) => ((input.active ?? true) === active ? [index] : []));
  const results: RowResult[] = [];
  const upserts = indexes(true);
  const deactivations = indexes(false);
  if (upserts.length > 0) for (const r of await upsert(upserts.map((i) => inputs[i]!))) results.push({ ...r, index: upserts[r.index]! });
  if (deactivations.length > 0) for (const r of await deactivate(deactivations.map((i) => handleOf(inputs[i]!)))) results.push({ ...r, index: deactivations[r.index]! });
  return results;
}
