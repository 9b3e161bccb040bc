/** Writing OpenPGP packet framing (RFC 4880 4.2.2): new-format lengths, partial and definite. */

/** The one-octet partial body length of parts of `partBytes` (a power of two from 512 to 2^30: the first part must be at least 512). */
export function partialLengthCode(partBytes: number): number {
  const power = Math.log2(partBytes);
  if (!Number.isInteger(power) || power < 9 || power > 30) throw new Error(`a partial length part must be a power of two from 512 to 2^30 bytes (got ${partBytes})`);
  return 0xe0 + power;
}

/** A new-format definite body length: one, two or five octets. */
export function encodeLength(length: number): Buffer {
  if (length < 192) return Buffer.of(length);
  if (length < 8384) return Buffer.of(((length - 192) >> 8) + 192, (length - 192) & 0xff);
  const five = Buffer.alloc(5);
  five[0] = 0xff;
  five.writeUInt32BE(length, 1);
  return five;
}

/** Where a packet's bytes go as they are made; `out` collects what is ready to write. */
export interface PacketSink {
  write(bytes: Uint8Array, out: Uint8Array[]): void;
}

const literalDataTag = 11;

/** A literal data packet's fields before the data (RFC 4880 5.9): binary format, file name, date. */
export function literalDataFields(filename: string, date: Date): Buffer | undefined {
  const name = Buffer.from(filename, 'utf8');
  if (name.length > 255) return undefined;
  const fields = Buffer.alloc(6 + name.length);
  fields[0] = 0x62; // 'b'
  fields[1] = name.length;
  name.copy(fields, 2);
  fields.writeUInt32BE(Math.floor(date.getTime() / 1000) >>> 0, 2 + name.length);
  return fields;
}

/**
 * Writes one literal data packet of unknown length into `sink`: parts of `partBytes` with partial lengths, and a
 * last part with a definite length. A part's length comes before it, and is partial only if more data follows,
 * so up to one part of the caller's chunks is held back (as views, not copied) until the next byte arrives.
 */
export class LiteralDataWriter {
  readonly #sink: PacketSink;
  readonly #partBytes: number;
  readonly #partCode: number;
  #fields: Buffer | undefined;
  readonly #held: Uint8Array[] = [];
  #heldBytes = 0;

  constructor(sink: PacketSink, fields: Buffer, partBytes: number) {
    if (fields.length >= partBytes) throw new Error('LiteralDataWriter: the fields must fit in the first part');
    this.#sink = sink;
    this.#partBytes = partBytes;
    this.#partCode = partialLengthCode(partBytes);
    this.#fields = fields;
  }

  write(chunk: Uint8Array, out: Uint8Array[]): void {
    if (chunk.length === 0) return;
    this.#held.push(chunk);
    this.#heldBytes += chunk.length;
    for (let data = this.#dataRoom(); this.#heldBytes > data; data = this.#dataRoom()) {
      this.#writeHeader(Buffer.of(this.#partCode), out);
      this.#writeHeld(data, out);
    }
  }

  end(out: Uint8Array[]): void {
    this.#writeHeader(encodeLength((this.#fields?.length ?? 0) + this.#heldBytes), out);
    this.#writeHeld(this.#heldBytes, out);
  }

  /** Data bytes in the next part: the first also holds the fields. */
  #dataRoom(): number {
    return this.#partBytes - (this.#fields?.length ?? 0);
  }

  #writeHeader(length: Buffer, out: Uint8Array[]): void {
    const fields = this.#fields;
    if (fields) {
      this.#sink.write(Buffer.concat([Buffer.of(0xc0 | literalDataTag), length, fields]), out);
      this.#fields = undefined;
    } else {
      this.#sink.write(length, out);
    }
  }

  #writeHeld(bytes: number, out: Uint8Array[]): void {
    for (let left = bytes; left > 0; ) {
      const first = this.#held[0] as Uint8Array;
      if (first.length > left) {
        this.#sink.write(first.subarray(0, left), out);
        this.#held[0] = first.subarray(left);
        this.#heldBytes -= left;
        return;
      }
      this.#sink.write(first, out);
      this.#held.shift();
      this.#heldBytes -= first.length;
      left -= first.length;
    }
  }
}
