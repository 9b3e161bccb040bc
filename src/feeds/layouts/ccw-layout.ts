import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import { FeedFileError } from '../feed-error.ts';
import type { ColumnSpec, Layout, OutcomeProblem } from './layout.ts';
import type { RowKey } from './row-import.ts';
import { startSetImport, type SetTarget } from './set-import.ts';

/**
 * What every /Incoming/CCW layout shares (reference/file-formats.md): comma or pipe, detected from
 * the header; Status 1 active / 0 inactive; the file's name says the layout.
 */
const ccwFormat = { folder: 'CCW', delimiters: [',', '|'], status: { active: ['1'], inactive: ['0'] } } satisfies Pick<Layout, 'folder' | 'delimiters' | 'status'>;

export interface CcwDeclaration {
  id: string;
  /** Plural, lower-case in the middle of a sentence ("held: ... of 40 active work locations"). */
  title: string;
  /** As the unknown-name message shows it, e.g. `WorkLocation_...`. */
  fileNames: string;
  /** The name's start, any case; its groups are the name's numbers (slots). */
  pattern: RegExp;
  columns: readonly ColumnSpec[];
}

/** Why a file cannot be taken, read before the run and again in the feed's transaction. */
export type Refusal = (db?: Kysely<Database>) => Promise<string | undefined>;

/** `Prefix` then `_` (or the extension) and anything, any case; `(\d+)` groups are the name's numbers. */
export const namePattern = (prefix: string) => new RegExp(`^${prefix}(?=[_.])`, 'i');

/** The numbers a name carries (`MasterDataRelationship_4_5_x.csv` -> [4, 5]). */
function numbersIn(pattern: RegExp, fileName: string): number[] {
  return (pattern.exec(fileName) ?? []).slice(1).map(Number);
}

function described({ pattern, ...declaration }: CcwDeclaration): Omit<Layout, 'start'> {
  return { ...declaration, ...ccwFormat, matches: (fileName) => pattern.test(fileName) };
}

/** A CCW layout applied through a set-based service (set-import.ts). */
export function ccwLayout<I extends object, H>(declaration: CcwDeclaration, target: SetTarget<I, H>, refuse?: Refusal): Layout {
  return {
    ...described(declaration),
    ...(refuse ? { refusal: () => refuse() } : {}),
    async start(context) {
      const reason = await refuse?.(context.trx);
      if (reason) throw new FeedFileError(reason);
      return startSetImport(target, context);
    },
  };
}

/**
 * A layout whose names carry numbers (segment slots): classify asks `forFile` for the layout of one
 * file, made by `layoutFor` from the name's numbers. Only that layout reads files.
 */
export function ccwLayoutFamily(declaration: CcwDeclaration, layoutFor: (numbers: number[]) => Layout): Layout {
  return {
    ...described(declaration),
    forFile: (fileName) => layoutFor(numbersIn(declaration.pattern, fileName)),
    start: () => Promise.reject(new Error(`${declaration.id}: a file is read by the layout forFile gives for its name`)),
  };
}

/** A CCW layout this Workgate does not take: every file of it is refused with `reason`. */
export function refusedCcwLayout(declaration: Omit<CcwDeclaration, 'columns'>, reason: string): Layout {
  return {
    ...described({ ...declaration, columns: [] }),
    refusal: async () => reason,
    start: () => Promise.reject(new FeedFileError(reason)),
  };
}

/** A cell's text (readRow trims it; a blank cell is null), or null when absent or blank. */
export const cellText = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

/** A key of one column: its text, or the problem of a blank one. */
export function keyIn(values: Record<string, unknown>, field: string, column: string): RowKey | OutcomeProblem {
  const text = cellText(values[field]);
  return text === null ? { column, message: `${column} can't be blank` } : { text, label: column, column };
}
