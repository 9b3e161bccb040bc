import type { FastifyInstance, FastifyRequest } from 'fastify';
import { bool, readBody, requiredText, type BodySpec } from '../api/resources/body-reader.ts';
import { actorOf } from '../api/resources/resource-routes.ts';
import type { ApiObject } from '../api/render/values.ts';
import { send } from '../api/respond.ts';
import { requireScope } from '../auth/index.ts';
import { AppError, QueryError, ValidationError } from '../../shared/errors.ts';
import type { SsoAuditEvent } from './audit.ts';
import type { OidcProviderInput, ProviderChanges, ProviderInfo, SamlProviderInput } from './provider.types.ts';
import { sessionOf } from './session-auth.ts';
import type { SsoService } from './sso.service.ts';

const resource = 'identity-provider';
const base = '/api/admin/sso/providers';
const admin = { preHandler: requireScope('workgate.admin') };

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
  app.get(base, admin, async (request, reply) => send(request, reply, 200, (await sso.providers.list()).map((p) => presentProvider(sso, p)), 'identity-providers'));
  app.get(`${base}/:name`, admin, async (request, reply) => send(request, reply, 200, presentProvider(sso, await sso.providers.get(nameOf(request))), resource));

  app.post(base, admin, async (request, reply) => {
    const input = readBody<Record<string, string | undefined>>(createSpec, request.body);
    let created: ProviderInfo;
    if (input.kind === 'oidc') created = await sso.providers.addOidc(input as unknown as OidcProviderInput, actorOf(request));
    else if (input.kind === 'saml') created = await sso.providers.addSaml(input as unknown as SamlProviderInput, actorOf(request));
    else throw new ValidationError(resource, [{ field: 'kind', message: 'kind must be oidc or saml' }]);
    return send(request, reply, 201, presentProvider(sso, created), resource);
  });

  app.put(`${base}/:name`, admin, async (request, reply) => {
    const changes = readBody<ProviderChanges>(updateSpec, request.body);
    return send(request, reply, 200, presentProvider(sso, await sso.providers.update(nameOf(request), changes, actorOf(request))), resource);
  });

  app.delete(`${base}/:name`, admin, async (request, reply) => {
    await sso.providers.remove(nameOf(request), actorOf(request));
    return reply.code(204).send();
  });
}

/** For the authenticated /api scope: GET /api/me (anyone signed in), the providers and the sign-in audit (workgate.admin). */
export function registerSsoApi(app: FastifyInstance, sso: SsoService): void {
  app.get('/api/me', async (request, reply) => {
    if (!request.principal) throw new AppError('unauthorized', 'authentication required');
    reply.header('Cache-Control', 'no-store');
    return send(request, reply, 200, presentMe(request), 'me');
  });
  registerProviderApi(app, sso);
  app.get('/api/admin/sso/audit-events', admin, async (request, reply) => {
    const events = await sso.audit.list({ limit: pageArgument(request, 'limit', 1000), before: pageArgument(request, 'before', Number.MAX_SAFE_INTEGER) });
    return send(request, reply, 200, events.map(presentEvent), 'audit-events');
  });
  app.get('/api/admin/sso/local-admins', admin, async (request, reply) => {
    const admins = await sso.localAdmins.list();
    return send(request, reply, 200, admins.map((a) => ({ login: a.login, disabled: a.disabled, 'last-login-at': a.lastLoginAt, 'created-at': a.createdAt })), 'local-admins');
  });
}
