import { isUtf8 } from 'node:buffer';
import { Transform, type TransformCallback } from 'node:stream';
import { FeedFileError } from '../feed-error.ts';

export type TextEncoding = 'utf-8' | 'windows-1252';

const NEWLINE = 0x0a;

/**
 * Bytes to text, refusing what is not text: invalid UTF-8 and NUL bytes stop the file with the
 * line they are on. A leading byte-order mark is dropped. windows-1252 input is accepted when the
 * account declares it.
 */
export class DecodeText extends Transform {
  readonly #encoding: TextEncoding;
  readonly #decoder: InstanceType<typeof TextDecoder>;
  #carry: Buffer = Buffer.alloc(0);
  #newlines = 0;
  #first = true;

  constructor(encoding: TextEncoding = 'utf-8') {
    super({ readableObjectMode: true, highWaterMark: 16 });
    this.#encoding = encoding;
    this.#decoder = new TextDecoder(encoding, { fatal: false, ignoreBOM: false });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    try {
      const bytes = this.#carry.length ? Buffer.concat([this.#carry, chunk]) : chunk;
      const complete = this.#encoding === 'utf-8' ? completeUtf8Length(bytes) : bytes.length;
      const head = bytes.subarray(0, complete);
      this.#carry = Buffer.from(bytes.subarray(complete));
      this.#check(head);
      this.#newlines += countNewlines(head);
      const text = this.#decoder.decode(head, { stream: true });
      this.#push(text);
      done();
    } catch (error) {
      done(error as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      if (this.#carry.length > 0) {
        throw new FeedFileError('the file ends in the middle of a UTF-8 character: it is not valid UTF-8 text', { line: this.#newlines + 1 });
      }
      this.#push(this.#decoder.decode());
      done();
    } catch (error) {
      done(error as Error);
    }
  }

  #push(text: string): void {
    if (text.length === 0) return;
    if (this.#first) {
      this.#first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (text.length > 0) this.push(text);
  }

  #check(bytes: Buffer): void {
    const nul = bytes.indexOf(0);
    if (nul >= 0) {
      throw new FeedFileError('the file contains a NUL byte: it is binary, not CSV text', { line: this.#lineAt(bytes, nul) });
    }
    if (this.#encoding === 'utf-8' && !isUtf8(bytes)) {
      const bad = firstInvalidUtf8(bytes);
      throw new FeedFileError(
        `invalid UTF-8 (byte 0x${bytes[bad]?.toString(16).padStart(2, '0')}); save the file as UTF-8, or ask for the account to be set to windows-1252`,
        { line: this.#lineAt(bytes, bad) },
      );
    }
  }

  #lineAt(bytes: Buffer, offset: number): number {
    return this.#newlines + countNewlines(bytes.subarray(0, offset)) + 1;
  }
}

function countNewlines(bytes: Buffer): number {
  let count = 0;
  let at = bytes.indexOf(NEWLINE);
  while (at >= 0) {
    count++;
    at = bytes.indexOf(NEWLINE, at + 1);
  }
  return count;
}

/** Length of the prefix that does not end inside a multi-byte sequence (at most 3 bytes are held back). */
function completeUtf8Length(bytes: Buffer): number {
  const end = bytes.length;
  for (let back = 1; back <= Math.min(3, end); back++) {
    const byte = bytes[end - back]!;
    if ((byte & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead
    const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return needed > back ? end - back : end;
  }
  return end;
}

/** Offset of the first byte that breaks UTF-8 (only called once the fast check has failed). */
function firstInvalidUtf8(bytes: Buffer): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const length = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (length === 0) return i;
    for (let k = 1; k < length; k++) {
      if (i + k >= bytes.length || ((bytes[i + k] ?? 0) & 0xc0) !== 0x80) return i;
    }
    if (!isUtf8(bytes.subarray(i, i + length))) return i;
    i += length;
  }
  return 0;
}
