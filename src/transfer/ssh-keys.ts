import crypto from 'node:crypto';
import ssh2 from 'ssh2';

/** Key types an account may register. ssh-dss is refused (1024 bits at most, dropped by OpenSSH). */
export const acceptedKeyTypes = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'ssh-rsa'] as const;
export type SshKeyType = (typeof acceptedKeyTypes)[number];

export const minRsaBits = 2048;
/** Bounds the cost of a signature check an attacker can ask for. */
export const maxRsaBits = 16_384;
/** A 16384-bit RSA line is about 2.8 KB; anything much longer is not one key. */
export const maxAuthorizedKeyLineLength = 8192;
export const maxKeyCommentLength = 255;

/** A public key ready to store: `publicKey` is `<type> <base64 blob>`, the comment kept apart. */
export interface ParsedSshKey {
  type: SshKeyType;
  bits: number;
  /** As `ssh-keygen -l` prints it: `SHA256:` and the unpadded base64 of the blob's SHA-256. */
  fingerprint: string;
  publicKey: string;
  comment: string | null;
}

export type KeyParse = { ok: true; key: ParsedSshKey } | { ok: false; problem: string };

const knownTypeNames = [...acceptedKeyTypes, 'ssh-dss', 'sk-ssh-ed25519@openssh.com', 'sk-ecdsa-sha2-nistp256@openssh.com'];
const typeToken = /^(ssh-|ecdsa-|sk-)[a-z0-9@.-]+$/;
const base64 = /^[A-Za-z0-9+/]+={0,2}$/;
const ecBits: Record<string, number> = { prime256v1: 256, secp384r1: 384, secp521r1: 521 };

const refuse = (problem: string): KeyParse => ({ ok: false, problem });

export function isAcceptedKeyType(value: string): value is SshKeyType {
  return (acceptedKeyTypes as readonly string[]).includes(value);
}

export function fingerprintOf(blob: Buffer): string {
  return `SHA256:${crypto.createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type written inside an SSH public key blob (its first string), or undefined if malformed. */
export function blobKeyType(blob: Buffer): string | undefined {
  if (blob.length < 4) return undefined;
  const length = blob.readUInt32BE(0);
  if (length === 0 || length > 64 || blob.length < 4 + length) return undefined;
  return blob.subarray(4, 4 + length).toString('latin1');
}

/** One OpenSSH authorized_keys line without options: `ssh-ed25519 AAAA... comment`. */
export function parseAuthorizedKey(input: string): KeyParse {
  const line = input.trim();
  if (line.length === 0) return refuse('SSH key is empty: give one line of a .pub file, like "ssh-ed25519 AAAA... comment"');
  if (line.length > maxAuthorizedKeyLineLength) return refuse(`SSH key is longer than ${maxAuthorizedKeyLineLength} characters`);
  if (/[\r\n]/.test(line)) return refuse('SSH key must be one line: give one key at a time');
  const match = /^(\S+)\s+(\S+)(?:\s+(.*))?$/.exec(line);
  const [type = '', data = '', comment] = match ? match.slice(1) : [line];
  const refusedType = checkTypeToken(type, line);
  if (refusedType) return refuse(refusedType);
  if (!base64.test(data)) return refuse(`SSH key data after "${type}" is not base64`);
  return parseBlob(type as SshKeyType, Buffer.from(data, 'base64'), comment?.trim() || null);
}

function checkTypeToken(type: string, line: string): string | undefined {
  if (isAcceptedKeyType(type)) return undefined;
  if (line.startsWith('-----BEGIN')) return 'SSH key is in PEM form (or is a private key): give the public key as one OpenSSH line, the content of the .pub file';
  if (!typeToken.test(type) && knownTypeNames.some((name) => line.includes(` ${name} `))) {
    return 'SSH key has options before its type (from=, command=, ...): they are not supported; give the key line alone';
  }
  if (type === 'ssh-dss') return 'SSH key type ssh-dss (DSA) is refused: it is limited to 1024 bits; use ssh-ed25519';
  if (typeToken.test(type)) {
    return `SSH key type ${type.slice(0, 60)} is not supported; use ssh-ed25519, ecdsa-sha2-nistp256/384/521 or ssh-rsa (at least ${minRsaBits} bits)`;
  }
  return 'SSH key is not an OpenSSH public key line like "ssh-ed25519 AAAA... comment"';
}

function parseBlob(type: SshKeyType, blob: Buffer, comment: string | null): KeyParse {
  const inner = blobKeyType(blob);
  if (inner !== type) return refuse(`SSH key data is ${inner ? `a ${inner.slice(0, 60)} key` : 'not a key'}, but the line says ${type}`);
  if (comment !== null && (comment.length > maxKeyCommentLength || /\p{Cc}/u.test(comment))) {
    return refuse(`SSH key comment must be at most ${maxKeyCommentLength} printable characters`);
  }
  const base64Blob = blob.toString('base64');
  const parsed = ssh2.utils.parseKey(`${type} ${base64Blob}`);
  const key = Array.isArray(parsed) ? (parsed[0] as ssh2.ParsedKey | undefined) : parsed;
  if (!key || key instanceof Error) return refuse(`SSH key data is not a valid ${type} key`);
  if (key.isPrivateKey() || !key.getPublicSSH().equals(blob)) return refuse(`SSH key data is not a valid ${type} public key`);
  const bits = keyBits(key);
  if (bits === undefined) return refuse(`SSH key data is not a valid ${type} key`);
  if (type === 'ssh-rsa' && bits < minRsaBits) return refuse(`RSA key of ${bits} bits refused: at least ${minRsaBits} bits are required`);
  if (type === 'ssh-rsa' && bits > maxRsaBits) return refuse(`RSA key of ${bits} bits refused: at most ${maxRsaBits} bits are accepted`);
  return { ok: true, key: { type, bits, fingerprint: fingerprintOf(blob), publicKey: `${type} ${base64Blob}`, comment } };
}

function keyBits(key: ssh2.ParsedKey): number | undefined {
  try {
    const details = crypto.createPublicKey(key.getPublicPEM());
    if (details.asymmetricKeyType === 'ed25519') return 256;
    if (details.asymmetricKeyType === 'rsa') return details.asymmetricKeyDetails?.modulusLength;
    if (details.asymmetricKeyType === 'ec') return ecBits[details.asymmetricKeyDetails?.namedCurve ?? ''];
    return undefined;
  } catch {
    return undefined;
  }
}

/** The blob of a stored `<type> <base64>` key. */
export function storedKeyBlob(publicKey: string): Buffer {
  return Buffer.from(publicKey.slice(publicKey.indexOf(' ') + 1), 'base64');
}

/**
 * Does the key a client offers equal the stored one? Blobs compared in constant time. The algorithm a
 * client names for an RSA key is its signature algorithm (rsa-sha2-256/512), so those match ssh-rsa.
 */
export function offeredKeyMatches(stored: { type: string; publicKey: string }, offered: { algo: string; data: Buffer }): boolean {
  const rsaAlgorithms = ['ssh-rsa', 'rsa-sha2-256', 'rsa-sha2-512'];
  const algoFits = stored.type === 'ssh-rsa' ? rsaAlgorithms.includes(offered.algo) : offered.algo === stored.type;
  const blob = storedKeyBlob(stored.publicKey);
  return algoFits && blob.length === offered.data.length && crypto.timingSafeEqual(blob, offered.data);
}
