import crypto from 'node:crypto';
import { isAesAlgorithm, opensslAesCipher } from './cfb.ts';
import { encodeLength, partialLengthCode } from './packet-framing.ts';

const seipdTag = 18;
const mdcHeader = Buffer.from([0xd3, 0x14]);
/** Parts of the encrypted packet: one OpenSSL call and one output buffer each. */
export const defaultSeipdPartBytes = 64 * 1024;

/** CFB encryption is sequential by nature: OpenSSL's AES-CFB as it is. */
export function canEncryptSeipdV1(algorithm: string): boolean {
  return isAesAlgorithm(algorithm);
}

/**
 * CFB(prefix || packets || 0xD3 0x14 || SHA-1 of all that), zero IV, framed as a SEIPDv1 packet (RFC 4880 5.13)
 * with partial lengths. The plaintext is gathered in one buffer kept for the whole message, exactly one part
 * long, so each part is one SHA-1 update and one AES-CFB call, and the buffer OpenSSL returns is written out as
 * it is (after a one-byte length): one new buffer per part, none for the plaintext.
 */
export class SeipdV1Writer {
  readonly #cfb: crypto.Cipheriv;
  readonly #sha1 = crypto.createHash('sha1');
  readonly #plain: Buffer;
  readonly #partCode: number;
  /** The first part carries the packet's version byte (not encrypted), so it holds one plaintext byte less. */
  #room: number;
  #filled = 0;
  #started = false;

  constructor(algorithm: string, key: Uint8Array, partBytes: number = defaultSeipdPartBytes) {
    this.#partCode = partialLengthCode(partBytes);
    this.#cfb = crypto.createCipheriv(opensslAesCipher(algorithm, 'cfb'), key, Buffer.alloc(16));
    this.#plain = Buffer.allocUnsafe(partBytes);
    this.#room = partBytes - 1;
    // The prefix: one random block and its last two bytes repeated.
    crypto.randomFillSync(this.#plain, 0, 16);
    this.#plain.copy(this.#plain, 16, 14, 16);
    this.#filled = 18;
  }

  /** Appends plaintext packet bytes; the parts they complete go to `out`. */
  write(bytes: Uint8Array, out: Uint8Array[]): void {
    for (let at = 0; at < bytes.length; ) {
      const take = Math.min(this.#room - this.#filled, bytes.length - at);
      this.#plain.set(take === bytes.length ? bytes : bytes.subarray(at, at + take), this.#filled);
      this.#filled += take;
      at += take;
      if (this.#filled === this.#room) this.#writePart(out);
    }
  }

  /** The modification detection code, then the last part with a definite length, go to `out`. */
  end(out: Uint8Array[]): void {
    this.write(mdcHeader, out);
    const rest = this.#plain.subarray(0, this.#filled);
    this.#sha1.update(rest);
    const encrypted = [this.#cfb.update(rest), this.#cfb.update(this.#sha1.digest()), this.#cfb.final()];
    const length = encrypted.reduce((sum, part) => sum + part.length, 0);
    out.push(this.#started ? encodeLength(length) : Buffer.concat([Buffer.of(0xc0 | seipdTag), encodeLength(1 + length), Buffer.of(1)]));
    for (const part of encrypted) if (part.length > 0) out.push(part);
  }

  #writePart(out: Uint8Array[]): void {
    const plain = this.#plain.subarray(0, this.#filled);
    this.#sha1.update(plain);
    const encrypted = this.#cfb.update(plain);
    out.push(this.#started ? Buffer.of(this.#partCode) : Buffer.of(0xc0 | seipdTag, this.#partCode, 1));
    out.push(encrypted);
    this.#started = true;
    this.#room = this.#plain.length;
    this.#filled = 0;
  }
}

/**
 * Encrypts a stream of OpenPGP packets (the literal data, and signatures) into a SEIPDv1 packet with an AES
 * session key, with native primitives (OpenSSL's AES-CFB and SHA-1) and one stream stage: what openpgp writes
 * for a key without SEIPDv2 support, byte for byte but for the random prefix and the part sizes.
 */
export function encryptSeipdV1(packets: ReadableStream<Uint8Array>, algorithm: string, key: Uint8Array): ReadableStream<Uint8Array> {
  const writer = new SeipdV1Writer(algorithm, key);
  const reader = packets.getReader();
  return new ReadableStream<Uint8Array>(
    {
      pull: async (controller) => {
        const out: Uint8Array[] = [];
        while (out.length === 0) {
          const { done, value } = await reader.read();
          if (done) {
            writer.end(out);
            for (const part of out) controller.enqueue(part);
            return controller.close();
          }
          writer.write(value, out);
        }
        for (const part of out) controller.enqueue(part);
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  );
}
