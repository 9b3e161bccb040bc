/**
 * Reading OpenPGP packet framing (RFC 4880 4.2) from a stream of byte chunks, without copying the bodies: the
 * native SEIPDv1 path reads the encrypted packet and the literal data inside with it (classic-decrypt.ts).
 */

/** How much of a packet's body follows its header: all of it, one partial part, or everything until the input ends. */
export type BodyLength = { kind: 'definite' | 'partial'; bytes: number } | { kind: 'indeterminate' };

export interface PacketHeader {
  tag: number;
  length: BodyLength;
  /** Bytes of the header itself. */
  headerBytes: number;
}

const endOfPacket = () => new Error('Unexpected end of packet');

/** A new-format body length at `at` (four kinds of encoding), or undefined when `bytes` ends before it does. */
function newFormatLength(bytes: Uint8Array, at: number): { length: BodyLength; lengthBytes: number } | undefined {
  const first = bytes[at];
  if (first === undefined) return undefined;
  if (first < 192) return { length: { kind: 'definite', bytes: first }, lengthBytes: 1 };
  if (first < 224) {
    const second = bytes[at + 1];
    return second === undefined ? undefined : { length: { kind: 'definite', bytes: ((first - 192) << 8) + second + 192 }, lengthBytes: 2 };
  }
  if (first < 255) return { length: { kind: 'partial', bytes: 1 << (first & 0x1f) }, lengthBytes: 1 };
  if (at + 5 > bytes.length) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset + at + 1, 4);
  return { length: { kind: 'definite', bytes: view.getUint32(0) }, lengthBytes: 5 };
}

/** An old-format body length: 1, 2 or 4 octets, or indeterminate (length type 3). */
function oldFormatLength(bytes: Uint8Array, at: number, lengthType: number): { length: BodyLength; lengthBytes: number } | undefined {
  if (lengthType === 3) return { length: { kind: 'indeterminate' }, lengthBytes: 0 };
  const lengthBytes = 1 << lengthType;
  if (at + lengthBytes > bytes.length) return undefined;
  let value = 0;
  for (let i = 0; i < lengthBytes; i += 1) value = value * 256 + (bytes[at + i] as number);
  return { length: { kind: 'definite', bytes: value }, lengthBytes };
}

/** The packet header at `at`; undefined when `bytes` ends inside it. Throws when the byte there starts no packet. */
export function parsePacketHeader(bytes: Uint8Array, at: number): PacketHeader | undefined {
  const first = bytes[at];
  if (first === undefined) return undefined;
  if ((first & 0x80) === 0) throw new Error(`not an OpenPGP packet header: byte 0x${first.toString(16)} at offset ${at}`);
  const newFormat = (first & 0x40) !== 0;
  const tag = newFormat ? first & 0x3f : (first >> 2) & 0x0f;
  const parsed = newFormat ? newFormatLength(bytes, at + 1) : oldFormatLength(bytes, at + 1, first & 3);
  return parsed && { tag, length: parsed.length, headerBytes: 1 + parsed.lengthBytes };
}

/** Pulls byte chunks from an async iterator and hands them on as views, reading ahead only as far as asked. */
export class ChunkReader {
  readonly #source: AsyncIterator<Uint8Array>;
  #buffered: Uint8Array = new Uint8Array(0);
  #ended = false;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.#source = source[Symbol.asyncIterator]();
  }

  /** Reads until at least `bytes` are buffered or the input ended; returns what is buffered. */
  async peek(bytes: number): Promise<Uint8Array> {
    while (this.#buffered.length < bytes && !this.#ended) {
      const { done, value } = await this.#source.next();
      if (done) this.#ended = true;
      else this.#buffered = this.#buffered.length === 0 ? value : Buffer.concat([this.#buffered, value]);
    }
    return this.#buffered;
  }

  /** Consumes `bytes` that peek returned. */
  skip(bytes: number): void {
    this.#buffered = this.#buffered.subarray(bytes);
  }

  /** The next bytes, at most `max` of them; undefined at the end of the input. */
  async next(max: number): Promise<Uint8Array | undefined> {
    const available = this.#buffered.length > 0 ? this.#buffered : await this.peek(1);
    if (available.length === 0) return undefined;
    const chunk = available.subarray(0, max);
    this.#buffered = available.subarray(chunk.length);
    return chunk;
  }

  /** Everything not consumed yet, in pieces of at most `max` bytes. */
  async *rest(max: number): AsyncGenerator<Uint8Array> {
    for (let chunk = await this.next(max); chunk; chunk = await this.next(max)) yield chunk;
  }

  /** The next packet's header (consumed), or undefined at the end of the input. */
  async header(): Promise<PacketHeader | undefined> {
    for (let want = 2; ; want += 1) {
      const bytes = await this.peek(want);
      if (bytes.length === 0) return undefined;
      const header = parsePacketHeader(bytes, 0);
      if (header) {
        this.skip(header.headerBytes);
        return header;
      }
      if (bytes.length < want) throw endOfPacket();
    }
  }

  /** A packet's body after its header, in pieces of at most `max` bytes; partial parts are joined. */
  async *body(first: BodyLength, max: number): AsyncGenerator<Uint8Array> {
    for (let length = first; ; length = await this.#partLength()) {
      if (length.kind === 'indeterminate') return yield* this.rest(max);
      for (let left = length.bytes; left > 0; ) {
        const chunk = await this.next(Math.min(left, max));
        if (!chunk) throw endOfPacket();
        left -= chunk.length;
        yield chunk;
      }
      if (length.kind === 'definite') return;
    }
  }

  /** The length of the next part of a partial-length body. */
  async #partLength(): Promise<BodyLength> {
    const bytes = await this.peek(5);
    const parsed = newFormatLength(bytes, 0);
    if (!parsed) throw endOfPacket();
    this.skip(parsed.lengthBytes);
    return parsed.length;
  }
}
