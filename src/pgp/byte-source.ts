import fs from 'node:fs';
import type { Readable } from 'node:stream';

/** Chunk size for reading files: 1 MiB reads were measured 15-25% faster than 64 KiB, with flat memory. */
export const readChunkBytes = 1024 * 1024;

/**
 * openpgp gets the large reads in views of these sizes (no copy), unless a caller asks for others. openpgp
 * allocates a few short-lived buffers per piece; V8 frees small ones at its frequent young-generation
 * collections, big ones only once external memory has grown by tens of MiB. Peak RSS measured for 256 MiB,
 * Node with openpgp alone being 83 MiB: decrypt 124-133 MiB with 32 KiB pieces, 138-142 with 64 KiB, 170-184
 * with 1 MiB; encrypt 126-133 with 16 KiB, 137-143 with 32 KiB, 172-184 with 1 MiB. With openpgp's own AES-CFB,
 * decryption was 20-30% faster with 1 MiB pieces; with the native SEIPDv1 path (seipd-v1-decrypt.ts) bigger pieces
 * are slower: 256 MiB took 1.07-1.11 CPU-s with 32 KiB pieces, 1.45-1.59 with 64 KiB (1.59-1.81 with 128 KiB to 1
 * MiB), as each piece's fresh output buffers cost page faults once they outgrow what the allocator reuses. These
 * sizes keep a process under 150 MB whatever the file size. The native reading of classic messages
 * (classic-decrypt.ts) cuts the ciphertext into pieces of the same size: 100 MiB with 16 KiB pieces peaked at 115
 * MiB, 32 KiB at 122-124 MiB, 64 and 128 KiB at 160 MiB with three times the page faults. Since the young
 * generation is collected every 4 MiB (young-collection.ts), bigger pieces no longer pile up on that path, and
 * are faster (gpg-made files, ecc and RSA 4096 keys): 100 MiB in 152-175 ms with 256 KiB pieces against
 * 190-237 ms with 32 KiB (111-115 MiB peak either way), 1 GiB 1.24-1.36 s with 128-256 KiB against 1.44 s.
 */
export const defaultPieceBytes = { decrypt: 32 * 1024, encrypt: 16 * 1024, classicDecrypt: 256 * 1024 } as const;

/** What the stream functions accept: a Node stream, a Web stream, or any async iterable of bytes. */
export type ByteInput = Readable | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

/** Opens a file for the stream functions with large reads. */
export function openInputFile(file: string): fs.ReadStream {
  return fs.createReadStream(file, { highWaterMark: readChunkBytes });
}

/** A pull Web stream over `chunks` (nothing read ahead), for openpgp, which takes Web streams. */
export function webStreamOf<T>(chunks: AsyncGenerator<T>): ReadableStream<T> {
  return new ReadableStream<T>(
    {
      pull: async (controller) => {
        const { done, value } = await chunks.next();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      cancel: async () => {
        await chunks.return(undefined);
      },
    },
    { highWaterMark: 0 },
  );
}

function iteratorOf(input: ByteInput): AsyncIterator<Uint8Array> {
  if (input instanceof ReadableStream) return input.values();
  return (input as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
}

/**
 * A pull source over the caller's bytes: `peek` looks at the start without consuming it, `web` hands the rest
 * to openpgp as a Web stream in small pieces (highWaterMark 0: nothing is read ahead beyond what the caller's
 * stream buffers).
 * An error of the caller's stream is remembered, so it is reported as itself and not as a broken message.
 */
export class ByteSource {
  readonly #iterator: AsyncIterator<Uint8Array>;
  readonly #pending: Uint8Array[] = [];
  #ended = false;
  #inputError: { error: unknown } | undefined;

  constructor(input: ByteInput) {
    this.#iterator = iteratorOf(input);
  }

  /** The caller's stream failed (not the message): the error it gave. */
  get inputError(): { error: unknown } | undefined {
    return this.#inputError;
  }

  async #next(): Promise<Uint8Array | undefined> {
    return this.#pending.shift() ?? this.#read();
  }

  async #read(): Promise<Uint8Array | undefined> {
    if (this.#ended) return undefined;
    try {
      const { done, value } = await this.#iterator.next();
      if (done) this.#ended = true;
      return done ? undefined : value;
    } catch (error) {
      this.#inputError = { error };
      throw error;
    }
  }

  /** At least `bytes` bytes from the start (fewer only if the input is shorter), left unconsumed. */
  async peek(bytes: number): Promise<Uint8Array> {
    let have = this.#pending.reduce((sum, chunk) => sum + chunk.length, 0);
    while (have < bytes && !this.#ended) {
      const chunk = await this.#read();
      if (!chunk) break;
      this.#pending.push(chunk);
      have += chunk.length;
    }
    return Buffer.concat(this.#pending).subarray(0, bytes);
  }

  /** Consumes `bytes` from the start, which `peek` returned. */
  skip(bytes: number): void {
    for (let left = bytes; left > 0; ) {
      const first = this.#pending[0];
      if (!first) throw new Error(`ByteSource.skip: ${left} bytes more than were peeked`);
      if (first.length > left) this.#pending[0] = first.subarray(left);
      else this.#pending.shift();
      left -= Math.min(left, first.length);
    }
  }

  /** The rest of the input, as the caller's stream gives it. */
  async *chunks(): AsyncGenerator<Uint8Array> {
    for (let chunk = await this.#next(); chunk; chunk = await this.#next()) yield chunk;
  }

  web(pieceBytes: number): ReadableStream<Uint8Array> {
    const piece = Math.max(1024, Math.floor(pieceBytes));
    return new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          const chunk = await this.#next();
          if (!chunk) return controller.close();
          if (chunk.length <= piece) return controller.enqueue(chunk);
          for (let at = 0; at < chunk.length; at += piece) controller.enqueue(chunk.subarray(at, at + piece));
        },
        cancel: async (reason) => {
          await this.close(reason);
        },
      },
      { highWaterMark: 0 },
    );
  }

  /** Stops reading the caller's stream (destroying a Node stream). */
  async close(reason?: unknown): Promise<void> {
    this.#ended = true;
    this.#pending.length = 0;
    await this.#iterator.return?.(reason).catch(() => undefined);
  }
}
