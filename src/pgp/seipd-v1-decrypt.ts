import crypto from 'node:crypto';
import { CfbDecryptor } from './cfb.ts';

/**
 * The body of a classic integrity-protected packet (SEIPDv1, RFC 4880 5.13, what GnuPG 2.2 writes), decrypted
 * with native primitives: AES-CFB (see CfbDecryptor) and the SHA-1 of the modification detection code (MDC).
 * The body is CFB(prefix || packets || 0xD3 0x14 || SHA-1(prefix || packets || 0xD3 0x14)), zero IV, where the
 * prefix is one random block plus its last two bytes repeated.
 */
const prefixBytes = 16 + 2;
const mdcHeader = Buffer.from([0xd3, 0x14]);
/** The MDC packet: its header and the 20-byte hash. Held back until the end, where it is checked. */
const trailerBytes = mdcHeader.length + 20;
/** Room before the plaintext of each piece for the held-back bytes, keeping the plaintext 4-byte aligned. */
const headroom = 24;

/** Plaintext piece by piece, without the prefix and the MDC; everything but the MDC hashed as it goes. */
class MdcCheckedPlaintext {
  readonly #cfb: CfbDecryptor;
  readonly #sha1 = crypto.createHash('sha1');
  #held: Buffer = Buffer.alloc(0);
  #prefixLeft = prefixBytes;

  constructor(algorithm: string, key: Uint8Array) {
    this.#cfb = new CfbDecryptor(algorithm, key);
  }

  /** The plaintext `chunk` of ciphertext releases, if any. */
  push(chunk: Uint8Array): Buffer | undefined {
    const out = Buffer.allocUnsafe(headroom + this.#cfb.maxOutput(chunk.length));
    return this.#release(out, this.#cfb.update(chunk, out, headroom));
  }

  /** The last plaintext, once the MDC matched; throws (as openpgp does) when it did not. */
  finish(): Buffer | undefined {
    const out = Buffer.allocUnsafe(headroom + 16);
    const last = this.#release(out, this.#cfb.final(out, headroom));
    const trailer = this.#held;
    if (this.#prefixLeft > 0 || trailer.length < trailerBytes || !trailer.subarray(0, 2).equals(mdcHeader)) throw new Error('Modification detected.');
    const digest = this.#sha1.update(mdcHeader).digest();
    if (!crypto.timingSafeEqual(digest, trailer.subarray(2))) throw new Error('Modification detected.');
    return last;
  }

  /** out[headroom, headroom + written) is new plaintext: passes on all but the last trailerBytes seen so far. */
  #release(out: Buffer, written: number): Buffer | undefined {
    const start = headroom - this.#held.length;
    out.set(this.#held, start);
    const end = headroom + written;
    const passOn = Math.max(start, end - trailerBytes);
    this.#held = Buffer.from(out.subarray(passOn, end));
    let plaintext = out.subarray(start, passOn);
    this.#sha1.update(plaintext);
    if (this.#prefixLeft > 0) {
      const skipped = Math.min(this.#prefixLeft, plaintext.length);
      this.#prefixLeft -= skipped;
      plaintext = plaintext.subarray(skipped);
    }
    return plaintext.length > 0 ? plaintext : undefined;
  }
}

/**
 * Decrypts the body of a SEIPDv1 packet (`ciphertext`, after the version byte) with an AES session key: a stream
 * of the packets inside, pulled as it is read (nothing read ahead). It is not authenticated before its end: its
 * last read errors with "Modification detected." when the MDC does not match, and `verified` rejects with the
 * same error; `verified` resolves only when the whole body was read and matched.
 */
export function decryptSeipdV1(ciphertext: ReadableStream<Uint8Array>, algorithm: string, key: Uint8Array): { packets: ReadableStream<Uint8Array>; verified: Promise<void> } {
  const plaintext = new MdcCheckedPlaintext(algorithm, key);
  const verified = Promise.withResolvers<void>();
  verified.promise.catch(() => undefined);
  const reader = ciphertext.getReader();
  const pull = async (controller: ReadableStreamDefaultController<Uint8Array>) => {
    for (;;) {
      const { done, value } = await reader.read();
      const piece = done ? plaintext.finish() : plaintext.push(value);
      if (piece) controller.enqueue(piece);
      if (done) {
        controller.close();
        return verified.resolve();
      }
      if (piece) return;
    }
  };
  const packets = new ReadableStream<Uint8Array>(
    {
      pull: (controller) =>
        pull(controller).catch((error: unknown) => {
          verified.reject(error);
          throw error;
        }),
      cancel: async (reason) => {
        verified.reject(new Error('the decryption was cancelled before the integrity check'));
        await reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
  return { packets, verified: verified.promise };
}
