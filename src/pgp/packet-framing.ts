/**
 * Writes one OpenPGP packet of unknown length as a stream (RFC 4880 4.2.2): a new-format header, then the body
 * in partial-length parts of `partBytes` (a power of two, at least 512, as the first part must be), and a last
 * part with a definite length. A body shorter than one part becomes a packet with a definite length.
 */
export class PartialLengthPacket {
  readonly #tag: number;
  readonly #partBytes: number;
  readonly #partCode: number;
  #part: Buffer;
  /** Header bytes at the start of #part: the packet tag (first part only) and the partial length. */
  #headerBytes: number;
  #filled = 0;
  #started = false;

  constructor(tag: number, partBytes: number) {
    const power = Math.log2(partBytes);
    if (!Number.isInteger(power) || power < 9 || power > 30) throw new Error(`PartialLengthPacket: the part size must be a power of two from 512 to 2^30 (got ${partBytes})`);
    this.#tag = tag;
    this.#partBytes = partBytes;
    this.#partCode = 0xe0 + power;
    this.#headerBytes = 2;
    this.#part = this.#newPart();
  }

  /** Appends body bytes; returns the parts they completed (each ready to write). */
  push(bytes: Uint8Array): Buffer[] {
    const done: Buffer[] = [];
    let at = 0;
    while (at < bytes.length) {
      const room = this.#partBytes - this.#filled;
      const take = Math.min(room, bytes.length - at);
      this.#part.set(bytes.subarray(at, at + take), this.#headerBytes + this.#filled);
      this.#filled += take;
      at += take;
      if (this.#filled === this.#partBytes) done.push(this.#completePart());
    }
    return done;
  }

  /** The rest of the packet: the last part with its definite length (the whole packet if no part was written). */
  end(): Buffer {
    const length = encodeLength(this.#filled);
    const head = this.#started ? length : Buffer.concat([Buffer.from([0xc0 | this.#tag]), length]);
    return Buffer.concat([head, this.#part.subarray(this.#headerBytes, this.#headerBytes + this.#filled)]);
  }

  #completePart(): Buffer {
    const part = this.#part;
    part[this.#headerBytes - 1] = this.#partCode;
    if (!this.#started) part[0] = 0xc0 | this.#tag;
    this.#started = true;
    this.#headerBytes = 1;
    this.#filled = 0;
    this.#part = this.#newPart();
    return part;
  }

  #newPart(): Buffer {
    return Buffer.allocUnsafe(this.#headerBytes + this.#partBytes);
  }
}

/** A new-format definite body length: one, two or five octets. */
export function encodeLength(length: number): Buffer {
  if (length < 192) return Buffer.from([length]);
  if (length < 8384) return Buffer.from([((length - 192) >> 8) + 192, (length - 192) & 0xff]);
  const five = Buffer.alloc(5);
  five[0] = 0xff;
  five.writeUInt32BE(length, 1);
  return five;
}
