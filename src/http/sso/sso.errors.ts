/**
 * Why a sign-in or a session was refused: a stable reason (kept in the audit trail) and a sentence for the
 * person in front of the browser. Never carries a secret or a raw token.
 */
export const refusalReasons = [
  'unknown_provider',
  'provider_disabled',
  'bad_request',
  'state_missing',
  'state_mismatch',
  'provider_error',
  'invalid_response',
  'invalid_signature',
  'wrong_audience',
  'wrong_recipient',
  'wrong_issuer',
  'expired',
  'replayed',
  'weak_algorithm',
  'nonce_mismatch',
  'unknown_identity',
  'ambiguous_identity',
  'inactive',
  'no_licence',
  'no_role',
  'not_admin',
  'bad_credentials',
  'rate_limited',
  'return_to_off_site',
  'csrf',
  'session_ended',
  'session_expired',
  'session_unknown',
] as const;

export type RefusalReason = (typeof refusalReasons)[number];

export class SsoError extends Error {
  readonly reason: RefusalReason;
  /** HTTP status of the page that shows it. */
  readonly status: number;
  /** Set once the refusal is in the audit trail, so the page renderer does not record it twice. */
  audited = false;
  constructor(reason: RefusalReason, message: string, options?: { status?: number; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SsoError';
    this.reason = reason;
    this.status = options?.status ?? 400;
  }
}
