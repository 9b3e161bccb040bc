import * as openpgp from 'openpgp';
import { PgpError } from './pgp.errors.ts';

export const workgateKeyTypes = ['ecc', 'rsa4096'] as const;
export type WorkgateKeyType = (typeof workgateKeyTypes)[number];

export interface GeneratedKey {
  fingerprint: string;
  keyId: string;
  algorithm: string;
  /** Encrypted with the passphrase when there is one. */
  privateArmored: string;
  publicArmored: string;
  createdAt: Date;
}

const curveNames: Record<string, string> = {
  ed25519Legacy: 'ed25519',
  curve25519Legacy: 'cv25519',
  nistP256: 'nistp256',
  nistP384: 'nistp384',
  nistP521: 'nistp521',
  secp256k1: 'secp256k1',
  brainpoolP256r1: 'brainpoolP256r1',
  brainpoolP384r1: 'brainpoolP384r1',
  brainpoolP512r1: 'brainpoolP512r1',
};

/** One key part as gpg names it: rsa3072, ed25519, cv25519, x25519, ... */
export function describePart(part: { getAlgorithmInfo(): openpgp.AlgorithmInfo }): string {
  const info = part.getAlgorithmInfo();
  if (info.algorithm.startsWith('rsa')) return `rsa${info.bits ?? ''}`;
  if (info.curve) return curveNames[info.curve] ?? info.curve;
  return info.algorithm;
}

/** The primary key's algorithm and, when different, the subkeys': "ed25519/cv25519", "rsa4096". */
export function describeKey(key: openpgp.Key): string {
  const names = key.getKeys().map(describePart);
  return [...new Set(names)].join('/').slice(0, 40);
}

export function fingerprintOf(key: openpgp.Key): string {
  return key.getFingerprint().toUpperCase();
}

/**
 * Workgate's own key: v4, ed25519 primary with a cv25519 encryption subkey (openpgp's default, which GnuPG 2.2
 * reads; `type: 'curve25519'` would make RFC 9580 keys GnuPG 2.2 refuses), or RSA 4096.
 */
export async function generateWorkgateKey(type: WorkgateKeyType, passphrase: string | undefined, date: Date): Promise<GeneratedKey> {
  const options = type === 'rsa4096' ? { type: 'rsa' as const, rsaBits: 4096 } : { type: 'ecc' as const, curve: 'curve25519Legacy' as const };
  const { privateKey } = await openpgp.generateKey({
    ...options,
    userIDs: [{ name: 'Workgate' }],
    date,
    format: 'object',
    config: { v6Keys: false, aeadProtect: false },
  });
  const locked = passphrase ? await openpgp.encryptKey({ privateKey, passphrase }) : privateKey;
  return {
    fingerprint: fingerprintOf(privateKey),
    keyId: privateKey.getKeyID().toHex().toUpperCase(),
    algorithm: describeKey(privateKey),
    privateArmored: locked.armor(),
    publicArmored: privateKey.toPublic().armor(),
    createdAt: privateKey.getCreationTime(),
  };
}

export interface UnlockedKey {
  key: openpgp.PrivateKey;
  /** The file held the key unprotected although a passphrase is configured. */
  wasUnprotected: boolean;
}

/** Reads a private key file's text and unlocks it, or says clearly why it cannot. */
export async function unlockKey(armored: string, passphrase: string | undefined, where: string): Promise<UnlockedKey> {
  const key = await openpgp.readPrivateKey({ armoredKey: armored });
  if (key.isDecrypted()) return { key, wasUnprotected: passphrase !== undefined };
  if (passphrase === undefined) {
    throw new PgpError('wrong_passphrase', `Workgate's PGP key ${fingerprintOf(key)} (${where}) is protected by a passphrase: set WORKGATE_PGP_PASSPHRASE`);
  }
  try {
    return { key: await openpgp.decryptKey({ privateKey: key, passphrase }), wasUnprotected: false };
  } catch (error) {
    throw new PgpError('wrong_passphrase', `WORKGATE_PGP_PASSPHRASE does not unlock Workgate's PGP key ${fingerprintOf(key)} (${where}): wrong passphrase`, { cause: error });
  }
}

/** The armored private key, protected with the passphrase. */
export async function protectKey(key: openpgp.PrivateKey, passphrase: string): Promise<string> {
  return (await openpgp.encryptKey({ privateKey: key, passphrase })).armor();
}
