import { AppError } from '../../shared/errors.ts';

/** The RFC 6749 section 5.2 error codes the token endpoint answers with. */
export const oauthErrorStatus = {
  invalid_request: 400,
  invalid_client: 401,
  unsupported_grant_type: 400,
  invalid_scope: 400,
} as const;

export type OAuthErrorCode = keyof typeof oauthErrorStatus;

/**
 * A token request refused. It is an AppError too (401 unauthorized or 400 bad request), so a caller outside the
 * token endpoint still gets a sensible answer; the endpoint itself renders `{ error, error_description }`.
 */
export class OAuthError extends AppError {
  readonly oauthError: OAuthErrorCode;
  constructor(oauthError: OAuthErrorCode, description: string) {
    super(oauthError === 'invalid_client' ? 'unauthorized' : 'bad_request', description);
    this.name = 'OAuthError';
    this.oauthError = oauthError;
  }
}
