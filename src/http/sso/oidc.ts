import * as client from 'openid-client';
import type { Identity } from './access.ts';
import type { LoginState } from './login-states.ts';
import type { OidcSettings, Provider } from './provider.types.ts';
import { SsoError, type RefusalReason } from './sso.errors.ts';
import { isLoopbackHost, providerUrlProblem } from './urls.ts';

export interface OidcOptions {
  /** Accepted clock difference for id_token times, in seconds. */
  clockToleranceSeconds: number;
  /** How long a discovered configuration is reused. */
  cacheSeconds?: number;
}

export interface OidcResult {
  identity: Identity;
  idToken: string;
}

const maxClaimLength = 255;
const endpointFields = ['authorization_endpoint', 'token_endpoint', 'jwks_uri', 'end_session_endpoint'] as const;

/** Discovered endpoints obey the same rule as the issuer: https, or http on loopback. */
function checkEndpoints(config: client.Configuration): void {
  const metadata = config.serverMetadata();
  for (const field of endpointFields) {
    const value = metadata[field];
    if (value === undefined && field === 'end_session_endpoint') continue;
    const problem = typeof value === 'string' ? providerUrlProblem(value) : 'is missing';
    if (problem) throw new SsoError('provider_error', `The provider's ${field} ${problem}.`);
  }
}

/** openid-client wraps precise errors in general ones: the whole chain of messages, an HTTP answer as its status. */
function causeChain(error: unknown): string {
  const messages: string[] = [];
  for (let e = error, depth = 0; depth < 5; e = (e as Error).cause, depth += 1) {
    if (e instanceof Response) messages.push(`HTTP ${e.status}`);
    if (!(e instanceof Error)) break;
    messages.push(e.message);
  }
  return messages.length > 0 ? messages.join(': ') : String(error);
}

/** Maps openid-client's refusals to a reason and a sentence; the library's own message is kept for the audit. */
export function oidcRefusal(error: unknown): SsoError {
  if (error instanceof SsoError) return error;
  const message = causeChain(error);
  const rules: Array<[RegExp, RefusalReason, string]> = [
    [/"state"/, 'state_mismatch', "The response's state does not match the sign-in this browser started."],
    [/"nonce"/, 'nonce_mismatch', "The id_token's nonce does not match the sign-in this browser started."],
    [/"iss"/, 'wrong_issuer', 'The id_token or response comes from another issuer than the configured one.'],
    [/"aud"|"azp"/, 'wrong_audience', 'The id_token was issued for another client.'],
    [/signature/i, 'invalid_signature', "The id_token's signature does not verify with the provider's keys."],
    [/"exp"|"iat"|"nbf"|timestamp/i, 'expired', 'The id_token is expired or not yet valid.'],
  ];
  const match = rules.find(([pattern]) => pattern.test(message));
  if (error instanceof client.AuthorizationResponseError) {
    return new SsoError('provider_error', `The identity provider refused the sign-in: ${error.error}${error.error_description ? ` (${error.error_description.slice(0, 200)})` : ''}.`, { cause: error });
  }
  if (match) return new SsoError(match[1], match[2], { cause: error });
  return new SsoError('invalid_response', `The identity provider's response was refused: ${message.slice(0, 200)}.`, { cause: error });
}

/** OpenID Connect with openid-client: discovery, authorization code with PKCE, state and nonce, signed id_tokens. */
export function createOidc(options: OidcOptions) {
  const cacheMs = (options.cacheSeconds ?? 3600) * 1000;
  const cache = new Map<string, { key: string; at: number; config: Promise<client.Configuration> }>();

  async function discover(settings: OidcSettings, secret: string): Promise<client.Configuration> {
    const issuer = new URL(settings.issuer);
    const execute = [client.enableNonRepudiationChecks, ...(issuer.protocol === 'http:' && isLoopbackHost(issuer.hostname) ? [client.allowInsecureRequests] : [])];
    let config: client.Configuration;
    try {
      config = await client.discovery(issuer, settings.clientId, { [client.clockTolerance]: options.clockToleranceSeconds }, client.ClientSecretBasic(secret), { execute, timeout: 10 });
    } catch (error) {
      throw new SsoError('provider_error', `OpenID Connect discovery of ${settings.issuer} failed: ${causeChain(error).slice(0, 300)}`, { cause: error });
    }
    checkEndpoints(config);
    return config;
  }

  function configFor(provider: Provider): Promise<client.Configuration> {
    const settings = provider.settings as OidcSettings;
    const key = `${provider.updatedAt.getTime()}|${settings.issuer}|${settings.clientId}`;
    const cached = cache.get(provider.name);
    if (cached && cached.key === key && Date.now() - cached.at < cacheMs) return cached.config;
    const config = discover(settings, provider.clientSecret ?? '');
    config.catch(() => cache.delete(provider.name));
    cache.set(provider.name, { key, at: Date.now(), config });
    return config;
  }

  function identityOf(provider: Provider, claims: client.IDToken): Identity {
    const settings = provider.settings as OidcSettings;
    const value = claims[settings.claim];
    if ((typeof value !== 'string' && typeof value !== 'number') || String(value).length === 0 || String(value).length > maxClaimLength) {
      throw new SsoError('invalid_response', `The id_token has no usable "${settings.claim}" claim to identify you.`);
    }
    const email = typeof claims.email === 'string' && claims.email_verified !== false && claims.email.length <= 255 ? claims.email : null;
    const login = typeof claims.preferred_username === 'string' && claims.preferred_username.length <= 255 ? claims.preferred_username : null;
    return { provider: provider.name, subject: String(value), email, login };
  }

  return {
    /** Discovery with the given settings, so a provider is saved only when it answers. */
    async probe(settings: OidcSettings): Promise<void> {
      await discover(settings, 'probe');
    },

    forget(name: string): void {
      cache.delete(name);
    },

    async authorizationUrl(provider: Provider, state: LoginState, redirectUri: string): Promise<string> {
      const config = await configFor(provider);
      const parameters = {
        redirect_uri: redirectUri,
        scope: (provider.settings as OidcSettings).scopes,
        response_type: 'code',
        state: state.state,
        nonce: state.nonce ?? '',
        code_challenge: await client.calculatePKCECodeChallenge(state.codeVerifier ?? ''),
        code_challenge_method: 'S256',
      };
      return client.buildAuthorizationUrl(config, parameters).href;
    },

    /** The callback: state, then the code exchange, then the id_token's signature, issuer, audience, nonce, times. */
    async finish(provider: Provider, state: LoginState, callbackUrl: URL): Promise<OidcResult> {
      const config = await configFor(provider);
      try {
        const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
          pkceCodeVerifier: state.codeVerifier ?? '',
          expectedState: state.state,
          expectedNonce: state.nonce ?? '',
          idTokenExpected: true,
        });
        const claims = tokens.claims();
        if (!claims || !tokens.id_token) throw new SsoError('invalid_response', 'The provider answered without an id_token.');
        return { identity: identityOf(provider, claims), idToken: tokens.id_token };
      } catch (error) {
        throw oidcRefusal(error);
      }
    },

    /** RP-initiated logout at the provider, when it offers it. */
    async endSessionUrl(provider: Provider, idToken: string | null, postLogoutRedirectUri: string): Promise<string | undefined> {
      const config = await configFor(provider).catch(() => undefined);
      if (!config?.serverMetadata().end_session_endpoint) return undefined;
      const parameters: Record<string, string> = { post_logout_redirect_uri: postLogoutRedirectUri, client_id: (provider.settings as OidcSettings).clientId };
      if (idToken) parameters.id_token_hint = idToken;
      return client.buildEndSessionUrl(config, parameters).href;
    },
  };
}

export type Oidc = ReturnType<typeof createOidc>;

export const newPkceVerifier = (): string => client.randomPKCECodeVerifier();
export const newNonce = (): string => client.randomNonce();
