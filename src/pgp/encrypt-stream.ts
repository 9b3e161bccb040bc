import { Readable } from 'node:stream';
import * as openpgp from 'openpgp';
import { ByteSource, defaultPieceBytes, readChunkBytes, type ByteInput } from './byte-source.ts';
import { createMessageSigner, type MessageSigner } from './message-signer.ts';
import { LiteralDataWriter, literalDataFields } from './packet-framing.ts';
import { canEncryptSeipdV1, encryptSeipdV1, SeipdV1Writer } from './seipd-v1-encrypt.ts';
import { YoungCollections } from './young-collection.ts';

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

/** The options with the message's one date settled. */
type DatedOptions = EncryptStreamOptions & { date: Date };

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
 * An armored uncompressed message for a key without SEIPDv2 support (GnuPG 2.2's keys, Workgate's own), or a
 * signed one whose key or hash message-signer.ts does not handle, is encrypted by encryptClassic, with native AES
 * and SHA-1 in one stream stage, 1.5-2x openpgp's speed; compressed and SEIPDv2 messages by openpgp. (Binary
 * ones otherwise never get here: see nativeMessage.)
 */
async function encryptedStream(source: ByteSource, options: DatedOptions): Promise<ReadableStream<Uint8Array | string>> {
  const compression = options.compression ?? 'none';
  const message = await openpgp.createMessage({ binary: source.web(options.pieceBytes ?? defaultPieceBytes.encrypt), format: 'binary', ...(options.filename ? { filename: options.filename } : {}) });
  const settings: Settings = {
    message,
    encryptionKeys: options.recipientKey,
    ...(options.signingKey ? { signingKeys: options.signingKey } : {}),
    date: options.date,
    // aeadProtect stays false: SEIPDv2 only goes to keys that announce it, so GnuPG 2.2 can read the rest.
    config: { preferredCompressionAlgorithm: compressionAlgorithms[compression], aeadProtect: false },
  };
  const sessionKey = await openpgp.generateSessionKey({ encryptionKeys: options.recipientKey, date: settings.date, config: settings.config });
  const classic = compression === 'none' && sessionKey.aeadAlgorithm === undefined && canEncryptSeipdV1(sessionKey.algorithm);
  return classic ? encryptClassic(settings, sessionKey, options.armor ?? false) : encryptWithOpenpgp(settings, options.armor ?? false);
}

/** Parts of the literal data packet: the most of the caller's bytes held back until the next arrives (see LiteralDataWriter). */
const literalPartBytes = 64 * 1024;

interface NativePlan {
  fields: Buffer;
  sessionKey: openpgp.SessionKey;
  sessionKeyPacket: Uint8Array;
  /** Present when the message is signed. */
  signer: MessageSigner | undefined;
}

/**
 * Uncompressed, binary, for a key without SEIPDv2 support, with an AES session key, and unsigned or signed by a
 * key message-signer.ts handles (RSA, Ed25519 legacy; v4): the native path applies.
 */
async function nativePlan(options: DatedOptions, fields: Buffer): Promise<NativePlan | undefined> {
  if (options.armor || (options.compression ?? 'none') !== 'none') return undefined;
  const { date } = options;
  const config = { aeadProtect: false };
  const sessionKey = await openpgp.generateSessionKey({ encryptionKeys: options.recipientKey, date, config });
  if (sessionKey.aeadAlgorithm !== undefined || !canEncryptSeipdV1(sessionKey.algorithm)) return undefined;
  const signer = options.signingKey ? await createMessageSigner({ signingKey: options.signingKey, recipientKey: options.recipientKey, date, config }) : undefined;
  if (options.signingKey && !signer) return undefined;
  const sessionKeyPacket = await openpgp.encryptSessionKey({ ...sessionKey, encryptionKeys: options.recipientKey, format: 'binary', date, config });
  return { fields, sessionKey, sessionKeyPacket, signer };
}

/**
 * A binary message (what the feeds and most outbound files are) written here whole: openpgp's session key packet,
 * then inside the encrypted packet (SeipdV1Writer) the literal data packet (LiteralDataWriter), between a one-pass
 * signature packet and a signature packet when signed (MessageSigner hashes the data as it goes by). No Web Stream
 * stage and no openpgp packet writer: 100 MiB unsigned in 0.24-0.27 s instead of 0.45-0.55, and bounded garbage
 * (YoungCollections).
 */
async function* nativeMessage(source: ByteSource, plan: NativePlan): AsyncGenerator<Uint8Array> {
  yield plan.sessionKeyPacket;
  const { signer } = plan;
  const seipd = new SeipdV1Writer(plan.sessionKey.algorithm, plan.sessionKey.data);
  const out: Uint8Array[] = [];
  if (signer) seipd.write(signer.onePassPacket, out);
  const literal = new LiteralDataWriter(seipd, plan.fields, literalPartBytes);
  const collections = new YoungCollections();
  for await (const chunk of source.chunks()) {
    signer?.update(chunk);
    literal.write(chunk, out);
    for (const part of out) yield part;
    out.length = 0;
    collections.add(chunk.length);
  }
  literal.end(out);
  if (signer) seipd.write(signer.signaturePacket(), out);
  seipd.end(out);
  yield* out;
}

async function* ciphertextChunks(input: ByteInput, pending: Promise<EncryptStreamOptions>): AsyncGenerator<Uint8Array> {
  const source = new ByteSource(input);
  let reader: ReadableStreamDefaultReader<Uint8Array | string> | undefined;
  try {
    // One date for the literal data, the signature and the session key packet, whichever path writes them.
    const given = await pending;
    const options: DatedOptions = { ...given, date: given.date ?? new Date() };
    // openpgp would write a longer name's length modulo 256: a broken packet.
    const fields = literalDataFields(options.filename ?? '', options.date);
    if (!fields) throw new Error(`the file name "${options.filename}" is longer than the 255 bytes an OpenPGP message can record`);
    const plan = await nativePlan(options, fields);
    if (plan) {
      yield* nativeMessage(source, plan);
      return;
    }
    const output = (await encryptedStream(source, options)).getReader();
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
