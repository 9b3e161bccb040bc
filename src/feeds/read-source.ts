import crypto from 'node:crypto';
import { PassThrough, Readable, Transform } from 'node:stream';
import type { FeedPgp } from './feed-ports.ts';
import { FeedFileError } from './feed-error.ts';

const encryptedNames = /\.(pgp|gpg|asc)$/i;
const ARMOR = Buffer.from('-----BEGIN PGP MESSAGE-----');
/** First bytes of a binary OpenPGP message: an encrypted session key, compressed or literal data, a signature. */
const binaryPacketStarts = new Set([0x84, 0x85, 0x86, 0x87, 0x8c, 0x8d, 0x8e, 0x8f, 0xc1, 0xc3, 0xc4, 0xc8, 0xcb, 0x88, 0x89, 0x90, 0xc2]);

export interface SourceStream {
  /** Plaintext bytes; for an encrypted file its clean end confirms integrity. */
  plaintext: Readable;
  encrypted: boolean;
  /** Resolves after the plaintext ended cleanly with the SHA-256 of the plaintext. */
  finished: Promise<{ sha256: string; bytes: number }>;
}

/** Peeks at the first bytes to decide whether this is an OpenPGP message, without consuming them. */
async function peek(input: Readable): Promise<{ head: Buffer; rest: Readable }> {
  const iterator = input[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const first = await iterator.next();
  const head = first.done ? Buffer.alloc(0) : Buffer.from(first.value);
  async function* again(): AsyncGenerator<Buffer> {
    if (head.length) yield head;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  }
  return { head, rest: Readable.from(again(), { objectMode: false, highWaterMark: 1 }) };
}

export function looksEncrypted(name: string, head: Buffer): boolean {
  if (encryptedNames.test(name)) return true;
  const text = head.subarray(0, 64).toString('latin1').trimStart();
  if (text.startsWith(ARMOR.toString('latin1'))) return true;
  return head.length > 0 && binaryPacketStarts.has(head[0]!) && plausiblePacketBody(head);
}

/** First body byte each packet type may start with (its version, algorithm or format): a PNG's 0x89 is not a signature. */
const packetBodyStarts: Record<number, readonly number[]> = {
  1: [3, 6],
  2: [3, 4, 5, 6],
  3: [4, 5, 6],
  4: [3, 6],
  8: [0, 1, 2, 3],
  11: [0x62, 0x74, 0x75, 0x6c, 0x31, 0x6d],
};

function plausiblePacketBody(head: Buffer): boolean {
  const first = head[0]!;
  const newFormat = (first & 0x40) !== 0;
  const tag = newFormat ? first & 0x3f : (first >> 2) & 0x0f;
  const lengthOctet = head[1] ?? 0;
  const newLengthBytes = lengthOctet < 192 || (lengthOctet >= 224 && lengthOctet < 255) ? 1 : lengthOctet < 224 ? 2 : 5;
  const headerLength = 1 + (newFormat ? newLengthBytes : ([1, 2, 4, 0][first & 3] ?? 0));
  const body = head[headerLength];
  return body === undefined || (packetBodyStarts[tag]?.includes(body) ?? false);
}

/** The bytes the CSV reader gets: decrypted when the file is an OpenPGP message, hashed as they pass. */
export async function openSource(input: Readable, name: string, pgp: FeedPgp | undefined, fromUsername: string): Promise<SourceStream> {
  const { head, rest } = await peek(input);
  const encrypted = looksEncrypted(name, head);
  let plaintext: Readable = rest;
  let integrity: Promise<unknown> = Promise.resolve();
  if (encrypted) {
    if (!pgp) throw new FeedFileError('the file is PGP-encrypted but PGP is not available on this Workgate');
    const decrypted = pgp.decrypt(rest, fromUsername);
    plaintext = decrypted.plaintext;
    integrity = decrypted.outcome;
    integrity.catch(() => {});
  }
  const hash = crypto.createHash('sha256');
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  const out = plaintext.pipe(tap).pipe(new PassThrough({ highWaterMark: 1024 * 1024 }));
  plaintext.once('error', (error) => out.destroy(error));
  const ended = new Promise<void>((resolve, reject) => {
    tap.once('end', resolve);
    out.once('error', reject);
  });
  const finished = Promise.all([ended, integrity]).then(() => ({ sha256: hash.digest('hex'), bytes }));
  finished.catch(() => {});
  return { plaintext: out, encrypted, finished };
}
