import { Readable } from 'node:stream';
import * as openpgp from 'openpgp';
import { ByteSource, defaultPieceBytes, readChunkBytes, type ByteInput } from './byte-source.ts';
import { canEncryptSeipdV1, encryptSeipdV1 } from './seipd-v1-encrypt.ts';

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

type Settings = Omit<openpgp.EncryptOptions, 'message'> & { message: openpgp.Message<ReadableStream<Uint8Array>>; date: Date; config: openpgp.PartialConfig };

/** openpgp.encrypt's whole pipeline: compressed messages and SEIPDv2 (AEAD) for keys that announce it. */
async function encryptWithOpenpgp(settings: Settings, armor: boolean): Promise<ReadableStream<Uint8Array | string>> {
  const encrypted = armor ? await openpgp.encrypt({ ...settings, format: 'armored' }) : await openpgp.encrypt({ ...settings, format: 'binary' });
  return encrypted as ReadableStream<Uint8Array | string>;
}

/** The packets (signed when asked) inside a SEIPDv1 packet of our own (seipd-v1-encrypt.ts), after openpgp's session key packet. */
async function encryptClassic(settings: Settings, sessionKey: openpgp.SessionKey, armor: boolean): Promise<ReadableStream<Uint8Array | string>> {
  const { message, encryptionKeys, signingKeys, date, config } = settings;
  // recipientKeys (in openpgp's code and documentation, not its types): the hash both keys prefer, as openpgp.encrypt signs.
  const signing = signingKeys ? { message, signingKeys, recipientKeys: encryptionKeys, format: 'object' as const, date, config } : undefined;
  const inner = signing ? await openpgp.sign(signing) : message;
  const sessionKeyPacket = await openpgp.encryptSessionKey({ ...sessionKey, encryptionKeys, format: 'binary', date, config });
  const body = encryptSeipdV1(inner.write() as ReadableStream<Uint8Array>, sessionKey.algorithm, sessionKey.data);
  const reader = body.getReader();
  let first = true;
  const binary = new ReadableStream<Uint8Array>(
    {
      pull: async (controller) => {
        if (first) {
          first = false;
          return controller.enqueue(sessionKeyPacket);
        }
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  );
  // As openpgp.encrypt armors a SEIPDv1 message: with the CRC-24 checksum, which GnuPG 2.2 expects.
  return armor ? (openpgp.armor(openpgp.enums.armor.message, binary, undefined, undefined, undefined, true, { ...openpgp.config, ...config }) as unknown as ReadableStream<string>) : binary;
}

/**
 * An uncompressed message for a key without SEIPDv2 support (GnuPG 2.2's keys, Workgate's own) is encrypted by
 * encryptClassic, with native AES and SHA-1 in one stream stage, 1.5-2x openpgp's speed; the rest by openpgp.
 */
async function encryptedStream(source: ByteSource, options: EncryptStreamOptions): Promise<ReadableStream<Uint8Array | string>> {
  const compression = options.compression ?? 'none';
  const message = await openpgp.createMessage({ binary: source.web(options.pieceBytes ?? defaultPieceBytes.encrypt), format: 'binary', ...(options.filename ? { filename: options.filename } : {}) });
  const settings: Settings = {
    message,
    encryptionKeys: options.recipientKey,
    ...(options.signingKey ? { signingKeys: options.signingKey } : {}),
    date: options.date ?? new Date(),
    // aeadProtect stays false: SEIPDv2 only goes to keys that announce it, so GnuPG 2.2 can read the rest.
    config: { preferredCompressionAlgorithm: compressionAlgorithms[compression], aeadProtect: false },
  };
  const sessionKey = await openpgp.generateSessionKey({ encryptionKeys: options.recipientKey, date: settings.date, config: settings.config });
  const classic = compression === 'none' && sessionKey.aeadAlgorithm === undefined && canEncryptSeipdV1(sessionKey.algorithm);
  return classic ? encryptClassic(settings, sessionKey, options.armor ?? false) : encryptWithOpenpgp(settings, options.armor ?? false);
}

async function* ciphertextChunks(input: ByteInput, pending: Promise<EncryptStreamOptions>): AsyncGenerator<Uint8Array> {
  const source = new ByteSource(input);
  let reader: ReadableStreamDefaultReader<Uint8Array | string> | undefined;
  try {
    const output = (await encryptedStream(source, await pending)).getReader();
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
