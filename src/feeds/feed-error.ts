import { AppError } from '../shared/errors.ts';

/**
 * A problem that rejects a whole file (no header, a required column missing, not text, ...).
 * `line` and `column` say where, when there is a where.
 */
export class FeedFileError extends AppError {
  readonly line: number | undefined;
  readonly column: string | undefined;
  constructor(message: string, where: { line?: number; column?: string } = {}) {
    super('bad_request', where.line === undefined ? message : `line ${where.line}: ${message}`);
    this.name = 'FeedFileError';
    this.line = where.line;
    this.column = where.column;
  }
}

/** A problem of one row: the row is skipped and reported; the rest of the file goes on. */
export interface RowProblem {
  line: number;
  /** The column as named in the file's header, when the problem concerns one. */
  column?: string;
  message: string;
}
