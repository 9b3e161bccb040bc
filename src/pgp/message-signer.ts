import crypto from 'node:crypto';
import * as openpgp from 'openpgp';

/**
 * A v4 signature of binary literal data (RFC 4880 5.2.4) whose hash Workgate computes as the data streams by, with
 * node:crypto, instead of through openpgp's stream pipeline. openpgp decides everything else: it signs an empty
 * message with the same keys, date and settings as openpgp.encrypt would (the signing key, the hash algorithm
 * from the keys' preferences, the hashed subpackets with their random salt notation), and its packets are
 * written by its own classes. Only the last step, the private key operation on the digest, is node:crypto's:
 * openpgp's own paths for it are internal (for a streamed message openpgp signs the digest too: Ed25519 over the
 * digest, RSA PKCS#1 v1.5 over its DigestInfo).
 */

/** The hashes node:crypto computes, by OpenPGP number, with the DER DigestInfo prefix of RSA signatures (RFC 4880 5.2.2). */
const hashes = new Map<number, { name: string; digestInfo: Buffer }>([
  [openpgp.enums.hash.sha224, { name: 'sha224', digestInfo: Buffer.from('302d300d06096086480165030402040500041c', 'hex') }],
  [openpgp.enums.hash.sha256, { name: 'sha256', digestInfo: Buffer.from('3031300d060960864801650304020105000420', 'hex') }],
  [openpgp.enums.hash.sha384, { name: 'sha384', digestInfo: Buffer.from('3041300d060960864801650304020205000430', 'hex') }],
  [openpgp.enums.hash.sha512, { name: 'sha512', digestInfo: Buffer.from('3051300d060960864801650304020305000440', 'hex') }],
]);

/** The key material openpgp keeps on a key packet (not in its published types). */
interface KeyParams {
  algorithm: openpgp.enums.publicKey;
  publicParams: Record<string, Uint8Array | { getName?(): string }>;
  privateParams: Record<string, Uint8Array> | null;
}

type SignatureParams = Record<string, Uint8Array>;
type DigestSigner = (digest: Buffer) => SignatureParams;

/** The OID of Ed25519 in legacy EdDSA keys (RFC 4880bis), as openpgp names it. */
const ed25519LegacyCurve = 'ed25519Legacy';

const bigIntOf = (bytes: Uint8Array) => BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`);
function bytesOf(value: bigint): Buffer {
  const hex = value.toString(16);
  return Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
}
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');

/** PKCS#1 v1.5 (type 1 padding) over DigestInfo || digest: RSA's OpenPGP signature, the key given as openpgp does to Node (p and q swapped: openpgp's u is p^-1 mod q). */
function rsaSigner(params: KeyParams, digestInfo: Buffer): DigestSigner | undefined {
  const { n, e } = params.publicParams;
  const { d, p, q, u } = params.privateParams ?? {};
  if (!(n instanceof Uint8Array && e instanceof Uint8Array && d && p && q && u)) return undefined;
  const dNum = bigIntOf(d);
  const key = crypto.createPrivateKey({
    key: { kty: 'RSA', n: b64(n), e: b64(e), d: b64(d), p: b64(q), q: b64(p), dp: b64(bytesOf(dNum % (bigIntOf(q) - 1n))), dq: b64(bytesOf(dNum % (bigIntOf(p) - 1n))), qi: b64(u) },
    format: 'jwk',
  });
  return (digest) => ({ s: crypto.privateEncrypt({ key, padding: crypto.constants.RSA_PKCS1_PADDING }, Buffer.concat([digestInfo, digest])) });
}

/** Legacy EdDSA over Ed25519: the Ed25519 signature of the digest itself, as r and s (32 bytes each). */
function ed25519LegacySigner(params: KeyParams): DigestSigner | undefined {
  const { oid, Q } = params.publicParams;
  const seed = params.privateParams?.seed;
  if (!(Q instanceof Uint8Array) || Q.length !== 33 || Q[0] !== 0x40 || !seed || oid instanceof Uint8Array || oid?.getName?.() !== ed25519LegacyCurve) return undefined;
  const key = crypto.createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d: b64(seed), x: b64(Q.subarray(1)) }, format: 'jwk' });
  return (digest) => {
    const signature = crypto.sign(null, digest, key);
    return { r: signature.subarray(0, 32), s: signature.subarray(32) };
  };
}

function digestSigner(params: KeyParams, digestInfo: Buffer): DigestSigner | undefined {
  const { publicKey } = openpgp.enums;
  if (!params.privateParams) return undefined;
  if (params.algorithm === publicKey.rsaEncryptSign || params.algorithm === publicKey.rsaSign) return rsaSigner(params, digestInfo);
  if (params.algorithm === publicKey.eddsaLegacy) return ed25519LegacySigner(params);
  return undefined;
}

function packetBytes(packet: openpgp.AnyPacket): Uint8Array {
  const list = new openpgp.PacketList<openpgp.AnyPacket>();
  list.push(packet);
  return list.write();
}

export interface MessageSigner {
  /** The one-pass signature packet, written before the literal data packet. */
  readonly onePassPacket: Uint8Array;
  /** The literal data's content (not its packet framing), in order. */
  update(bytes: Uint8Array): void;
  /** The signature packet, written after the literal data packet. */
  signaturePacket(): Uint8Array;
}

export interface SignerSettings {
  signingKey: openpgp.PrivateKey;
  recipientKey: openpgp.PublicKey;
  date: Date;
  config: openpgp.PartialConfig;
}

/** A signer for one message, or undefined when this path does not apply (another key or hash algorithm, a v6 signature): openpgp signs then. */
export async function createMessageSigner({ signingKey, recipientKey, date, config }: SignerSettings): Promise<MessageSigner | undefined> {
  const message = await openpgp.createMessage({ binary: new Uint8Array(0), format: 'binary' });
  // recipientKeys (in openpgp's code and documentation, not its types): the hash both keys prefer, as openpgp.encrypt signs.
  const signing = { message, signingKeys: signingKey, recipientKeys: recipientKey, format: 'object' as const, date, config };
  const template = await openpgp.sign(signing);
  const onePass = template.packets.filterByTag(openpgp.enums.packet.onePassSignature);
  const signatures = template.packets.filterByTag(openpgp.enums.packet.signature) as unknown as openpgp.SignaturePacket[];
  const signature = signatures[0];
  if (onePass.length !== 1 || signatures.length !== 1 || !signature || !onePass[0]) return undefined;
  const hash = signature.hashAlgorithm === null ? undefined : hashes.get(signature.hashAlgorithm);
  const signatureData = signature.signatureData;
  if (signature.version !== 4 || signature.signatureType !== openpgp.enums.signature.binary || !hash || !signatureData) return undefined;
  const keyPacket = signingKey.getKeys(signature.issuerKeyID)[0]?.keyPacket as unknown as KeyParams | undefined;
  if (!keyPacket || keyPacket.algorithm !== signature.publicKeyAlgorithm) return undefined;
  const sign = digestSigner(keyPacket, hash.digestInfo);
  if (!sign) return undefined;

  const hasher = crypto.createHash(hash.name);
  return {
    onePassPacket: packetBytes(onePass[0]),
    update: (bytes) => hasher.update(bytes),
    signaturePacket: () => {
      // The v4 trailer: the hashed part of the signature packet, then 0x04 0xFF and that part's length.
      const trailer = Buffer.alloc(6);
      trailer[0] = 4;
      trailer[1] = 0xff;
      trailer.writeUInt32BE(signatureData.length, 2);
      const digest = hasher.update(signatureData).update(trailer).digest();
      signature.signedHashValue = digest.subarray(0, 2);
      (signature as unknown as { params: SignatureParams }).params = sign(digest);
      return packetBytes(signature as unknown as openpgp.AnyPacket);
    },
  };
}
