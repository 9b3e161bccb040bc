import { isDeepStrictEqual } from 'node:util';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import { ValidationError, type FieldProblem } from '../../shared/errors.ts';
import { emptyCounts, inPages, type ColumnSpec, type FeedCounts, type FeedOutcome, type ImportContext, type Layout, type LayoutImport, type LayoutRow, type Outcome, type OutcomeProblem } from './layout.ts';

/** A row's identity in the file: shown in the result's Key column and checked for repeats. */
export interface RowKey {
  /** As the result file shows it. */
  text: string;
  /** Equal for two rows that name the same record (defaults to `text`). */
  identity?: string;
  /** How a repeat names it: `Name "Ops" appears on lines ...`. */
  label: string;
  /** The column a repeat is reported on, when the key is one column. */
  column?: string;
}

/** What a row names: its record (when it exists) and the Full-feed scope it belongs to (e.g. its chart of accounts). */
export interface Located<R> {
  record?: R;
  scopeId?: number;
}

/**
 * How a per-row layout reaches its domain service. Every call gets the feed's transaction, so a row
 * from a file and a PUT from the API meet the same rules.
 */
export interface RowTarget<R, I extends object> {
  /** The row's key, or what keeps the row from having one (a blank key column). */
  keyOf(values: Record<string, unknown>): RowKey | OutcomeProblem;
  locate(values: Record<string, unknown>, db: Kysely<Database>): Promise<Located<R>>;
  idOf(record: R): number;
  isActive(record: R): boolean;
  /** The service input of the fields the header gives (`given`), completed from the record where a layout needs it. */
  toInput(values: Record<string, unknown>, given: ReadonlySet<string>, record: R | undefined): I;
  /** The record in the input's shape: the row is unchanged when every field of its input equals this. */
  currentOf(record: R): I;
  create(input: I, actor: string, db: Kysely<Database>): Promise<R>;
  update(record: R, input: I, actor: string, db: Kysely<Database>): Promise<R>;
  /** Active records in the scopes (all of them for a layout without scopes), for the safety hold. */
  activeIds(scopeIds: readonly number[], db: Kysely<Database>): Promise<number[]>;
  /** Full feed: deactivates the scopes' active records not kept; returns their keys as the result shows them. */
  deactivateMissing(keepIds: readonly number[], scopeIds: readonly number[], actor: string, db: Kysely<Database>): Promise<string[]>;
  /** The file's column for a service problem whose element the columns' `element`/`field` do not name. */
  columnOf?(problem: FieldProblem): string | undefined;
}

export interface RowLayoutDeclaration {
  id: string;
  title: string;
  folder: Layout['folder'];
  columns: readonly ColumnSpec[];
}

/** A Core layout (comma-separated, Status active/inactive, one layout per folder) applied row by row. */
export function rowLayout<R, I extends object>(declaration: RowLayoutDeclaration, target: RowTarget<R, I>): Layout {
  return {
    ...declaration,
    matches: () => true,
    delimiters: [','],
    status: { active: ['active'], inactive: ['inactive'] },
    start: async (context) => startRowImport(target, declaration.columns, context),
  };
}

interface PlannedRow<R, I> {
  line: number;
  key: RowKey | undefined;
  outcome: Outcome;
  problems: OutcomeProblem[];
  values: Record<string, unknown>;
  record?: R;
  input?: I;
}

const SAVEPOINT = sql`row_import`;

/**
 * A LayoutImport for files of thousands of rows: rows are kept in memory, each is classified by
 * looking its key up inside the transaction, and written by its domain service under a savepoint, so
 * a row the service refuses becomes an error row and the file goes on (on PostgreSQL too, where a
 * failed statement would otherwise abort the transaction). Any other failure fails the whole file.
 */
export function startRowImport<R, I extends object>(target: RowTarget<R, I>, columns: readonly ColumnSpec[], context: ImportContext): LayoutImport {
  const { trx, actor } = context;
  const rows: PlannedRow<R, I>[] = [];
  const keepIds = new Set<number>();
  const scopeIds = new Set<number>();
  let deactivated: string[] = [];
  let missing = 0;
  let activeBefore = 0;
  const columnFor = columnMapper(columns, target);

  async function plan(): Promise<FeedCounts> {
    rows.sort((a, b) => a.line - b.line);
    flagRepeatedKeys(rows);
    for (const row of rows) await planRow(row);
    if (context.fullFeed) {
      const active = await target.activeIds([...scopeIds], trx);
      activeBefore = active.length;
      missing = active.filter((id) => !keepIds.has(id)).length;
    }
    return counts();
  }

  async function planRow(row: PlannedRow<R, I>): Promise<void> {
    if (row.key === undefined) return void (row.outcome = 'error');
    try {
      const located = await target.locate(row.values, trx);
      if (located.scopeId !== undefined) scopeIds.add(located.scopeId);
      row.record = located.record;
      if (located.record) keepIds.add(target.idOf(located.record));
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      row.problems.push(...error.problems.map(columnFor));
    }
    if (row.problems.length > 0) return void (row.outcome = 'error');
    row.input = target.toInput(row.values, context.given, row.record);
    row.outcome = row.record ? changeOf(target, row.record, row.input) : 'created';
  }

  async function apply(): Promise<FeedCounts> {
    for (const row of rows) {
      if (row.outcome === 'created' || row.outcome === 'updated' || row.outcome === 'deactivated') await applyRow(row);
    }
    if (context.fullFeed) deactivated = await target.deactivateMissing([...keepIds], [...scopeIds], actor, trx);
    return counts();
  }

  async function applyRow(row: PlannedRow<R, I>): Promise<void> {
    await sql`savepoint ${SAVEPOINT}`.execute(trx);
    try {
      const written = row.record ? await target.update(row.record, row.input!, actor, trx) : await target.create(row.input!, actor, trx);
      keepIds.add(target.idOf(written));
      await sql`release savepoint ${SAVEPOINT}`.execute(trx);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      await sql`rollback to savepoint ${SAVEPOINT}`.execute(trx);
      await sql`release savepoint ${SAVEPOINT}`.execute(trx);
      row.outcome = 'error';
      row.problems.push(...error.problems.map(columnFor));
    }
  }

  function counts(): FeedCounts {
    const c = { ...emptyCounts(), rows: rows.length, missing, activeBefore };
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
    add: async (batch) => void rows.push(...batch.map((row) => toPlannedRow<R, I>(row, target))),
    plan,
    apply,
    outcomes,
    close: async () => {},
  };
}

function toPlannedRow<R, I extends object>(row: LayoutRow, target: RowTarget<R, I>): PlannedRow<R, I> {
  const planned: PlannedRow<R, I> = { line: row.line, key: undefined, outcome: 'error', problems: [...row.problems], values: row.values };
  if (row.unreadable) return planned;
  const key = target.keyOf(row.values);
  if ('message' in key) planned.problems.push(key);
  else planned.key = key;
  return planned;
}

/** A key that appears on several rows of one file makes every one of those rows an error. */
export function flagRepeatedKeys(rows: ReadonlyArray<PlannedRow<unknown, object>>): void {
  const byIdentity = new Map<string, Array<PlannedRow<unknown, object>>>();
  for (const row of rows) {
    if (!row.key) continue;
    const identity = row.key.identity ?? row.key.text;
    byIdentity.set(identity, [...(byIdentity.get(identity) ?? []), row]);
  }
  for (const same of byIdentity.values()) {
    if (same.length < 2) continue;
    const lines = same.map((r) => r.line);
    const shown = lines.length > 10 ? `${lines.slice(0, 10).join(', ')} and ${lines.length - 10} more` : lines.join(', ');
    for (const row of same) {
      const key = row.key!;
      row.problems.push({ ...(key.column ? { column: key.column } : {}), message: `${key.label} "${key.text}" appears on lines ${shown}: a record may appear only once per file` });
    }
  }
}

function changeOf<R, I extends object>(target: RowTarget<R, I>, record: R, input: I): Outcome {
  const current = target.currentOf(record) as Record<string, unknown>;
  const given = input as Record<string, unknown>;
  const changed = Object.keys(given).some((field) => !isDeepStrictEqual(given[field], current[field]));
  if (!changed) return 'unchanged';
  return target.isActive(record) && given.active === false ? 'deactivated' : 'updated';
}

/** A service problem (API element names, e.g. `segment-2`) as the file's column names it. */
function columnMapper(columns: readonly ColumnSpec[], target: RowTarget<unknown, object>): (problem: FieldProblem) => OutcomeProblem {
  const byElement = new Map<string, string>();
  for (const spec of columns) byElement.set(spec.element ?? spec.field, spec.name);
  if (!byElement.has('active')) byElement.set('active', 'Status');
  return (problem) => {
    const column = byElement.get(problem.field) ?? target.columnOf?.(problem);
    return column ? { column, message: problem.message } : { message: problem.message };
  };
}
