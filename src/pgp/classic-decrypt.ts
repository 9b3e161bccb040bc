import * as openpgp from 'openpgp';
import { webStreamOf } from './byte-source.ts';
import { ChunkReader, parsePacketHeader, type BodyLength } from './packet-reader.ts';

/**
 * The native reading of classic messages (what GnuPG 2.2 writes): session key packets, then one SEIPDv1
 * packet, whose plaintext is literal data. Reading the packet framing here instead of through openpgp's packet
 * readers saves three Web Stream stages per piece; openpgp still decrypts the session key, and still reads
 * every other kind of message (armored, AEAD, compressed, signed).
 */

const tags = openpgp.enums.packet;
const sessionKeyTags = new Set<number>([tags.publicKeyEncryptedSessionKey, tags.symEncryptedSessionKey, tags.marker]);
/** How far into a binary message its session key packets are looked for (an RSA 4096 one takes 524 bytes). */
export const classicHeadBytes = 64 * 1024;

export interface ClassicHead {
  /** The session key packets (and marker packets), as they are. */
  sessionKeyPackets: Uint8Array;
  /** Offset of the SEIPDv1 packet's ciphertext, after its version byte. */
  bodyStart: number;
  /** What follows of the ciphertext (the version byte counted off). */
  bodyLength: BodyLength;
}

/** Session key packets then a SEIPDv1 packet, starting in `head` (a binary message's first bytes); undefined for anything else. */
export function parseClassicHead(head: Uint8Array): ClassicHead | undefined {
  for (let at = 0; ; ) {
    const header = parsePacketHeader(head, at);
    if (!header || header.length.kind === 'indeterminate') return undefined;
    const bodyAt = at + header.headerBytes;
    if (header.tag === tags.symEncryptedIntegrityProtectedData) {
      if (at === 0 || head[bodyAt] !== 1) return undefined;
      return { sessionKeyPackets: head.subarray(0, at), bodyStart: bodyAt + 1, bodyLength: { kind: header.length.kind, bytes: header.length.bytes - 1 } };
    }
    if (!sessionKeyTags.has(header.tag) || header.length.kind !== 'definite') return undefined;
    at = bodyAt + header.length.bytes;
  }
}

/** The session key packets as a message openpgp can decrypt the session key of (no encrypted data in it). */
export async function sessionKeyMessage(head: ClassicHead): Promise<openpgp.Message<Uint8Array>> {
  // At run time openpgp takes an object from tag to packet class; its type declaration says Map.
  const allowed = { [tags.publicKeyEncryptedSessionKey]: openpgp.PublicKeyEncryptedSessionKeyPacket, [tags.symEncryptedSessionKey]: openpgp.SymEncryptedSessionKeyPacket };
  const packets = await openpgp.PacketList.fromBinary(head.sessionKeyPackets, allowed as unknown as Map<openpgp.enums.packet, object>);
  return new openpgp.Message(packets);
}

/** The SEIPDv1 packet's ciphertext in pieces of at most `pieceBytes`; nothing may follow the packet. */
export async function* encryptedBody(message: ChunkReader, length: BodyLength, pieceBytes: number): AsyncGenerator<Uint8Array> {
  yield* message.body(length, pieceBytes);
  if ((await message.peek(1)).length > 0) throw new Error('Packet not allowed in this context: data after the encrypted data packet');
}

/** The body of the literal data packet starting `inner` (its header read), which must be the last packet. */
async function* literalData(inner: ChunkReader, length: BodyLength, pieceBytes: number): AsyncGenerator<Uint8Array> {
  const body = new ChunkReader(inner.body(length, pieceBytes));
  // Format (1 byte), file name length (1), file name, date (4): not used, as openpgp.verify's binary data.
  const fieldBytes = 2 + ((await body.peek(2))[1] ?? 0) + 4;
  if ((await body.peek(fieldBytes)).length < fieldBytes) return integrityFirst(inner, new Error('Unexpected end of packet: literal data header'));
  body.skip(fieldBytes);
  yield* body.rest(pieceBytes);
  if ((await inner.peek(1)).length > 0) return integrityFirst(inner, new Error('Packet not allowed in this context: packets after the literal data of an unsigned message'));
}

/** As openpgp: malformed decrypted packets most likely mean tampering, which the MDC check at the end names; so that check comes first. */
async function integrityFirst(inner: ChunkReader, error: Error): Promise<never> {
  for await (const piece of inner.rest(1024 * 1024)) void piece;
  throw error;
}

const innerPacketTags = new Set<number>([tags.literalData, tags.compressedData, tags.onePassSignature, tags.signature]);

export interface OpenedContents {
  data: AsyncIterable<Uint8Array>;
  signatures: openpgp.VerifyMessageResult['signatures'];
}

/**
 * The contents of a SEIPDv1 packet (`packets`, decrypted): literal data alone (unsigned, uncompressed: what most
 * customers send) is read here; signed or compressed contents by openpgp, which verifies the signatures.
 */
export async function openContents(packets: AsyncIterable<Uint8Array>, verificationKeys: openpgp.PublicKey[], pieces: { literal: number; openpgp: number }, settings: { date: Date; config: openpgp.PartialConfig }): Promise<OpenedContents> {
  const inner = new ChunkReader(packets);
  const head = await inner.peek(6);
  const first = head.length > 0 && (head[0] as number) & 0x80 ? parsePacketHeader(head, 0) : undefined;
  if (first?.tag === tags.literalData) {
    inner.skip(first.headerBytes);
    return { data: literalData(inner, first.length, pieces.literal), signatures: [] };
  }
  const message = await openpgp.readMessage({ binaryMessage: webStreamOf(inner.rest(pieces.openpgp)), config: settings.config });
  const unexpected = message.packets.find((packet) => !innerPacketTags.has((packet.constructor as { tag?: number }).tag ?? -1));
  if (unexpected) throw new Error('Packet not allowed in this context: an encrypted message may only hold literal data, compression and signatures');
  const result = await openpgp.verify({ message, verificationKeys, format: 'binary', ...settings });
  return { data: result.data, signatures: result.signatures };
}
