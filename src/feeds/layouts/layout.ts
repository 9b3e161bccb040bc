import type { Kysely } from 'kysely';
import type { Database, Db } from '../../db/index.ts';
import type { FeedFolder } from '../../transfer/folders.ts';
import type { Delimiter } from '../csv/csv-reader.ts';

export type ValueKind = 'text' | 'boolean' | 'money' | 'list' | 'integer' | 'decimal';

/** One documented column of a layout (reference/file-formats.md). */
export interface ColumnSpec {
  /** The header name as documented, matched case-insensitively with surrounding spaces ignored. */
  name: string;
  /** The property of the row the layout hands to its domain service. */
  field: string;
  /** The column must be in the header; a file without it is rejected whole. */
  required?: boolean;
  kind?: ValueKind;
  /** Longest value in characters, checked here for layouts whose service does not. */
  max?: number;
  /** Other header spellings accepted for this column. */
  aliases?: string[];
  /** The domain's name for this field in its problems (API element), when it differs from `field`. */
  element?: string;
}

export type Outcome = 'created' | 'updated' | 'unchanged' | 'deactivated' | 'error' | 'skipped';

export interface OutcomeProblem {
  /** The column as the layout documents it. */
  column?: string;
  message: string;
}

export interface FeedOutcome {
  /** null for a record a Full file deactivated: it is not on any line. */
  line: number | null;
  key: string;
  outcome: Outcome;
  problems: OutcomeProblem[];
}

export interface FeedCounts {
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  deactivated: number;
  errors: number;
  /** Full feeds: active records the file does not name, and all active records before it. */
  missing: number;
  activeBefore: number;
}

/** A row as the layout read it: typed values by field (absent columns absent), and what was wrong. */
export interface LayoutRow {
  line: number;
  values: Record<string, unknown>;
  problems: OutcomeProblem[];
  /** The record could not be read at all (CSV syntax): only its problems count. */
  unreadable?: boolean;
}

export interface ImportContext {
  /** The connection the import runs on (its own on SQLite): bulk inserts must use this one. */
  db: Db;
  trx: Kysely<Database>;
  actor: string;
  fullFeed: boolean;
  /** Fields whose columns the header has. */
  given: ReadonlySet<string>;
}

/** One file's import inside the feed's transaction: staged rows, a plan, the writes, the outcomes. */
export interface LayoutImport {
  add(rows: readonly LayoutRow[]): Promise<void>;
  plan(): Promise<FeedCounts>;
  apply(): Promise<FeedCounts>;
  /**
   * Every row in line order, then Full deactivations, in pages (a million rows one at a time through
   * the result's generators cost more than writing them); read before the transaction ends.
   */
  outcomes(): AsyncIterable<readonly FeedOutcome[]>;
  close(): Promise<void>;
}

export interface Layout {
  id: string;
  title: string;
  folder: FeedFolder;
  /** Does a file of this name in this folder have this layout? */
  matches(fileName: string): boolean;
  /** How names of this layout's files start (e.g. `MasterData_<slot>_...`), told when a name matches no layout. */
  fileNames?: string;
  /** The layout of one file, for a layout whose names carry parameters (a Master Data file's slot); classify asks it. */
  forFile?(fileName: string): Layout;
  delimiters: readonly Delimiter[];
  /** Status column values: Core files say active/inactive, Workforce files 1/0. */
  status: { active: readonly string[]; inactive: readonly string[] };
  columns: readonly ColumnSpec[];
  /** Why a file of this layout cannot be taken here at all (e.g. a stand-alone layout while Core is present). */
  refusal?: () => Promise<string | undefined>;
  start(context: ImportContext): Promise<LayoutImport>;
}

export const emptyCounts = (): FeedCounts => ({ rows: 0, created: 0, updated: 0, unchanged: 0, deactivated: 0, errors: 0, missing: 0, activeBefore: 0 });

/** Outcomes per page of the result (pages bound the memory a page of text takes). */
export const OUTCOME_PAGE = 10_000;

/** Items mapped into pages of OUTCOME_PAGE. */
export function* inPages<T>(items: readonly T[], outcomeOf: (item: T) => FeedOutcome): Generator<FeedOutcome[]> {
  for (let i = 0; i < items.length; i += OUTCOME_PAGE) yield items.slice(i, i + OUTCOME_PAGE).map(outcomeOf);
}
