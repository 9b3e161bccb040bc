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

/**
 * Plaintext piece by piece, without the prefix and the MDC; everything but the MDC hashed as it goes. Each piece
 * is passed on when the next one (of at least trailerBytes) arrives: whatever is held back then holds the MDC.
 */
class MdcCheckedPlaintext {
  readonly #cfb: CfbDecryptor;
  readonly #sha1 = crypto.createHash('sha1');
  #held: Buffer | undefined;
  #prefixLeft = prefixBytes;

  constructor(algorithm: string, key: Uint8Array) {
    this.#cfb = new CfbDecryptor(algorithm, key);
  }

  /** The plaintext `chunk` of ciphertext releases, if any. */
  push(chunk: Uint8Array): Buffer | undefined {
    return this.#hold(this.#cfb.update(chunk));
  }

  /** The last plaintext, once the MDC matched; throws (as openpgp does) when it did not. */
  finish(): Buffer | undefined {
    const before = this.#hold(this.#cfb.final());
    const held = this.#held ?? Buffer.alloc(0);
    const last = this.#release(held.subarray(0, Math.max(0, held.length - trailerBytes)));
    const trailer = held.subarray(held.length - trailerBytes);
    if (this.#prefixLeft > 0 || held.length < trailerBytes || !trailer.subarray(0, 2).equals(mdcHeader)) throw new Error('Modification detected.');
    const digest = this.#sha1.update(mdcHeader).digest();
    if (!crypto.timingSafeEqual(digest, trailer.subarray(2))) throw new Error('Modification detected.');
    return before && last ? Buffer.concat([before, last]) : (before ?? last);
  }

  /** Holds `piece` back, passing on what was held before when `piece` alone can hold the MDC. */
  #hold(piece: Buffer | undefined): Buffer | undefined {
    if (!piece) return undefined;
    const held = this.#held;
    if (held && piece.length < trailerBytes) {
      this.#held = Buffer.concat([held, piece]);
      return undefined;
    }
    this.#held = piece;
    return held && this.#release(held);
  }

  /** Hashes plaintext that is not the MDC, and passes it on without the prefix. */
  #release(plaintext: Buffer): Buffer | undefined {
    this.#sha1.update(plaintext);
    const skipped = Math.min(this.#prefixLeft, plaintext.length);
    this.#prefixLeft -= skipped;
    return plaintext.length > skipped ? plaintext.subarray(skipped) : undefined;
  }
}

/**
 * Decrypts the body of a SEIPDv1 packet (`ciphertext`, after the version byte) with an AES session key: the
 * packets inside, piece by piece as the ciphertext comes (a piece of plaintext for each piece of ciphertext, but
 * the last 22 bytes held back). It is not authenticated before its end: the generator's last step throws
 * "Modification detected." when the MDC does not match, and `verified` rejects with the same error; `verified`
 * resolves only when the whole body was read and matched.
 */
export function decryptSeipdV1(ciphertext: AsyncIterable<Uint8Array>, algorithm: string, key: Uint8Array): { packets: AsyncGenerator<Uint8Array>; verified: Promise<void> } {
  const verified = Promise.withResolvers<void>();
  verified.promise.catch(() => undefined);
  async function* packets(): AsyncGenerator<Uint8Array> {
    const plaintext = new MdcCheckedPlaintext(algorithm, key);
    let checked = false;
    try {
      for await (const chunk of ciphertext) {
        const piece = plaintext.push(chunk);
        if (piece) yield piece;
      }
      const last = plaintext.finish();
      checked = true;
      verified.resolve();
      if (last) yield last;
    } catch (error) {
      verified.reject(error);
      throw error;
    } finally {
      if (!checked) verified.reject(new Error('the decryption was stopped before the integrity check'));
    }
  }
  return { packets: packets(), verified: verified.promise };
}
