/** Authentication and limits for programs: API keys, OAuth 2.0 client credentials, scopes, rate limits. */
export { scopes, isScope, type Scope } from './scopes.ts';
export {
  createAuthService,
  type AuthService,
  type AuthServiceDeps,
  type Authenticator,
  type TokenIssuer,
} from './auth.service.ts';
export type { Principal } from './principal.ts';
export { adminApiKeyName, type ApiKeyInfo } from './api-keys.ts';
export { tokenLifetimeSeconds, type ClientCredentials, type IssuedToken, type OAuthClientInfo } from './oauth-clients.ts';
export { OAuthError, type OAuthErrorCode } from './oauth.errors.ts';
export { createRateLimiter, type RateDecision, type RateLimiter, type RateLimitSettings } from './rate-limiter.ts';
export { authPlugin, createAuthHooks, requireScope, type AuthHookOptions, type RequestHook, type SessionAuthenticator } from './auth.plugin.ts';
export { oauthRoutes, type OAuthRoutesOptions } from './oauth.routes.ts';
export { hashSecret, verifySecret } from './secrets.ts';
export { registerOAuthClientRoutes, presentClient } from './clients.routes.ts';

/**
 * pino `redact` paths that keep credentials out of logs, wherever a request, its headers or a token request
 * body is logged. The server passes them to its logger: `pino({ redact: authRedactPaths })`.
 */
export const authRedactPaths: string[] = [
  'req.headers.authorization',
  'req.headers["x-coupa-api-key"]',
  'request.headers.authorization',
  'request.headers["x-coupa-api-key"]',
  'headers.authorization',
  'headers["x-coupa-api-key"]',
  'req.body.client_secret',
  'body.client_secret',
  'client_secret',
  'clientSecret',
  'access_token',
  'accessToken',
];
