import crypto from 'node:crypto';

/** The AES session key algorithms the native SEIPDv1 path handles, with their key sizes in bits. */
const aesKeyBits: Readonly<Record<string, number>> = { aes128: 128, aes192: 192, aes256: 256 };

export function isAesAlgorithm(algorithm: string): boolean {
  return aesKeyBits[algorithm] !== undefined;
}

/** OpenSSL's name of the AES cipher for an OpenPGP session key algorithm, in the given mode. */
export function opensslAesCipher(algorithm: string, mode: 'ecb' | 'cfb'): string {
  const bits = aesKeyBits[algorithm];
  if (bits === undefined) throw new Error(`not an AES algorithm: ${algorithm}`);
  return `aes-${bits}-${mode}`;
}

const blockBytes = 16;

/** a ^= b over a's length (b at least as long); 32 bits at a time when both are aligned, as Node's buffers are. */
export function xorInPlace(a: Uint8Array, b: Uint8Array): void {
  const words = a.length >>> 2;
  if ((a.byteOffset & 3) === 0 && (b.byteOffset & 3) === 0) {
    const a32 = new Int32Array(a.buffer, a.byteOffset, words);
    const b32 = new Int32Array(b.buffer, b.byteOffset, words);
    for (let i = 0; i < words; i += 1) a32[i] = (a32[i] as number) ^ (b32[i] as number);
  } else {
    for (let i = 0; i < words << 2; i += 1) a[i] = (a[i] as number) ^ (b[i] as number);
  }
  for (let i = words << 2; i < a.length; i += 1) a[i] = (a[i] as number) ^ (b[i] as number);
}

/**
 * AES-CFB decryption (OpenPGP's CFB: full 16-byte feedback, as in SEIPDv1) computed the parallel way. Each
 * plaintext block is its ciphertext block XOR the encryption of the previous ciphertext block, so one call of
 * OpenSSL's ECB over a whole piece (pipelined AES-NI, about 3 GB/s here) gives every keystream block at once,
 * where OpenSSL's CFB decrypts block after block (about 550 MB/s). Same result, byte for byte.
 *
 * The ciphertext is copied into one scratch buffer kept for the whole message, behind the feedback block, so
 * that ECB runs over one contiguous, aligned input; the keystream buffer OpenSSL returns becomes the plaintext.
 * One new buffer per piece, where a separate output buffer made two: fewer fresh pages, less garbage.
 */
export class CfbDecryptor {
  readonly #ecb: crypto.Cipheriv;
  /** The feedback block (the IV, all zeros, at first), then ciphertext not decrypted yet (less than a block between calls). */
  #scratch: Buffer = Buffer.alloc(2 * blockBytes);
  #pending = 0;

  constructor(algorithm: string, key: Uint8Array) {
    this.#ecb = crypto.createCipheriv(opensslAesCipher(algorithm, 'ecb'), key, null).setAutoPadding(false);
  }

  /** The plaintext of the whole blocks `chunk` completes (undefined if none); a last incomplete block waits. */
  update(chunk: Uint8Array): Buffer | undefined {
    const total = this.#pending + chunk.length;
    if (this.#scratch.length < blockBytes + total) this.#grow(blockBytes + total);
    this.#scratch.set(chunk, blockBytes + this.#pending);
    const whole = total - (total % blockBytes);
    this.#pending = total;
    if (whole === 0) return undefined;
    // keystream = ECB(feedback || all ciphertext blocks but the last); plaintext = keystream ^ ciphertext.
    const plaintext = this.#ecb.update(this.#scratch.subarray(0, whole));
    xorInPlace(plaintext, this.#scratch.subarray(blockBytes, blockBytes + whole));
    this.#scratch.copyWithin(0, whole, blockBytes + total);
    this.#pending = total - whole;
    return plaintext;
  }

  /** The plaintext of a last, incomplete block (CFB needs no padding), if any. */
  final(): Buffer | undefined {
    if (this.#pending === 0) return undefined;
    const plaintext = this.#ecb.update(this.#scratch.subarray(0, blockBytes)).subarray(0, this.#pending);
    xorInPlace(plaintext, this.#scratch.subarray(blockBytes));
    this.#pending = 0;
    return plaintext;
  }

  #grow(bytes: number): void {
    const bigger = Buffer.alloc(bytes);
    bigger.set(this.#scratch.subarray(0, blockBytes + this.#pending));
    this.#scratch = bigger;
  }
}
