import { Readable } from 'node:stream';
import { parse, type CsvError, type Info } from 'csv-parse';
import { FeedFileError, type RowProblem } from '../feed-error.ts';
import { DecodeText, type TextEncoding } from './decode-text.ts';
import { plainRecords, type SplitRecord } from './plain-records.ts';

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
  /** Longest record the reader can skip and go on after; a longer one refuses the file (default 16 MiB). */
  maxSkippableRecordLength?: number;
}

const MAX_RECORD_LENGTH = 1024 * 1024;
/**
 * Past this a record (an unclosed quote, binary data) stops the file: the parser cannot skip such a
 * record and go on (it drops what follows it in its buffer), so reading further would lose rows unseen.
 */
const MAX_SKIPPABLE_RECORD = 16 * 1024 * 1024;

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
  const maxRecordLength = options.maxRecordLength ?? MAX_RECORD_LENGTH;
  const maxSkippable = options.maxSkippableRecordLength ?? MAX_SKIPPABLE_RECORD;
  // The parser runs ahead of our reading, so a skipped record's line comes with its error.
  const problems: RowProblem[] = [];
  const csvParse = (rest: AsyncGenerator<string>, line: number) => parsedRecords(rest, line, { delimiter, maxSkippable, maxRecordLength, problems });
  const records = plainRecords(iterator, prefix, delimiter, maxRecordLength, csvParse);
  const first = await firstRecord(records);
  if (!first) throw new FeedFileError('the file is empty: a header line is required', { line: 1 });
  const header = toHeader(first.record, delimiter);
  return { header, events: rows(records, first.rest, header, problems, maxRecordLength) };
}

async function firstRecord(records: AsyncGenerator<SplitRecord[]>): Promise<{ record: string[]; rest: SplitRecord[] } | undefined> {
  for (;;) {
    const next = await records.next();
    if (next.done) return undefined;
    if (next.value.length > 0) return { record: next.value[0]!.record, rest: next.value.slice(1) };
  }
}

interface ParseSettings {
  delimiter: Delimiter;
  maxSkippable: number;
  maxRecordLength: number;
  problems: RowProblem[];
}

/** csv-parse over the text from the record starting on `line` on: what plainRecords does not split itself. */
async function* parsedRecords(rest: AsyncGenerator<string>, line: number, settings: ParseSettings): AsyncGenerator<SplitRecord[]> {
  const { delimiter, maxSkippable, maxRecordLength, problems } = settings;
  const linesBefore = line - 1;
  const parser = parse({
    delimiter,
    quote: '"',
    escape: '"',
    record_delimiter: ['\r\n', '\n', '\r'],
    relax_column_count: true,
    relax_quotes: false,
    skip_empty_lines: false,
    skip_records_with_error: true,
    max_record_size: Math.max(maxRecordLength, maxSkippable),
    info: true,
    raw: true,
  });
  parser.on('skip', (error: CsvError) => {
    const line = linesBefore + skippedRecordLine(error);
    if (error.code === 'CSV_MAX_RECORD_SIZE') {
      parser.destroy(new FeedFileError(`a record is longer than ${describeSize(maxSkippable)} (an unclosed quote or binary data?): the file cannot be read past it`, { line }));
      return;
    }
    addProblem(problems, { line, message: describeCsvError(error) });
  });
  const source = Readable.from(rest);
  source.once('error', (error) => parser.destroy(error));
  source.pipe(parser);
  for await (const parsed of parser as AsyncIterable<ParsedRecord>) {
    yield [{ record: parsed.record, line: linesBefore + startLine(parsed), length: parsed.raw.length }];
  }
}

const describeSize = (characters: number) => (characters % (1024 * 1024) === 0 ? `${characters / 1024 / 1024} MiB` : `${characters} characters`);

/** One problem per record: the parser may report several for one record (a stray quote, then its closing one). */
function addProblem(problems: RowProblem[], problem: RowProblem): void {
  const last = problems[problems.length - 1];
  if (last?.line !== problem.line) return void problems.push(problem);
  if (!last.message.includes(problem.message)) last.message = `${last.message}; ${problem.message}`;
}

interface ParsedRecord {
  record: string[];
  info: Info;
  raw: string;
}

/** The line a record starts on: the parser's line (where it ends), less the line breaks inside it. */
function startLine(parsed: ParsedRecord): number {
  return parsed.info.lines - innerLineBreaks(parsed.raw);
}

/** The line a skipped record starts on: the parser's line at the error, less the breaks read so far in the record. */
function skippedRecordLine(error: CsvError): number {
  const lines = typeof error.lines === 'number' ? error.lines : 0;
  return lines - innerLineBreaks(typeof error.raw === 'string' ? error.raw : '');
}

function innerLineBreaks(raw: string): number {
  const end = raw.endsWith('\r\n') ? raw.length - 2 : raw.endsWith('\n') || raw.endsWith('\r') ? raw.length - 1 : raw.length;
  // Nearly every record has no break but its own terminator: answered without a regex or a copy per record.
  const lf = raw.indexOf('\n');
  const cr = raw.indexOf('\r');
  if ((lf === -1 || lf >= end) && (cr === -1 || cr >= end)) return 0;
  return raw.slice(0, end).match(/\r\n|\n|\r/g)?.length ?? 0;
}

async function* rows(
  records: AsyncGenerator<SplitRecord[]>,
  first: SplitRecord[],
  header: CsvHeader,
  problems: RowProblem[],
  maxRecordLength: number,
): AsyncGenerator<CsvEvent> {
  let batch = first;
  for (;;) {
    for (const { record, line, length } of batch) {
      // Problems of later records wait: the parser may still add to them (a stray quote, then an unclosed one).
      while (problems.length > 0 && problems[0]!.line < line) yield { kind: 'problem', problem: problems.shift()! };
      if (record.every((value) => value.trim() === '')) continue;
      if (length > maxRecordLength) {
        yield { kind: 'problem', problem: { line, message: `the record is too long (${length} characters; maximum is ${maxRecordLength})` } };
        continue;
      }
      if (record.length !== header.columns.length) {
        yield { kind: 'problem', problem: { line, message: columnCountMessage(record, header) } };
        continue;
      }
      yield { kind: 'row', row: { line, values: record } };
    }
    const next = await records.next();
    if (next.done) break;
    batch = next.value;
  }
  for (const problem of problems.splice(0)) yield { kind: 'problem', problem };
}

function columnCountMessage(record: string[], header: CsvHeader): string {
  const count = `${record.length} value${record.length === 1 ? '' : 's'} where the header has ${header.columns.length} columns`;
  const other = header.delimiter === ',' ? '|' : ',';
  const otherDelimited = record.length === 1 && record[0]!.split(other).length === header.columns.length;
  return otherDelimited ? `${count} (the line is separated by "${other}", the header by "${header.delimiter}")` : count;
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
      return 'a quoted value is never closed (missing "): the rest of the file was read as part of it';
    case 'INVALID_OPENING_QUOTE':
      return 'a quote (") inside a value that does not start with a quote; quote the whole value and double the inner quote';
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'characters after a closing quote; a quote inside a quoted value must be doubled ("")';
    default:
      return `unreadable CSV record (${error.code}): ${error.message}`;
  }
}
