import { Readable } from 'node:stream';
import { CsvError, parse, type Info } from 'csv-parse';
import { FeedFileError, type RowProblem } from '../feed-error.ts';
import { DecodeText, type TextEncoding } from './decode-text.ts';

export type Delimiter = ',' | '|';

export interface CsvHeader {
  delimiter: Delimiter;
  /** Column names as the file spells them, trimmed. */
  columns: string[];
}

export interface CsvRow {
  /** Line where the record starts (a quoted value may span lines). */
  line: number;
  /** One value per header column, missing trailing ones as undefined. */
  values: Array<string | undefined>;
}

export type CsvEvent = { kind: 'row'; row: CsvRow } | { kind: 'problem'; problem: RowProblem };

export interface CsvOptions {
  encoding?: TextEncoding;
  /** Delimiters this folder accepts; the header decides between them. */
  delimiters?: readonly Delimiter[];
  /** Longest record, in characters; a longer one is a row error, not a crash. */
  maxRecordLength?: number;
}

export interface CsvFile {
  header: CsvHeader;
  events: AsyncGenerator<CsvEvent>;
}

const MAX_HEADER_LENGTH = 64 * 1024;

/**
 * Streams a CSV file (RFC 4180: quotes, doubled quotes, newlines inside quotes; CRLF or LF) as rows
 * with their line numbers. Syntax errors in one record are row problems and the reader goes on.
 * Throws FeedFileError for what makes the whole file unreadable (not text, no header).
 */
export async function openCsv(bytes: Readable, options: CsvOptions = {}): Promise<CsvFile> {
  const text = bytes.pipe(new DecodeText(options.encoding ?? 'utf-8'));
  bytes.once('error', (error) => text.destroy(error));
  const iterator = text[Symbol.asyncIterator]() as AsyncIterator<string>;
  const prefix = await readHeaderPrefix(iterator);
  const firstLine = prefix.slice(0, lineEnd(prefix));
  const delimiter = detectDelimiter(firstLine, options.delimiters ?? [',']);
  const parser = parse({
    delimiter,
    quote: '"',
    escape: '"',
    record_delimiter: ['\r\n', '\n', '\r'],
    relax_column_count: true,
    relax_quotes: false,
    skip_empty_lines: false,
    skip_records_with_error: true,
    max_record_size: options.maxRecordLength ?? 1024 * 1024,
    info: true,
    raw: true,
  });
  // The parser runs ahead of our reading, so a skipped record's line comes with its error.
  const problems: RowProblem[] = [];
  parser.on('skip', (error: CsvError) => {
    problems.push({ line: typeof error.lines === 'number' ? error.lines : 0, message: describeCsvError(error) });
  });
  Readable.from(remaining(prefix, iterator)).pipe(parser);
  text.once('error', (error) => parser.destroy(error));

  const records = parser[Symbol.asyncIterator]() as AsyncIterator<ParsedRecord>;
  const first = await records.next();
  if (first.done) throw new FeedFileError('the file is empty: a header line is required', { line: 1 });
  const header = toHeader(first.value.record, delimiter);
  return { header, events: rows(records, header, problems) };
}

interface ParsedRecord {
  record: string[];
  info: Info;
  raw: string;
}

/** The line a record starts on: the parser's line (where it ends), less the line breaks inside it. */
function startLine(parsed: ParsedRecord): number {
  const body = parsed.raw.replace(/(\r\n|\n|\r)$/, '');
  const breaks = body.match(/\r\n|\n|\r/g)?.length ?? 0;
  return parsed.info.lines - breaks;
}

async function* rows(records: AsyncIterator<ParsedRecord>, header: CsvHeader, problems: RowProblem[]): AsyncGenerator<CsvEvent> {
  for (;;) {
    const next = await records.next();
    while (problems.length > 0) yield { kind: 'problem', problem: problems.shift()! };
    if (next.done) return;
    const { record } = next.value;
    const line = startLine(next.value);
    if (record.every((value) => value.trim() === '')) continue;
    if (record.length !== header.columns.length) {
      yield {
        kind: 'problem',
        problem: { line, message: `${record.length} values where the header has ${header.columns.length} columns` },
      };
      continue;
    }
    yield { kind: 'row', row: { line, values: record } };
  }
}

async function readHeaderPrefix(iterator: AsyncIterator<string>): Promise<string> {
  let prefix = '';
  while (lineEnd(prefix) === prefix.length) {
    const next = await iterator.next();
    if (next.done) break;
    prefix += next.value;
    if (prefix.length > MAX_HEADER_LENGTH && lineEnd(prefix) === prefix.length) {
      throw new FeedFileError(`the header line is longer than ${MAX_HEADER_LENGTH} characters`, { line: 1 });
    }
  }
  if (prefix.trim() === '') throw new FeedFileError('the file is empty: a header line is required', { line: 1 });
  return prefix;
}

async function* remaining(prefix: string, iterator: AsyncIterator<string>): AsyncGenerator<string> {
  yield prefix;
  for (;;) {
    const next = await iterator.next();
    if (next.done) return;
    yield next.value;
  }
}

function lineEnd(text: string): number {
  const cr = text.indexOf('\r');
  const lf = text.indexOf('\n');
  const ends = [cr, lf].filter((i) => i >= 0);
  return ends.length ? Math.min(...ends) : text.length;
}

/** The header decides: the accepted delimiter that occurs in it (comma wins a tie, as the platform's default). */
export function detectDelimiter(headerLine: string, accepted: readonly Delimiter[]): Delimiter {
  const counts = accepted.map((d) => ({ d, n: headerLine.split(d).length - 1 }));
  const best = counts.filter((c) => c.n > 0).sort((a, b) => b.n - a.n || (a.d === ',' ? -1 : 1))[0];
  return best?.d ?? accepted[0] ?? ',';
}

function toHeader(record: string[], delimiter: Delimiter): CsvHeader {
  const columns = record.map((name) => name.trim());
  if (columns.every((c) => c === '')) throw new FeedFileError('the header line is empty', { line: 1 });
  return { delimiter, columns };
}

function describeCsvError(error: CsvError): string {
  switch (error.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted value is never closed (missing ")';
    case 'INVALID_OPENING_QUOTE':
      return 'a quote (") inside a value that does not start with a quote; quote the whole value and double the inner quote';
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'characters after a closing quote; a quote inside a quoted value must be doubled ("")';
    case 'CSV_MAX_RECORD_SIZE':
      return 'the record is too long (over 1 MiB): probably an unclosed quote or binary data';
    default:
      return `unreadable CSV record (${error.code}): ${error.message}`;
  }
}
