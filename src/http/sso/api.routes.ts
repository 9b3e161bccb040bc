import type { FastifyInstance, FastifyRequest } from 'fastify';
import { bool, readBody, requiredText, type BodySpec } from '../api/resources/body-reader.ts';
import { actorOf } from '../api/resources/resource-routes.ts';
import type { ApiObject } from '../api/render/values.ts';
import { send } from '../api/respond.ts';
import type { RouteDoc } from '../api/route-docs.ts';
import { requireScope } from '../auth/index.ts';
import { AppError, QueryError, ValidationError } from '../../shared/errors.ts';
import type { SsoAuditEvent } from './audit.ts';
import type { OidcProviderInput, ProviderChanges, ProviderInfo, SamlProviderInput } from './provider.types.ts';
import { sessionOf } from './session-auth.ts';
import type { SsoService } from './sso.service.ts';

const resource = 'identity-provider';
const base = '/api/admin/sso/providers';
const adminScope = requireScope('workgate.admin');
const admin = (doc: RouteDoc) => ({ preHandler: adminScope, config: { doc } });
const providerElements = 'name, kind, enabled, claim, fallback; OIDC: issuer, client-id, scopes, has-client-secret, redirect-uri; SAML: idp-entity-id, sso-url, metadata-url, idp-certificates, sp-entity-id, acs-url; created-at, updated-at';
const provider = { description: `The provider (${providerElements}); the client secret is never shown` };

const settingElements: BodySpec['elements'] = {
  claim: ['claim', requiredText(200)],
  fallback: ['fallback', requiredText(10)],
  issuer: ['issuer', requiredText(2048)],
  'client-id': ['clientId', requiredText(255)],
  'client-secret': ['clientSecret', requiredText(1024)],
  scopes: ['scopes', requiredText(1000)],
  'metadata-xml': ['metadataXml', requiredText(1024 * 1024)],
  'metadata-url': ['metadataUrl', requiredText(2048)],
  'idp-entity-id': ['idpEntityId', requiredText(1024)],
  'sso-url': ['ssoUrl', requiredText(2048)],
  certificate: ['certificate', requiredText(20_000)],
};
const shownOnly = ['has-client-secret', 'idp-certificates', 'sp-entity-id', 'acs-url', 'redirect-uri', 'metadata-url'];
const createSpec: BodySpec = { resource, elements: { name: ['name', requiredText(64)], kind: ['kind', requiredText(10)], ...settingElements }, readOnly: [...shownOnly, 'enabled'] };
const updateSpec: BodySpec = { resource, elements: { enabled: ['enabled', bool], ...settingElements }, readOnly: [...shownOnly, 'name', 'kind'] };

/** Every element by name: the client secret cannot be shown because nothing here reads it. */
function presentProvider(sso: SsoService, provider: ProviderInfo): ApiObject {
  const s = provider.settings;
  const common = { name: provider.name, kind: provider.kind, enabled: provider.enabled, claim: s.claim, fallback: s.fallback };
  const audit = { 'created-at': provider.createdAt, 'updated-at': provider.updatedAt };
  if (s.kind === 'oidc') {
    return { ...common, issuer: s.issuer, 'client-id': s.clientId, scopes: s.scopes, 'has-client-secret': provider.hasClientSecret, 'redirect-uri': sso.redirectUri(provider.name), ...audit };
  }
  const urls = sso.spUrls(provider.name);
  return { ...common, 'idp-entity-id': s.idpEntityId, 'sso-url': s.ssoUrl, 'metadata-url': s.metadataUrl, 'idp-certificates': s.idpCerts.length, 'sp-entity-id': urls.entityId, 'acs-url': urls.acsUrl, ...audit };
}

function presentEvent(event: SsoAuditEvent): ApiObject {
  const { id, at, event: name, outcome, provider, subject, login, address, reason, message } = event;
  return { id, at, event: name, outcome, provider, subject, login, address, reason, message };
}

function presentMe(request: FastifyRequest): ApiObject {
  const principal = request.principal!;
  const session = sessionOf(request);
  if (!session) return { kind: principal.kind, name: principal.name, login: null, roles: [], reach: [], scopes: [...principal.scopes] };
  const a = session.access;
  return {
    kind: 'session',
    login: a.login,
    name: a.name,
    email: a.email,
    roles: [...a.roles],
    reach: [...a.reach],
    missing: a.missing.map((m) => ({ gate: m.gate, reason: m.reason, message: m.message })),
    scopes: [...a.scopes],
    provider: session.provider,
    'csrf-token': session.csrfToken,
    'expires-at': session.expiresAt,
  };
}

function pageArgument(request: FastifyRequest, name: string, max: number): number | undefined {
  const raw = (request.query as Record<string, string | undefined>)[name];
  if (raw === undefined) return undefined;
  if (!/^\d{1,15}$/.test(raw) || Number(raw) < 1 || Number(raw) > max) throw new QueryError(name, `must be a whole number from 1 to ${max}`);
  return Number(raw);
}

function registerProviderApi(app: FastifyInstance, sso: SsoService): void {
  const nameOf = (request: FastifyRequest) => (request.params as { name?: string }).name ?? '';
  app.get(base, admin({ summary: 'Identity providers people sign in through (OIDC, SAML)', response: { ...provider, description: 'Every provider', many: true } }), async (request, reply) => send(request, reply, 200, (await sso.providers.list()).map((p) => presentProvider(sso, p)), 'identity-providers'));
  app.get(`${base}/:name`, admin({ summary: 'An identity provider', response: provider }), async (request, reply) => send(request, reply, 200, presentProvider(sso, await sso.providers.get(nameOf(request))), resource));

  app.post(base, admin({ summary: 'Add an identity provider: kind oidc (issuer, client-id, client-secret) or saml (metadata-xml or metadata-url, or idp-entity-id, sso-url, certificate)', body: createSpec, response: { ...provider, status: 201 } }), async (request, reply) => {
    const input = readBody<Record<string, string | undefined>>(createSpec, request.body);
    let created: ProviderInfo;
    if (input.kind === 'oidc') created = await sso.providers.addOidc(input as unknown as OidcProviderInput, actorOf(request));
    else if (input.kind === 'saml') created = await sso.providers.addSaml(input as unknown as SamlProviderInput, actorOf(request));
    else throw new ValidationError(resource, [{ field: 'kind', message: 'kind must be oidc or saml' }]);
    return send(request, reply, 201, presentProvider(sso, created), resource);
  });

  app.put(`${base}/:name`, admin({ summary: "Change a provider's settings, or enable or disable it", body: updateSpec, response: provider }), async (request, reply) => {
    const changes = readBody<ProviderChanges>(updateSpec, request.body);
    return send(request, reply, 200, presentProvider(sso, await sso.providers.update(nameOf(request), changes, actorOf(request))), resource);
  });

  app.delete(`${base}/:name`, admin({ summary: 'Remove an identity provider', response: { status: 204, description: 'Removed' } }), async (request, reply) => {
    await sso.providers.remove(nameOf(request), actorOf(request));
    return reply.code(204).send();
  });
}

const meDoc: RouteDoc = {
  summary: 'Who is calling: for a signed-in person their login, roles, what they may reach and why not, the CSRF token; for a program its kind, name and scopes',
  response: { description: 'The caller', elements: ['kind', 'login', 'name', 'email', 'roles', 'reach', 'missing', 'scopes', 'provider', 'csrf-token', 'expires-at'] },
};
const auditDoc: RouteDoc = {
  summary: 'Sign-in audit events, newest first',
  query: [
    { name: 'limit', description: 'Events per page (1 to 1000)', schema: { type: 'integer', minimum: 1, maximum: 1000 } },
    { name: 'before', description: "Page on: only events whose id is below this", schema: { type: 'integer', minimum: 1 } },
  ],
  response: { description: 'Events', many: true, elements: ['id', 'at', 'event', 'outcome', 'provider', 'subject', 'login', 'address', 'reason', 'message'] },
};

/** For the authenticated /api scope: GET /api/me (anyone signed in), the providers and the sign-in audit (workgate.admin). */
export function registerSsoApi(app: FastifyInstance, sso: SsoService): void {
  app.get('/api/me', { config: { doc: meDoc } }, async (request, reply) => {
    if (!request.principal) throw new AppError('unauthorized', 'authentication required');
    reply.header('Cache-Control', 'no-store');
    return send(request, reply, 200, presentMe(request), 'me');
  });
  registerProviderApi(app, sso);
  app.get('/api/admin/sso/audit-events', admin(auditDoc), async (request, reply) => {
    const events = await sso.audit.list({ limit: pageArgument(request, 'limit', 1000), before: pageArgument(request, 'before', Number.MAX_SAFE_INTEGER) });
    return send(request, reply, 200, events.map(presentEvent), 'audit-events');
  });
  app.get('/api/admin/sso/local-admins', admin({ summary: 'Local administrators (who sign in to the console without an identity provider)', response: { description: 'Local admins', many: true, elements: ['login', 'disabled', 'last-login-at', 'created-at'] } }), async (request, reply) => {
    const admins = await sso.localAdmins.list();
    return send(request, reply, 200, admins.map((a) => ({ login: a.login, disabled: a.disabled, 'last-login-at': a.lastLoginAt, 'created-at': a.createdAt })), 'local-admins');
  });
}
