import type * as openpgp from 'openpgp';
import { formatKeyId, PgpError } from './pgp.errors.ts';

export interface SignerFacts {
  keyId: string;
  /** Primary key fingerprint of the verifying key. */
  fingerprint: string;
}

type Verification = Awaited<ReturnType<typeof openpgp.decrypt>>['signatures'][number];

type Checked = { keyId: string; ok: true } | { keyId: string; ok: false; unknown: boolean; detail: string };

async function check(signature: Verification): Promise<Checked> {
  const keyId = signature.keyID.toHex().toUpperCase();
  try {
    await signature.verified;
    return { keyId, ok: true };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { keyId, ok: false, unknown: /Could not find signing key/i.test(detail), detail };
  }
}

function signerOf(keyId: string, keys: readonly openpgp.PublicKey[]): SignerFacts {
  const key = keys.find((k) => k.getKeys().some((sub) => sub.getKeyID().toHex().toUpperCase() === keyId));
  return { keyId, fingerprint: key ? key.getFingerprint().toUpperCase() : '' };
}

/**
 * After the plaintext ended: a verified signer, or null when none is needed; a PgpError when a signature does not
 * verify (always), or when no signature by a known key exists and one is required.
 */
export async function checkSignatures(signatures: Verification[], keys: readonly openpgp.PublicKey[], required: boolean): Promise<SignerFacts | null> {
  const results = await Promise.all(signatures.map(check));
  const good = results.find((r) => r.ok);
  if (good) return signerOf(good.keyId, keys);
  const bad = results.find((r): r is Extract<Checked, { ok: false }> => !r.ok && !r.unknown);
  if (bad) {
    throw new PgpError('bad_signature', `the signature by key ${formatKeyId(bad.keyId)} does not match the file (${bad.detail.slice(0, 160)}): it was modified after signing, or signed wrongly`);
  }
  if (!required) return null;
  if (results.length === 0) throw new PgpError('unsigned', 'the file is not signed, and this account requires signed files');
  const ids = results.map((r) => formatKeyId(r.keyId)).join(', ');
  throw new PgpError('unknown_signer', `the file is signed by key ${ids}, which is not the signing key registered for this account`);
}
