import type { CsvHeader, CsvRow } from '../csv/csv-reader.ts';
import { codePoints } from '../../core/validation.ts';
import { FeedFileError } from '../feed-error.ts';
import type { ColumnSpec, Layout, LayoutRow, OutcomeProblem } from './layout.ts';

const STATUS_FIELD = 'active';
const booleanWords: Record<string, boolean> = { yes: true, no: false, true: true, false: false, y: true, n: false, t: true, f: false, '1': true, '0': false };

export interface HeaderMap {
  /** Column index -> spec (or the status column). */
  columns: Array<ColumnSpec | 'status' | undefined>;
  fullFeed: boolean;
  given: Set<string>;
  /** File-level remarks: unknown columns, reported once in the result. */
  warnings: string[];
}

export const normalizeName = (name: string) => name.trim().replace(/\s+/g, ' ').toLowerCase();

/**
 * Reads a header against a layout: every required column must be there, none twice; Status decides
 * Delta (present) or Full (absent). Unknown columns are a warning, never an error.
 */
export function mapHeader(layout: Layout, header: CsvHeader): HeaderMap {
  const byName = new Map<string, ColumnSpec>();
  for (const spec of layout.columns) for (const name of [spec.name, ...(spec.aliases ?? [])]) byName.set(normalizeName(name), spec);
  const seen = new Map<string, number>();
  const columns: HeaderMap['columns'] = [];
  const warnings: string[] = [];
  header.columns.forEach((raw, index) => {
    const name = normalizeName(raw);
    const earlier = seen.get(name);
    if (earlier !== undefined && name !== '') {
      throw new FeedFileError(`column "${raw}" appears twice (columns ${earlier + 1} and ${index + 1})`, { line: 1, column: raw });
    }
    seen.set(name, index);
    if (name === 'status') return void columns.push('status');
    const spec = byName.get(name);
    if (!spec) warnings.push(`unknown column "${raw}" (column ${index + 1}) was ignored`);
    columns.push(spec);
  });
  const present = new Set(columns.filter((c): c is ColumnSpec => typeof c === 'object').map((c) => c.field));
  const missing = layout.columns.filter((spec) => spec.required && !present.has(spec.field)).map((spec) => spec.name);
  if (missing.length > 0) {
    const lacks = `the header lacks the required column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')}`;
    throw new FeedFileError(`${lacks}${delimiterHint(layout, header)}`, { line: 1 });
  }
  const fullFeed = !columns.includes('status');
  const given = new Set(present);
  given.add(STATUS_FIELD);
  return { columns, fullFeed, given, warnings };
}

/** A header read as one column because the file is separated by something this folder does not accept. */
function delimiterHint(layout: Layout, header: CsvHeader): string {
  const used = header.columns.length === 1 ? /[|;\t]/.exec(header.columns[0]!)?.[0] : undefined;
  if (!used) return '';
  const accepted = layout.delimiters.map((d) => `"${d}"`).join(' or ');
  return ` (the header seems separated by ${used === '\t' ? 'tabs' : `"${used}"`}; files in /Incoming/${layout.folder} are separated by ${accepted})`;
}

/** One CSV record as typed values; a value that does not fit its column is a problem naming the column. */
export function readRow(layout: Layout, map: HeaderMap, row: CsvRow): LayoutRow {
  const values: Record<string, unknown> = {};
  const problems: OutcomeProblem[] = [];
  let status: { value: boolean; raw: string } | undefined;
  let activeColumn: { name: string; raw: string } | undefined;
  // A plain loop and no wrapper object per value: this runs for every cell of a million-row file.
  for (let index = 0; index < map.columns.length; index++) {
    const spec = map.columns[index];
    if (spec === undefined) continue;
    const raw = row.values[index]?.trim() ?? '';
    if (spec === 'status') {
      const value = readStatus(layout, raw);
      if (value === undefined) {
        problems.push({ column: 'Status', message: `Status "${raw}" must be ${layout.status.active[0]} or ${layout.status.inactive[0]}` });
      } else status = { value, raw };
      continue;
    }
    if (spec.field === STATUS_FIELD) activeColumn = { name: spec.name, raw };
    const read = readValue(spec, raw);
    if (read instanceof ReadProblem) problems.push({ column: spec.name, message: read.message });
    else values[spec.field] = read;
  }
  settleActive(values, problems, map.fullFeed, status, activeColumn);
  return { line: row.line, values, problems };
}

/**
 * A row's active flag. Status (Delta) and a layout's Active column must agree when both have a value
 * (a conflict is a row error); either alone decides. A Full file's row without a value is active: the
 * file is the complete set.
 */
function settleActive(
  values: Record<string, unknown>,
  problems: OutcomeProblem[],
  fullFeed: boolean,
  status: { value: boolean; raw: string } | undefined,
  activeColumn: { name: string; raw: string } | undefined,
): void {
  const active = values[STATUS_FIELD];
  if (status !== undefined) {
    if (typeof active === 'boolean' && active !== status.value) {
      problems.push({ column: 'Status', message: `Status "${status.raw}" disagrees with ${activeColumn?.name} "${activeColumn?.raw}"` });
    }
    values[STATUS_FIELD] = status.value;
  } else if (fullFeed && typeof active !== 'boolean') values[STATUS_FIELD] = true;
}

function readStatus(layout: Layout, raw: string): boolean | undefined {
  const value = raw.toLowerCase();
  if (layout.status.active.includes(value)) return true;
  if (layout.status.inactive.includes(value)) return false;
  return undefined;
}

/** Why a cell does not fit its column (returned, not thrown: a bad cell is a row error, not a failure). */
class ReadProblem {
  readonly message: string;
  constructor(message: string) {
    this.message = message;
  }
}

/** A cell's typed value, or the problem with it. */
function readValue(spec: ColumnSpec, raw: string): unknown {
  if (raw === '') return spec.kind === 'list' ? [] : null;
  // At most as many characters as UTF-16 units: only a longer cell needs counting.
  if (spec.max !== undefined && raw.length > spec.max) {
    const characters = codePoints(raw);
    if (characters > spec.max) return new ReadProblem(`${spec.name} is too long (${characters} characters; maximum is ${spec.max})`);
  }
  switch (spec.kind ?? 'text') {
    case 'boolean': {
      const value = booleanWords[raw.toLowerCase()];
      return value === undefined ? new ReadProblem(`${spec.name} "${raw}" is not a boolean (Yes/No, True/False, Y/N, T/F, 1/0)`) : value;
    }
    case 'money': {
      const match = /^(\d{1,20}(?:\.\d{1,8})?)\s*([A-Za-z]{3})$/.exec(raw);
      return match ? { amount: match[1], currency: match[2]!.toUpperCase() } : new ReadProblem(`${spec.name} "${raw}" must look like 1000.00 USD`);
    }
    case 'list':
      return raw.split(',').map((item) => item.trim()).filter(Boolean);
    case 'integer':
      return /^\d{1,9}$/.test(raw) ? Number(raw) : new ReadProblem(`${spec.name} "${raw}" is not a whole number`);
    case 'decimal':
      return /^-?\d{1,37}(\.\d{1,8})?$/.test(raw) ? raw : new ReadProblem(`${spec.name} "${raw}" is not a number`);
    default:
      return raw;
  }
}
