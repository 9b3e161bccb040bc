import { Readable } from 'node:stream';
import * as openpgp from 'openpgp';
import { ByteSource, defaultPieceBytes, readChunkBytes, type ByteInput } from './byte-source.ts';

export const compressions = ['none', 'zip', 'zlib'] as const;
export type Compression = (typeof compressions)[number];

export interface EncryptStreamOptions {
  /** The recipient's public key (checked usable beforehand: see inspectPublicKey). */
  recipientKey: openpgp.PublicKey;
  /** Sign with this unlocked key (Workgate's published key) too. */
  signingKey?: openpgp.PrivateKey;
  /** ASCII armor instead of binary. Default false. */
  armor?: boolean;
  /** Default none: compression costs 2-6x the time, and most feed results are small. */
  compression?: Compression;
  /** File name recorded in the literal data packet. */
  filename?: string;
  date?: Date;
  /** Size of the pieces openpgp works on (default 16 KiB; see byte-source.ts). */
  pieceBytes?: number;
}

const compressionAlgorithms: Record<Compression, openpgp.enums.compression> = {
  none: openpgp.enums.compression.uncompressed,
  zip: openpgp.enums.compression.zip,
  zlib: openpgp.enums.compression.zlib,
};

async function* ciphertextChunks(input: ByteInput, pending: Promise<EncryptStreamOptions>): AsyncGenerator<Uint8Array> {
  const source = new ByteSource(input);
  let reader: ReadableStreamDefaultReader<Uint8Array | string> | undefined;
  try {
    const options = await pending;
    const message = await openpgp.createMessage({ binary: source.web(options.pieceBytes ?? defaultPieceBytes.encrypt), format: 'binary', ...(options.filename ? { filename: options.filename } : {}) });
    const settings = {
      message,
      encryptionKeys: options.recipientKey,
      ...(options.signingKey ? { signingKeys: options.signingKey } : {}),
      date: options.date ?? new Date(),
      // aeadProtect stays false: SEIPDv2 only goes to keys that announce it, so GnuPG 2.2 can read the rest.
      config: { preferredCompressionAlgorithm: compressionAlgorithms[options.compression ?? 'none'], aeadProtect: false },
    };
    const encrypted = options.armor ? await openpgp.encrypt({ ...settings, format: 'armored' }) : await openpgp.encrypt({ ...settings, format: 'binary' });
    const output = (encrypted as ReadableStream<Uint8Array | string>).getReader();
    reader = output;
    for (;;) {
      const { done, value } = await output.read();
      if (done) break;
      yield typeof value === 'string' ? Buffer.from(value, 'latin1') : value;
    }
  } catch (error) {
    if (source.inputError) throw source.inputError.error;
    throw error;
  } finally {
    await reader?.cancel().catch(() => undefined);
    await source.close();
  }
}

/**
 * Encrypts (and optionally signs) a stream for one recipient; memory stays flat whatever the size. A recipient
 * key that does not announce SEIPDv2 support gets a classic SEIPDv1 message, which GnuPG 2.2 reads.
 */
export function encryptStream(input: ByteInput, options: EncryptStreamOptions | Promise<EncryptStreamOptions>): Readable {
  const pending = Promise.resolve(options);
  pending.catch(() => undefined);
  return Readable.from(ciphertextChunks(input, pending), { objectMode: false, highWaterMark: readChunkBytes });
}
