import { Readable } from 'node:stream';
import * as openpgp from 'openpgp';
import { AppError } from '../shared/errors.ts';
import { isAesAlgorithm } from './cfb.ts';
import { ByteSource, defaultPieceBytes, readChunkBytes, type ByteInput } from './byte-source.ts';
import { detectFormat, sniffBytes, type MessageFormat } from './message-format.ts';
import { classifyMessageError, formatKeyId, PgpError, tooLarge } from './pgp.errors.ts';
import { decryptSeipdV1 } from './seipd-v1-decrypt.ts';
import { classicHeadBytes, encryptedBody, openContents, parseClassicHead, sessionKeyMessage } from './classic-decrypt.ts';
import { ChunkReader } from './packet-reader.ts';
import { checkSignatures, type SignerFacts } from './signatures.ts';
import { YoungCollections } from './young-collection.ts';

export interface DecryptStreamOptions {
  /** Unlocked private keys that may decrypt (Workgate's non-retired keys). */
  decryptionKeys: readonly openpgp.PrivateKey[];
  /** Keys whose signatures count; a signature by any other key is "unknown". */
  verificationKeys?: readonly openpgp.PublicKey[];
  /** Refuse a message that is not signed by one of verificationKeys. */
  requireSigned?: boolean;
  /** The plaintext may not be longer than this (decompression bombs). */
  maxPlaintextBytes: number;
  date?: Date;
  /** Size of the pieces openpgp works on: memory against speed (default 32 KiB; see byte-source.ts). */
  pieceBytes?: number;
}

export interface DecryptOutcome {
  format: MessageFormat;
  /** Fingerprint of the Workgate key that decrypted the message. */
  decryptedWith: string;
  /** The verified signer, or null when unsigned or signed by a key not among verificationKeys (allowed when not required). */
  signer: SignerFacts | null;
  plaintextBytes: number;
}

export interface DecryptedStream {
  /**
   * The plaintext. It is not authenticated until it ends: the stream's clean end confirms integrity (and the
   * signature, when required); otherwise it errors with a PgpError. Consumers must commit nothing before the end,
   * and must never write it to disk or pass it on.
   */
  plaintext: Readable;
  /** Resolves once the plaintext ended cleanly; rejects with the stream's error. Never an unhandled rejection. */
  outcome: Promise<DecryptOutcome>;
}

interface KeyChoice {
  keys: openpgp.PrivateKey[];
  fingerprint: string;
}

/** Only the keys the message names (all of them for an anonymous recipient), or a no_matching_key error. */
export function chooseDecryptionKeys(message: openpgp.Message<ReadableStream<Uint8Array | string>>, keys: readonly openpgp.PrivateKey[]): KeyChoice {
  const recipients = message.getEncryptionKeyIDs();
  if (recipients.length === 0) {
    throw new PgpError('no_matching_key', 'the file is encrypted with a passphrase, not for a key: encrypt it for Workgate\'s public key');
  }
  const anonymous = recipients.some((id) => /^0+$/.test(id.toHex()));
  const matching = keys.filter((key) => anonymous || recipients.some((id) => key.getKeys(id).length > 0));
  if (matching.length === 0) {
    const named = recipients.map((id) => formatKeyId(id.toHex())).join(', ');
    const which = recipients.length === 1 ? `key ${named}, which is not one of Workgate's keys` : `keys ${named}, none of which is one of Workgate's keys`;
    throw new PgpError('no_matching_key', `the file is encrypted for ${which}: encrypt it for Workgate's published key (GET /api/pgp/public-key)`);
  }
  return { keys: matching, fingerprint: (matching[0] as openpgp.PrivateKey).getFingerprint().toUpperCase() };
}

async function readMessage(source: ByteSource, format: MessageFormat, pieceBytes: number | undefined) {
  const web = source.web(pieceBytes ?? defaultPieceBytes.decrypt);
  return format === 'armored'
    ? // TextDecoderStream's writable side is typed for any BufferSource; our stream carries Uint8Array.
      openpgp.readMessage({ armoredMessage: web.pipeThrough(new TextDecoderStream('latin1') as unknown as ReadableWritablePair<string, Uint8Array>) })
    : openpgp.readMessage({ binaryMessage: web });
}

interface OpenedMessage {
  data: AsyncIterable<Uint8Array>;
  signatures: openpgp.DecryptMessageResult['signatures'];
  /** Resolves once the integrity check at the end of the message passed. */
  verified: Promise<void>;
}

type Settings = { date: Date; config: openpgp.PartialConfig };

function settingsOf(options: DecryptStreamOptions): Settings {
  // Classic SEIPDv1 messages (what GnuPG 2.2 writes) would otherwise be buffered whole; see DecryptedStream.
  return { date: options.date ?? new Date(), config: { allowUnauthenticatedStream: true, maxDecompressedMessageSize: options.maxPlaintextBytes } };
}

type EncryptedPacket = { version?: number; encrypted?: unknown };

/** The ciphertext of the message's classic SEIPDv1 packet (what GnuPG 2.2 writes), or undefined for other kinds. */
function classicCiphertext(message: openpgp.Message<ReadableStream<Uint8Array | string>>): ReadableStream<Uint8Array> | undefined {
  const { symEncryptedIntegrityProtectedData, aeadEncryptedData, symmetricallyEncryptedData } = openpgp.enums.packet;
  const [first] = message.packets.filterByTag(symEncryptedIntegrityProtectedData, aeadEncryptedData, symmetricallyEncryptedData);
  if (!(first instanceof openpgp.SymEncryptedIntegrityProtectedDataPacket)) return undefined;
  const packet = first as unknown as EncryptedPacket;
  return packet.version === 1 && packet.encrypted instanceof ReadableStream ? (packet.encrypted as ReadableStream<Uint8Array>) : undefined;
}

/** The one AES session key of a SEIPDv1 message (which always names its algorithm), or undefined. */
async function classicSessionKey(message: openpgp.Message<ReadableStream<Uint8Array | string> | Uint8Array>, keys: openpgp.PrivateKey[], settings: Settings) {
  const sessionKeys = await openpgp.decryptSessionKeys({ message, decryptionKeys: keys, ...settings });
  const [sessionKey] = sessionKeys;
  return sessionKeys.length === 1 && sessionKey?.algorithm && isAesAlgorithm(sessionKey.algorithm) ? { algorithm: sessionKey.algorithm, data: sessionKey.data } : undefined;
}

/** Native AES-CFB and SHA-1 over the ciphertext (seipd-v1-decrypt.ts), then the packets inside (classic-decrypt.ts). */
async function openSeipdV1(ciphertext: AsyncIterable<Uint8Array>, sessionKey: { algorithm: string; data: Uint8Array }, verificationKeys: openpgp.PublicKey[], options: DecryptStreamOptions, literalPieceBytes: number): Promise<OpenedMessage> {
  const { packets, verified } = decryptSeipdV1(ciphertext, sessionKey.algorithm, sessionKey.data);
  const pieces = { literal: literalPieceBytes, openpgp: options.pieceBytes ?? defaultPieceBytes.decrypt };
  const contents = await openContents(packets, verificationKeys, pieces, settingsOf(options));
  return { ...contents, verified };
}

/**
 * A binary classic message read without openpgp's packet readers: session key packets, then SEIPDv1 with an AES
 * key. Undefined (nothing consumed) for any other message, which openpgp reads.
 */
async function openClassicMessage(source: ByteSource, options: DecryptStreamOptions, verificationKeys: openpgp.PublicKey[]): Promise<(OpenedMessage & { choice: KeyChoice }) | undefined> {
  const head = parseClassicHeadOf(await source.peek(classicHeadBytes));
  if (!head) return undefined;
  const message = await sessionKeyMessage(head);
  const choice = chooseDecryptionKeys(message, options.decryptionKeys);
  const sessionKey = await classicSessionKey(message, choice.keys, settingsOf(options));
  if (!sessionKey) return undefined;
  source.skip(head.bodyStart);
  const pieceBytes = options.pieceBytes ?? defaultPieceBytes.classicDecrypt;
  const ciphertext = encryptedBody(new ChunkReader(source.chunks()), head.bodyLength, pieceBytes);
  return { choice, ...(await openSeipdV1(ciphertext, sessionKey, verificationKeys, options, pieceBytes)) };
}

function parseClassicHeadOf(bytes: Uint8Array) {
  try {
    return parseClassicHead(bytes);
  } catch {
    return undefined; // not a packet: openpgp's reading names what is wrong
  }
}

/**
 * openpgp reads the message and decrypts the session key; a SEIPDv1 packet with an AES key is then decrypted
 * natively all the same, anything else (SEIPDv2/AEAD, other ciphers) by openpgp.decrypt.
 */
async function openWithOpenpgp(source: ByteSource, format: MessageFormat, options: DecryptStreamOptions, verificationKeys: openpgp.PublicKey[]): Promise<OpenedMessage & { choice: KeyChoice }> {
  const message = await readMessage(source, format, options.pieceBytes);
  const choice = chooseDecryptionKeys(message, options.decryptionKeys);
  const settings = settingsOf(options);
  const ciphertext = classicCiphertext(message);
  const sessionKey = ciphertext && (await classicSessionKey(message, choice.keys, settings));
  if (ciphertext && sessionKey) return { choice, ...(await openSeipdV1(ciphertext, sessionKey, verificationKeys, options, options.pieceBytes ?? defaultPieceBytes.decrypt)) };
  const result = await openpgp.decrypt({ message, decryptionKeys: choice.keys, verificationKeys, format: 'binary', ...settings });
  return { choice, data: result.data, signatures: result.signatures, verified: Promise.resolve() };
}

/** Reads the message's head, picks the keys, and starts the decryption (nothing is decrypted yet). */
async function startDecryption(source: ByteSource, options: DecryptStreamOptions) {
  const format = detectFormat(await source.peek(sniffBytes));
  const verificationKeys = [...(options.verificationKeys ?? [])];
  const classic = format === 'binary' ? await openClassicMessage(source, options, verificationKeys) : undefined;
  const { choice, ...result } = classic ?? (await openWithOpenpgp(source, format, options, verificationKeys));
  for (const signature of result.signatures) signature.verified.catch(() => undefined);
  if (options.requireSigned && result.signatures.length === 0) {
    throw new PgpError('unsigned', 'the file is not signed, and this account requires signed files: sign it with the key registered for the account');
  }
  return { format, choice, verificationKeys, result };
}

async function* plaintextChunks(input: ByteInput, pending: Promise<DecryptStreamOptions>, report: (outcome: DecryptOutcome) => void): AsyncGenerator<Uint8Array> {
  const source = new ByteSource(input);
  let data: AsyncIterator<Uint8Array> | undefined;
  let limit: number | undefined;
  try {
    const options = await pending;
    limit = options.maxPlaintextBytes;
    const { format, choice, verificationKeys, result } = await startDecryption(source, options);
    data = result.data[Symbol.asyncIterator]();
    let bytes = 0;
    // Measured on the native path (1 GiB from gpg): peak RSS 112-114 MiB instead of 138-141, no slower.
    const collections = new YoungCollections();
    for (let next = await data.next(); !next.done; next = await data.next()) {
      bytes += next.value.length;
      collections.add(next.value.length);
      if (bytes > limit) throw tooLarge(limit);
      yield next.value;
    }
    await result.verified;
    const signer = await checkSignatures(result.signatures, verificationKeys, options.requireSigned ?? false);
    report({ format, decryptedWith: choice.fingerprint, signer, plaintextBytes: bytes });
  } catch (error) {
    if (source.inputError) throw source.inputError.error;
    if (error instanceof AppError || (error as Error).name === 'AbortError') throw error;
    throw classifyMessageError(error, limit);
  } finally {
    await data?.return?.().catch(() => undefined);
    await source.close();
  }
}

/**
 * Decrypts an OpenPGP message (armored or binary, compressed or not) as a stream: memory stays flat whatever
 * the size. `options` may still be on their way (keys, the account's policy). Every problem surfaces as an
 * error of `plaintext` (and a rejection of `outcome`): a PgpError naming the cause, or the input's own error.
 */
export function decryptStream(input: ByteInput, options: DecryptStreamOptions | Promise<DecryptStreamOptions>): DecryptedStream {
  const pending = Promise.resolve(options);
  pending.catch(() => undefined);
  const settled = Promise.withResolvers<DecryptOutcome>();
  settled.promise.catch(() => undefined);
  let finished: DecryptOutcome | undefined;
  const plaintext = Readable.from(
    plaintextChunks(input, pending, (outcome) => (finished = outcome)),
    { objectMode: false, highWaterMark: readChunkBytes },
  );
  // The outcome settles when the consumer has read the end, not when the producer reached it.
  plaintext.once('end', () => (finished ? settled.resolve(finished) : settled.reject(new Error('the plaintext ended without an outcome'))));
  plaintext.once('error', settled.reject);
  plaintext.once('close', () => settled.reject(new Error('the plaintext stream was closed before its end')));
  return { plaintext, outcome: settled.promise };
}
