import { AppError, NotFoundError, ValidationError } from '../../shared/errors.ts';
import type { SsoAudit } from './audit.ts';
import { matchFallbacks, type MatchFallback, type OidcProviderInput, type OidcSettings, type Provider, type ProviderChanges, type ProviderInfo, type SamlProviderInput, type SamlSettings } from './provider.types.ts';
import { createProvidersRepo } from './providers.repo.ts';
import { fetchIdpMetadata, parseIdpMetadata, toPem } from './saml-metadata.ts';
import { checkProviderUrl } from './urls.ts';
import type { Db } from '../../db/index.ts';

const resource = 'identity provider';
const namePattern = /^[a-z0-9][a-z0-9_-]{0,62}$/;
/** Path segments of /auth/ that are not providers. */
const reservedNames = new Set(['local', 'logout', 'logged-out', 'login', 'me']);
const claimPattern = /^[A-Za-z0-9_.:/#-]{1,200}$/;

export interface ProvidersDeps {
  db: Db;
  clock: () => Date;
  audit: SsoAudit;
  /** Checks an OIDC provider answers discovery with acceptable endpoints before it is saved. */
  probeOidc(settings: OidcSettings): Promise<void>;
  /** Called after every change, so cached provider configurations are dropped. */
  changed(name: string): void;
}

const invalid = (field: string, message: string): never => {
  throw new ValidationError(resource, [{ field, message }]);
};

function checkName(name: string): string {
  if (!namePattern.test(name)) invalid('name', 'Name must be 1 to 63 lower-case letters, digits, "-" or "_", starting with a letter or digit');
  if (reservedNames.has(name)) invalid('name', `Name "${name}" is reserved`);
  return name;
}

function checkText(field: string, value: string | undefined, max: number): string {
  const trimmed = (value ?? '').trim();
  if (trimmed.length === 0) invalid(field, `${field} can't be blank`);
  if (trimmed.length > max) invalid(field, `${field} is too long (maximum is ${max} characters)`);
  return trimmed;
}

function checkClaim(value: string | undefined, fallbackDefault: string): string {
  const claim = value === undefined || value === '' ? fallbackDefault : value;
  if (!claimPattern.test(claim)) invalid('claim', 'claim must be 1 to 200 characters of letters, digits and . _ : / # -');
  return claim;
}

function checkFallback(value: string | undefined): MatchFallback {
  const fallback = value === undefined || value === '' ? 'none' : value;
  if (!(matchFallbacks as readonly string[]).includes(fallback)) invalid('fallback', `fallback must be one of ${matchFallbacks.join(', ')}`);
  return fallback as MatchFallback;
}

function checkScopes(value: string | undefined): string {
  const list = (value ?? 'openid email profile').split(/[\s,]+/).filter(Boolean);
  if (list.some((s) => !/^[\x21\x23-\x5b\x5d-\x7e]{1,100}$/.test(s)) || list.length > 20) invalid('scopes', 'scopes must be up to 20 OAuth scope names');
  return [...new Set(['openid', ...list])].join(' ');
}

function checkSecret(value: string | undefined): string {
  if (value === undefined || value.length === 0) invalid('client-secret', "client-secret can't be blank");
  if (value!.length > 1024 || [...value!].some((c) => c.charCodeAt(0) < 0x20)) invalid('client-secret', 'client-secret must be at most 1024 printable characters');
  return value!;
}

/** The provider must answer discovery before it is saved; its failure is the issuer's validation error. */
async function probed(deps: ProvidersDeps, settings: OidcSettings): Promise<void> {
  try {
    await deps.probeOidc(settings);
  } catch (error) {
    invalid('issuer', error instanceof Error ? error.message : String(error));
  }
}

export function presentInfo(provider: Provider): ProviderInfo {
  const { clientSecret: _secret, ...info } = provider;
  return info;
}

/** Identity providers, added and changed through the admin API and the CLI. */
export function createProvidersService(deps: ProvidersDeps) {
  const repo = createProvidersRepo(deps.db);
  const now = () => deps.clock().toISOString();

  async function samlSettings(input: SamlProviderInput | ProviderChanges, base: SamlSettings | undefined, claim: string, fallback: MatchFallback): Promise<SamlSettings> {
    const xml = input.metadataUrl !== undefined ? await fetchIdpMetadata(checkText('metadata-url', input.metadataUrl, 2048)) : input.metadataXml;
    if (xml !== undefined) {
      const parsed = parseIdpMetadata(xml);
      return { kind: 'saml', idpEntityId: parsed.entityId, ssoUrl: parsed.ssoUrl, idpCerts: parsed.certs, metadataUrl: input.metadataUrl ?? null, claim, fallback };
    }
    const idpEntityId = input.idpEntityId ?? base?.idpEntityId;
    const ssoUrl = input.ssoUrl ?? base?.ssoUrl;
    const certs = input.certificate !== undefined ? [toPem(input.certificate)] : base?.idpCerts;
    if (idpEntityId === undefined || ssoUrl === undefined || certs === undefined) {
      invalid('metadata', 'give the IdP metadata (XML or URL), or its entity id, SSO URL and signing certificate');
    }
    return {
      kind: 'saml',
      idpEntityId: checkText('idp-entity-id', idpEntityId, 1024),
      ssoUrl: checkProviderUrl(resource, 'sso-url', checkText('sso-url', ssoUrl, 2048)),
      idpCerts: certs!,
      metadataUrl: input.metadataUrl ?? base?.metadataUrl ?? null,
      claim,
      fallback,
    };
  }

  function oidcSettings(input: OidcProviderInput | ProviderChanges, base: OidcSettings | undefined, claim: string, fallback: MatchFallback): OidcSettings {
    return {
      kind: 'oidc',
      issuer: checkProviderUrl(resource, 'issuer', checkText('issuer', input.issuer ?? base?.issuer, 2048)),
      clientId: checkText('client-id', input.clientId ?? base?.clientId, 255),
      scopes: checkScopes(input.scopes ?? base?.scopes),
      claim,
      fallback,
    };
  }

  async function insert(name: string, settings: OidcSettings | SamlSettings, secret: string | null, actor: string): Promise<ProviderInfo> {
    if (await repo.find(name)) throw new AppError('conflict', `identity provider ${name} already exists`);
    try {
      await repo.insert({ name, kind: settings.kind, enabled: true, settings, secret }, actor, now());
    } catch (error) {
      if (deps.db.adapter.isUniqueViolation(error)) throw new AppError('conflict', `identity provider ${name} already exists`);
      throw error;
    }
    await deps.audit.record({ event: 'provider_added', provider: name, login: actor, message: `${settings.kind} provider added` });
    deps.changed(name);
    return get(name);
  }

  async function get(name: string): Promise<ProviderInfo> {
    return presentInfo(await find(name));
  }

  async function find(name: string): Promise<Provider> {
    const provider = namePattern.test(name) ? await repo.find(name) : undefined;
    if (!provider) throw new NotFoundError(resource, name);
    return provider;
  }

  return {
    get,
    /** With its secret: for sign-in only, never for an answer. */
    find,
    list: async (): Promise<ProviderInfo[]> => (await repo.list()).map(presentInfo),

    async addOidc(input: OidcProviderInput, actor: string): Promise<ProviderInfo> {
      const name = checkName(input.name);
      const settings = oidcSettings(input, undefined, checkClaim(input.claim, 'sub'), checkFallback(input.fallback));
      const secret = checkSecret(input.clientSecret);
      await probed(deps, settings);
      return insert(name, settings, secret, actor);
    },

    async addSaml(input: SamlProviderInput, actor: string): Promise<ProviderInfo> {
      const name = checkName(input.name);
      const settings = await samlSettings(input, undefined, checkClaim(input.claim, 'nameid'), checkFallback(input.fallback));
      return insert(name, settings, null, actor);
    },

    async update(name: string, changes: ProviderChanges, actor: string): Promise<ProviderInfo> {
      const current = await find(name);
      const claim = checkClaim(changes.claim ?? current.settings.claim, current.kind === 'oidc' ? 'sub' : 'nameid');
      const fallback = checkFallback(changes.fallback ?? current.settings.fallback);
      let secret = current.clientSecret;
      if (current.settings.kind === 'oidc') {
        const settings = oidcSettings(changes, current.settings, claim, fallback);
        if (changes.clientSecret !== undefined) secret = checkSecret(changes.clientSecret);
        if (settings.issuer !== current.settings.issuer) await probed(deps, settings);
        await repo.update(name, { enabled: changes.enabled ?? current.enabled, settings, secret }, actor, now());
      } else {
        const settings = await samlSettings(changes, current.settings, claim, fallback);
        await repo.update(name, { enabled: changes.enabled ?? current.enabled, settings, secret: null }, actor, now());
      }
      await deps.audit.record({ event: 'provider_updated', provider: name, login: actor });
      deps.changed(name);
      return get(name);
    },

    async remove(name: string, actor: string): Promise<void> {
      if ((await repo.remove(name)) === 0) throw new NotFoundError(resource, name);
      await deps.audit.record({ event: 'provider_removed', provider: name, login: actor });
      deps.changed(name);
    },
  };
}

export type ProvidersService = ReturnType<typeof createProvidersService>;
