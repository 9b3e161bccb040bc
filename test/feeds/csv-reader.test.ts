import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { openCsv, type CsvEvent } from '../../src/feeds/csv/csv-reader.ts';

/** The text in small chunks, as a file stream delivers it: the parser sees records cut across chunks. */
const chunked = (text: string, size = 7) => Readable.from(Array.from({ length: Math.ceil(text.length / size) }, (_, i) => Buffer.from(text.slice(i * size, (i + 1) * size))));

const describeEvent = (e: CsvEvent) => (e.kind === 'row' ? `${e.row.line}: ${e.row.values.join('|')}` : `${e.problem.line}! ${e.problem.message}`);

async function read(text: string, options: Parameters<typeof openCsv>[1] = {}): Promise<string[]> {
  const csv = await openCsv(chunked(text), options);
  const out: string[] = [];
  for await (const event of csv.events) out.push(describeEvent(event));
  return out;
}

describe('CSV reader: records it must skip', () => {
  it('a record over the row limit is one error on its line, and every row after it is still read', async () => {
    const events = await read(`A,B\n1,x\n2,${'y'.repeat(300)}\n3,z\n4,w\n`, { maxRecordLength: 100, maxSkippableRecordLength: 1000 });
    assert.deepEqual(events, ['2: 1|x', '3! the record is too long (303 characters; maximum is 100)', '4: 3|z', '5: 4|w']);
  });

  it('a record past what the reader can skip refuses the file at the line it starts on, rather than lose rows unseen', async () => {
    await assert.rejects(read(`A,B\n1,x\n2,"${'y\n'.repeat(600)}\n3,z\n`, { maxRecordLength: 100, maxSkippableRecordLength: 1000 }), {
      name: 'FeedFileError',
      message: 'line 3: a record is longer than 1000 characters (an unclosed quote or binary data?): the file cannot be read past it',
    });
  });

  it('several parser errors in one record are one problem, in line order with the rows', async () => {
    const events = await read('A,B\n1,x\n2 "q",y\n3,z\n"4"w,v\n5,u\n');
    assert.deepEqual(events, [
      '2: 1|x',
      '3! a quote (") inside a value that does not start with a quote; quote the whole value and double the inner quote',
      '4: 3|z',
      '5! characters after a closing quote; a quote inside a quoted value must be doubled (""); a quoted value is never closed (missing "): the rest of the file was read as part of it',
    ]);
  });

  it('an unclosed quote is reported on the line it opens, whether or not the file ends with a line break', async () => {
    for (const end of ['\n', '']) {
      assert.deepEqual(await read(`A,B\n1,x\n2,"open\n3,z${end}`), ['2: 1|x', '3! a quoted value is never closed (missing "): the rest of the file was read as part of it']);
    }
  });
});

describe('CSV reader: regular records split by hand, the rest by csv-parse', () => {
  it('quoted values, doubled quotes, empty values, CRLF and a last line without a break, cut across chunks', async () => {
    for (const size of [1, 3, 7, 1000]) {
      const text = await readChunked('A,B,C\r\n"x,1","say ""hi""",\r\n,"",z\n\n"",b,"c"', size);
      assert.deepEqual(text, ['2: x,1|say "hi"|', '3: ||z', '5: |b|c'], `chunks of ${size}`);
    }
  });

  it('after an irregular record the rest is read by csv-parse with the same lines: a lone CR, a break inside quotes, a stray quote', async () => {
    const events = await read('A,B\n1,x\n2,"two\nlines"\n3,z\r4,w\n5 "q",y\n6,v');
    assert.deepEqual(events, [
      '2: 1|x',
      '3: 2|two\nlines',
      '5: 3|z',
      '6: 4|w',
      '7! a quote (") inside a value that does not start with a quote; quote the whole value and double the inner quote',
      '8: 6|v',
    ]);
  });

  it('a quote left open at the very end is csv-parse\'s error on its line', async () => {
    assert.deepEqual(await read('A,B\n1,x\n2,"y""'), ['2: 1|x', '3! a quoted value is never closed (missing "): the rest of the file was read as part of it']);
  });
});

async function readChunked(text: string, size: number): Promise<string[]> {
  const csv = await openCsv(chunked(text, size));
  const out: string[] = [];
  for await (const event of csv.events) out.push(describeEvent(event));
  return out;
}
