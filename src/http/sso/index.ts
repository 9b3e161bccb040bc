/**
 * Sign-in of people: OpenID Connect and SAML 2.0 identity providers, the local break-glass admin, server-side
 * browser sessions (which the /api auth hook accepts, with CSRF protection), GET /api/me, and the gates that
 * decide who reaches the console and the Workforce pages.
 */
export { createSsoService, type SsoService, type SsoSettings, type SsoDeps } from './sso.service.ts';
export { ssoRoutes, type SsoRoutesOptions } from './sso.routes.ts';
export { registerSsoApi } from './api.routes.ts';
export { createSessionAuthenticator } from './session-auth.ts';
export { registerSsoCommands, ssoForCli } from './sso.cli.ts';
export { consoleScopes, workforceAdminRole, type Access, type Identity, type Reach } from './access.ts';
export { localLoginLimits } from './local-admins.ts';
export { isLoopbackHost, providerUrlProblem, safeReturnTo } from './urls.ts';
export type { ProviderInfo, ProviderKind, MatchFallback } from './provider.types.ts';
export type { SessionSettings } from './sessions.ts';
