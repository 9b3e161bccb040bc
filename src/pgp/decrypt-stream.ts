import { Readable } from 'node:stream';
import * as openpgp from 'openpgp';
import { AppError } from '../shared/errors.ts';
import { isAesAlgorithm } from './cfb.ts';
import { ByteSource, defaultPieceBytes, readChunkBytes, type ByteInput } from './byte-source.ts';
import { detectFormat, sniffBytes, type MessageFormat } from './message-format.ts';
import { classifyMessageError, formatKeyId, PgpError, tooLarge } from './pgp.errors.ts';
import { decryptSeipdV1 } from './seipd-v1-decrypt.ts';
import { checkSignatures, type SignerFacts } from './signatures.ts';

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
  data: ReadableStream<Uint8Array>;
  signatures: openpgp.DecryptMessageResult['signatures'];
  /** Resolves once the integrity check at the end of the message passed. */
  verified: Promise<void>;
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

const innerPacketTags = new Set<number>([openpgp.enums.packet.literalData, openpgp.enums.packet.compressedData, openpgp.enums.packet.onePassSignature, openpgp.enums.packet.signature]);

/**
 * Decrypts the session key with openpgp, then the data: a SEIPDv1 packet with an AES key through seipd-v1-decrypt.ts
 * (native parallel AES-CFB and SHA-1, about twice openpgp's speed), anything else through openpgp.decrypt. The
 * packets inside are read and verified by openpgp either way.
 */
async function openMessage(message: openpgp.Message<ReadableStream<Uint8Array | string>>, keys: openpgp.PrivateKey[], verificationKeys: openpgp.PublicKey[], options: DecryptStreamOptions): Promise<OpenedMessage> {
  const date = options.date ?? new Date();
  // Classic SEIPDv1 messages (what GnuPG 2.2 writes) would otherwise be buffered whole; see DecryptedStream.
  const config = { allowUnauthenticatedStream: true, maxDecompressedMessageSize: options.maxPlaintextBytes };
  const ciphertext = classicCiphertext(message);
  const sessionKeys = ciphertext ? await openpgp.decryptSessionKeys({ message, decryptionKeys: keys, date, config }) : [];
  const [sessionKey] = sessionKeys;
  if (!ciphertext || !sessionKey?.algorithm || sessionKeys.length > 1 || !isAesAlgorithm(sessionKey.algorithm)) {
    // SEIPDv1 session keys always name their algorithm (only SEIPDv2 ones leave it to the data packet).
    const decrypting = ciphertext ? { sessionKeys: sessionKeys as openpgp.SessionKey[] } : { decryptionKeys: keys };
    const result = await openpgp.decrypt({ message, ...decrypting, verificationKeys, format: 'binary', date, config });
    return { data: result.data, signatures: result.signatures, verified: Promise.resolve() };
  }
  const { packets, verified } = decryptSeipdV1(ciphertext, sessionKey.algorithm, sessionKey.data);
  const inner = await openpgp.readMessage({ binaryMessage: packets, config });
  const unexpected = inner.packets.find((packet) => !innerPacketTags.has((packet.constructor as { tag?: number }).tag ?? -1));
  if (unexpected) throw new Error('Packet not allowed in this context: an encrypted message may only hold literal data, compression and signatures');
  const result = await openpgp.verify({ message: inner, verificationKeys, format: 'binary', date, config });
  return { data: result.data, signatures: result.signatures, verified };
}

/** Reads the message's head, picks the keys, and starts the decryption (nothing is decrypted yet). */
async function startDecryption(source: ByteSource, options: DecryptStreamOptions) {
  const format = detectFormat(await source.peek(sniffBytes));
  const message = await readMessage(source, format, options.pieceBytes);
  const choice = chooseDecryptionKeys(message, options.decryptionKeys);
  const verificationKeys = [...(options.verificationKeys ?? [])];
  const result = await openMessage(message, choice.keys, verificationKeys, options);
  for (const signature of result.signatures) signature.verified.catch(() => undefined);
  if (options.requireSigned && result.signatures.length === 0) {
    throw new PgpError('unsigned', 'the file is not signed, and this account requires signed files: sign it with the key registered for the account');
  }
  return { format, choice, verificationKeys, result };
}

async function* plaintextChunks(input: ByteInput, pending: Promise<DecryptStreamOptions>, report: (outcome: DecryptOutcome) => void): AsyncGenerator<Uint8Array> {
  const source = new ByteSource(input);
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  let limit: number | undefined;
  try {
    const options = await pending;
    limit = options.maxPlaintextBytes;
    const { format, choice, verificationKeys, result } = await startDecryption(source, options);
    const data = result.data.getReader();
    reader = data;
    let bytes = 0;
    for (let next = await data.read(); !next.done; next = await data.read()) {
      bytes += next.value.length;
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
    await reader?.cancel().catch(() => undefined);
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
