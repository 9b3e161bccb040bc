import crypto from 'node:crypto';
import { SAML, SamlStatusError, ValidateInResponseTo, type CacheProvider, type Profile } from '@node-saml/node-saml';
import type { Db } from '../../db/index.ts';
import type { Identity } from './access.ts';
import { loginStateSeconds, type LoginState } from './login-states.ts';
import type { Provider, SamlSettings } from './provider.types.ts';
import { assertionFacts, checkResponsePolicy, decodeSamlResponse } from './saml-checks.ts';
import { SsoError, type RefusalReason } from './sso.errors.ts';
import { sha256 } from './tokens.ts';

export interface SpUrls {
  /** Our entity id: the stable metadata URL. */
  entityId: string;
  acsUrl: string;
}

export interface SamlDeps {
  db: Db;
  clock: () => Date;
  /** Accepted clock difference for assertion times, in milliseconds. */
  clockSkewMs: number;
}

const emailAttributes = ['email', 'mail', 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress', 'urn:oid:0.9.2342.19200300.100.1.3'];
const loginAttributes = ['login', 'uid', 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name', 'urn:oid:0.9.2342.19200300.100.1.1'];
/** Assertions are remembered at most this long, whatever their own validity says. */
const maxRememberMs = 7 * 86_400_000;

/** node-saml looks the request id up here: only the request this browser's sign-in started is known. */
function oneRequestCache(state: LoginState | undefined): CacheProvider {
  return {
    saveAsync: async () => null,
    getAsync: async (key) => (state?.samlRequestId && key === state.samlRequestId ? state.createdAt.toISOString() : null),
    removeAsync: async () => null,
  };
}

const nodeSamlRules: Array<[RegExp, RefusalReason, string]> = [
  [/multiple assertions/i, 'invalid_signature', 'The SAML response carries more than one assertion (a signature wrapping attempt).'],
  [/InResponseTo/i, 'state_mismatch', 'The SAML response does not answer the sign-in request this browser started.'],
  [/audience/i, 'wrong_audience', 'The SAML assertion is meant for another service (audience).'],
  [/expired|NotBefore|subject confirmation|too old/i, 'expired', 'The SAML assertion is expired or not yet valid.'],
  [/signature|signed/i, 'invalid_signature', 'The SAML assertion is not signed by the configured identity provider certificate.'],
];

export function samlRefusal(error: unknown): SsoError {
  if (error instanceof SsoError) return error;
  if (error instanceof SamlStatusError) return new SsoError('provider_error', `The identity provider refused the sign-in: ${error.message.slice(0, 200)}.`, { cause: error });
  const message = error instanceof Error ? error.message : String(error);
  const match = nodeSamlRules.find(([pattern]) => pattern.test(message));
  return match ? new SsoError(match[1], match[2], { cause: error }) : new SsoError('invalid_response', `The SAML response was refused: ${message.slice(0, 200)}.`, { cause: error });
}

function attribute(profile: Profile, names: readonly string[]): string | null {
  for (const name of names) {
    const value = profile[name];
    if (typeof value === 'string' && value.length > 0 && value.length <= 255) return value;
  }
  return null;
}

/** SAML 2.0 with node-saml: signed assertions only, SHA-256, audience, recipient, issuer, times, InResponseTo, replay. */
export function createSaml(deps: SamlDeps) {
  const k = deps.db.kysely;
  let lastPurgeMs = Number.NEGATIVE_INFINITY;

  function samlFor(settings: SamlSettings, urls: SpUrls, state?: LoginState): SAML {
    return new SAML({
      callbackUrl: urls.acsUrl,
      entryPoint: settings.ssoUrl,
      issuer: urls.entityId,
      audience: urls.entityId,
      idpIssuer: settings.idpEntityId,
      idpCert: settings.idpCerts,
      wantAssertionsSigned: true,
      wantAuthnResponseSigned: false,
      signatureAlgorithm: 'sha256',
      digestAlgorithm: 'sha256',
      acceptedClockSkewMs: deps.clockSkewMs,
      validateInResponseTo: ValidateInResponseTo.always,
      requestIdExpirationPeriodMs: loginStateSeconds * 1000,
      cacheProvider: oneRequestCache(state),
      generateUniqueId: () => state?.samlRequestId ?? `_${crypto.randomBytes(20).toString('hex')}`,
      identifierFormat: null,
      disableRequestedAuthnContext: true,
    });
  }

  async function remember(provider: string, facts: { id: string; notOnOrAfter: Date | null }): Promise<void> {
    const now = deps.clock();
    if (now.getTime() - lastPurgeMs > 60_000) {
      lastPurgeMs = now.getTime();
      await k.deleteFrom('sso_saml_assertions').where('expires_at', '<', now.toISOString()).execute();
    }
    const until = Math.min((facts.notOnOrAfter?.getTime() ?? now.getTime() + 86_400_000) + deps.clockSkewMs, now.getTime() + maxRememberMs);
    try {
      await k.insertInto('sso_saml_assertions').values({ assertion_id: sha256(`${provider}|${facts.id}`), provider, expires_at: new Date(until).toISOString() }).execute();
    } catch (error) {
      if (deps.db.adapter.isUniqueViolation(error)) throw new SsoError('replayed', 'This SAML assertion was already used to sign in; it cannot be used twice.');
      throw error;
    }
  }

  function identityOf(provider: Provider, profile: Profile): Identity {
    const settings = provider.settings as SamlSettings;
    const subject = settings.claim.toLowerCase() === 'nameid' ? profile.nameID : attribute(profile, [settings.claim]);
    if (!subject || subject.length > 255) throw new SsoError('invalid_response', `The SAML assertion has no usable ${settings.claim === 'nameid' ? 'NameID' : `"${settings.claim}" attribute`} to identify you.`);
    const email = attribute(profile, emailAttributes) ?? (/^[^@\s]+@[^@\s]+$/.test(profile.nameID ?? '') ? profile.nameID : null);
    return { provider: provider.name, subject, email, login: attribute(profile, loginAttributes) ?? profile.nameID ?? null };
  }

  return {
    /** The IdP's SSO URL with a deflated AuthnRequest (id: the state's request id) and RelayState = state. */
    async authorizationUrl(provider: Provider, state: LoginState, urls: SpUrls): Promise<string> {
      return samlFor(provider.settings as SamlSettings, urls, state).getAuthorizeUrlAsync(state.state, undefined, {});
    },

    /** Validates a posted response for this state's request; refuses anything doubtful with a reason. */
    async finish(provider: Provider, state: LoginState, samlResponse: string, urls: SpUrls): Promise<Identity> {
      const settings = provider.settings as SamlSettings;
      try {
        checkResponsePolicy(decodeSamlResponse(samlResponse), urls.acsUrl);
        const { profile } = await samlFor(settings, urls, state).validatePostResponseAsync({ SAMLResponse: samlResponse.replace(/\s+/g, '') });
        if (!profile) throw new SsoError('invalid_response', 'The SAML response carries no assertion.');
        if (profile.issuer !== settings.idpEntityId) throw new SsoError('wrong_issuer', `The SAML assertion was issued by ${String(profile.issuer).slice(0, 200)}, not by ${settings.idpEntityId}.`);
        const facts = assertionFacts(profile.getAssertion?.());
        if (!facts.recipients.includes(urls.acsUrl)) throw new SsoError('wrong_recipient', 'The SAML assertion is addressed to another recipient than this service.');
        await remember(provider.name, facts);
        return identityOf(provider, profile);
      } catch (error) {
        throw samlRefusal(error);
      }
    },

    /** Our SP metadata: entity id, ACS (HTTP-POST), signed assertions wanted. */
    metadata(provider: Provider, urls: SpUrls): string {
      return samlFor(provider.settings as SamlSettings, urls).generateServiceProviderMetadata(null, null);
    },
  };
}

export type Saml = ReturnType<typeof createSaml>;
