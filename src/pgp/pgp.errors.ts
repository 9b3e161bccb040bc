import { AppError, type ErrorCode } from '../shared/errors.ts';

/** Why a customer's key is refused; never stored, never accepted. */
export const badKeyReasons = [
  'not_public_key',
  'private_key',
  'multiple_keys',
  'too_long',
  'expired',
  'revoked',
  'no_encryption_subkey',
  'no_signing_key',
  'weak_rsa',
  'unsupported_algorithm',
] as const;
export type BadKeyReason = (typeof badKeyReasons)[number];

/** Why a message (or the key ring) cannot be used. Stable: feed results and metrics key on them. */
export const messageReasons = [
  'not_pgp',
  'not_encrypted',
  'truncated',
  'integrity',
  'no_matching_key',
  'unsigned',
  'bad_signature',
  'unknown_signer',
  'too_large',
  'no_customer_key',
  'wrong_passphrase',
] as const;
export type MessageReason = (typeof messageReasons)[number];

export type PgpReason = MessageReason | `bad_key:${BadKeyReason}`;

const statusCodes: Partial<Record<MessageReason, ErrorCode>> = {
  too_large: 'payload_too_large',
  no_customer_key: 'conflict',
  wrong_passphrase: 'internal',
};

function codeFor(reason: PgpReason): ErrorCode {
  if (reason.startsWith('bad_key:')) return 'validation_failed';
  return statusCodes[reason as MessageReason] ?? 'bad_request';
}

/**
 * Every refusal of the PGP module: a stable `reason` for programs, a message a customer or operator can act on.
 * Messages never contain key material or plaintext.
 */
export class PgpError extends AppError {
  readonly reason: PgpReason;
  constructor(reason: PgpReason, message: string, options?: { cause?: unknown }) {
    super(codeFor(reason), message, options);
    this.name = 'PgpError';
    this.reason = reason;
  }
}

export function badKey(reason: BadKeyReason, message: string): PgpError {
  return new PgpError(`bad_key:${reason}`, message);
}

export function isPgpError(error: unknown, reason?: PgpReason): error is PgpError {
  return error instanceof PgpError && (reason === undefined || error.reason === reason);
}

/** "0x" and the 16 hex digits of a key id, as gpg prints them. */
export function formatKeyId(hex: string): string {
  return `0x${hex.toUpperCase()}`;
}

const integrityPatterns = [/Modification detected/i, /Key Data Integrity failed/i, /Session key decryption failed/i, /Authentication tag mismatch/i, /tag .*mismatch/i, /Unexpected session key/i];
const truncatedPatterns = [/Unexpected end of packet/i, /Misformed armored text/i, /Input array too short/i, /unexpected end/i, /Premature end/i];
const notPgpPatterns = [/does not conform to a valid OpenPGP format/i, /Unknown ASCII armor type/i, /Missing (required|armor)/i];
const decompressPatterns = [/incorrect header check/i, /invalid (block|distance|code|stored)/i, /bzip/i, /decompress/i, /compressed data/i];

/** Turns what openpgp threw while reading a message into a PgpError naming the cause. */
export function classifyMessageError(error: unknown, maxPlaintextBytes?: number): PgpError {
  if (error instanceof PgpError) return error;
  const text = error instanceof Error ? error.message : String(error);
  const has = (patterns: RegExp[]) => patterns.some((p) => p.test(text));
  if (/Maximum decompressed message size exceeded/i.test(text)) return tooLarge(maxPlaintextBytes);
  if (has(integrityPatterns)) {
    return new PgpError('integrity', 'the file failed its integrity check: it was modified or damaged after it was encrypted; nothing from it was used', { cause: error });
  }
  if (has(truncatedPatterns)) {
    return new PgpError('truncated', 'the file ends before the OpenPGP message does: it was truncated (an incomplete upload?); nothing from it was used', { cause: error });
  }
  if (has(decompressPatterns)) {
    return new PgpError('integrity', 'the compressed content of the file is damaged; nothing from it was used', { cause: error });
  }
  if (has(notPgpPatterns)) return notPgp('its packets are malformed', error);
  return new PgpError('integrity', `the OpenPGP message could not be read (${text.slice(0, 200)}); nothing from it was used`, { cause: error });
}

export function notPgp(detail: string, cause?: unknown): PgpError {
  return new PgpError('not_pgp', `the file is not an OpenPGP message: ${detail}`, cause === undefined ? undefined : { cause });
}

export function tooLarge(limit: number | undefined): PgpError {
  const bound = limit === undefined ? 'the limit' : `the limit of ${limit} bytes`;
  return new PgpError('too_large', `the decrypted content is larger than ${bound} (WORKGATE_PGP_MAX_PLAINTEXT_BYTES); processing stopped`);
}
