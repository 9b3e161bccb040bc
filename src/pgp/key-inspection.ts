import * as openpgp from 'openpgp';
import { describePart, fingerprintOf } from './key-material.ts';
import { badKey, formatKeyId } from './pgp.errors.ts';

export const keyPurposes = ['encrypt', 'sign'] as const;
export type KeyPurpose = (typeof keyPurposes)[number];

/** An armored key with many certifications can be large, but not this large. */
export const maxPublicKeyBytes = 256 * 1024;
const minRsaBits = 2048;

export interface PublicKeyFacts {
  fingerprint: string;
  keyId: string;
  algorithm: string;
  /** Size of the (sub)key used for the purpose; null for elliptic curves (the curve is in `algorithm`). */
  bits: number | null;
  expiresAt: Date | null;
  userId: string | null;
  /** The key as Workgate re-armored it (public parts only). */
  armored: string;
}

export interface InspectedKey {
  key: openpgp.PublicKey;
  facts: PublicKeyFacts;
}

function looksPrivate(input: string | Uint8Array): boolean {
  const text = typeof input === 'string' ? input : Buffer.from(input.subarray(0, 4096)).toString('latin1');
  return /-----BEGIN PGP PRIVATE KEY BLOCK-----/.test(text);
}

function armorBlocks(input: string | Uint8Array): number {
  const text = typeof input === 'string' ? input : Buffer.from(input).toString('latin1');
  return text.match(/-----BEGIN PGP [A-Z ]+-----/g)?.length ?? 0;
}

async function readOneKey(input: string | Uint8Array): Promise<openpgp.Key> {
  const blocks = armorBlocks(input);
  if (blocks > 1) throw badKey('multiple_keys', `this contains ${blocks} armored blocks; send exactly one key`);
  let keys: openpgp.Key[];
  try {
    const isText = typeof input === 'string' || Buffer.from(input.subarray(0, 64)).toString('latin1').trimStart().startsWith('-----BEGIN');
    const text = typeof input === 'string' ? input : Buffer.from(input).toString('latin1');
    keys = isText ? await openpgp.readKeys({ armoredKeys: text }) : await openpgp.readKeys({ binaryKeys: input as Uint8Array });
  } catch (error) {
    throw badKey('not_public_key', `this is not an OpenPGP public key (${(error as Error).message.slice(0, 120)}); export it with "gpg --armor --export <key>"`);
  }
  if (keys.length !== 1) throw badKey('multiple_keys', `this contains ${keys.length} keys; send exactly one`);
  return keys[0] as openpgp.Key;
}

async function checkValidity(key: openpgp.Key, now: Date): Promise<Date | null> {
  const id = formatKeyId(key.getKeyID().toHex());
  if (await key.isRevoked(undefined, undefined, now)) throw badKey('revoked', `key ${id} has been revoked by its owner; ask for a current key`);
  const expiration = await key.getExpirationTime();
  if (expiration instanceof Date && expiration.getTime() <= now.getTime()) {
    throw badKey('expired', `key ${id} expired on ${expiration.toISOString().slice(0, 10)}; ask for a current key (or an extended expiry)`);
  }
  try {
    await key.verifyPrimaryKey(now);
  } catch (error) {
    throw badKey('not_public_key', `key ${id} is not usable: ${(error as Error).message.slice(0, 120)}`);
  }
  return expiration instanceof Date ? expiration : null;
}

function checkRsaSize(part: { getAlgorithmInfo(): openpgp.AlgorithmInfo; getKeyID(): openpgp.KeyID }): void {
  const info = part.getAlgorithmInfo();
  if (info.algorithm.startsWith('rsa') && (info.bits ?? 0) < minRsaBits) {
    throw badKey('weak_rsa', `key ${formatKeyId(part.getKeyID().toHex())} is RSA ${info.bits ?? '?'} bits; at least ${minRsaBits} bits are required`);
  }
}

async function keyFor(key: openpgp.Key, purpose: KeyPurpose, now: Date) {
  const id = formatKeyId(key.getKeyID().toHex());
  try {
    return purpose === 'encrypt' ? await key.getEncryptionKey(undefined, now) : await key.getSigningKey(undefined, now);
  } catch (error) {
    const detail = (error as Error).message.replace(/^Could not find valid \w+ key packet in key \w+: ?/, '').slice(0, 120);
    if (purpose === 'encrypt') throw badKey('no_encryption_subkey', `key ${id} has no valid encryption-capable (sub)key${detail ? ` (${detail})` : ''}`);
    throw badKey('no_signing_key', `key ${id} has no valid signing-capable key${detail ? ` (${detail})` : ''}`);
  }
}

/**
 * Checks a customer's public key for a purpose, and says why it is refused: a private key pasted by mistake
 * (never stored, never echoed), revoked, expired, RSA under 2048 bits, no (sub)key for the purpose, not a key.
 */
export async function inspectPublicKey(input: string | Uint8Array, purpose: KeyPurpose, now: Date): Promise<InspectedKey> {
  if (input.length > maxPublicKeyBytes) throw badKey('too_long', `a public key may be at most ${maxPublicKeyBytes} bytes`);
  if (looksPrivate(input)) throw badKey('private_key', 'this is a PRIVATE key: it was not stored. Send the public key only ("gpg --armor --export <key>"), and consider this private key exposed');
  const key = await readOneKey(input);
  if (key.isPrivate()) throw badKey('private_key', 'this is a PRIVATE key: it was not stored. Send the public key only ("gpg --armor --export <key>"), and consider this private key exposed');
  const expiresAt = await checkValidity(key, now);
  checkRsaSize(key);
  const part = await keyFor(key, purpose, now);
  checkRsaSize(part);
  const bits = part.getAlgorithmInfo().bits;
  const publicKey = key as openpgp.PublicKey;
  return {
    key: publicKey,
    facts: {
      fingerprint: fingerprintOf(key),
      keyId: key.getKeyID().toHex().toUpperCase(),
      algorithm: [...new Set([describePart(key), describePart(part)])].join('/'),
      bits: bits ?? null,
      expiresAt,
      userId: key.getUserIDs()[0]?.slice(0, 255) ?? null,
      armored: publicKey.armor(),
    },
  };
}
