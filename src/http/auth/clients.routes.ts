import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { described, ElementProblem, readBody, requiredText, type BodySpec, type ElementReader } from '../api/resources/body-reader.ts';
import type { RouteDoc } from '../api/route-docs.ts';
import type { ApiObject } from '../api/render/values.ts';
import { send } from '../api/respond.ts';
import { NotFoundError } from '../../shared/errors.ts';
import { requireScope } from './auth.plugin.ts';
import type { AuthService } from './auth.service.ts';
import { scopes } from './scopes.ts';
import type { ClientCredentials, OAuthClientInfo } from './oauth-clients.ts';

const resource = 'oauth-client';
const base = '/api/admin/oauth-clients';
const adminScope = requireScope('workgate.admin');
const admin = (doc: RouteDoc) => ({ preHandler: adminScope, config: { doc } });
const clientElements = ['client-id', 'name', 'scopes', 'active', 'created-at', 'updated-at'];
const withSecret = { description: 'The client and its client-secret (shown once, never cached)', elements: [...clientElements, 'client-secret'] };

/** Scopes as a list or as OAuth's space-separated text. */
const scopeList: ElementReader = described(
  (value, element) => {
    const items = typeof value === 'string' ? value.split(/[\s,]+/).filter(Boolean) : value;
    if (!Array.isArray(items) || items.length > 20 || items.some((s) => typeof s !== 'string' || s.length > 60)) {
      throw new ElementProblem(`${element} must be a list of up to 20 scope names`);
    }
    return items as string[];
  },
  { oneOf: [{ type: 'array', items: { type: 'string', enum: [...scopes] }, maxItems: 20 }, { type: 'string', description: 'space-separated' }] },
);

const createSpec: BodySpec = { resource, elements: { name: ['name', requiredText(100)], scopes: ['scopes', scopeList] }, readOnly: ['client-id', 'active'] };
const scopesSpec: BodySpec = { resource, elements: { scopes: ['scopes', scopeList] }, readOnly: ['client-id', 'name', 'active'] };

export function presentClient(client: OAuthClientInfo): ApiObject {
  return { 'client-id': client.clientId, name: client.name, scopes: [...client.scopes], active: client.active, 'created-at': client.createdAt, 'updated-at': client.updatedAt };
}

/** The only answers that carry a secret: shown once, never cached. */
function sendSecret(request: FastifyRequest, reply: FastifyReply, status: number, client: OAuthClientInfo, credentials: ClientCredentials) {
  reply.header('Cache-Control', 'no-store').header('Pragma', 'no-cache');
  return send(request, reply, status, { ...presentClient(client), 'client-secret': credentials.clientSecret }, resource);
}

function clientIdOf(request: FastifyRequest): string {
  return ((request.params as { clientId?: string }).clientId ?? '').slice(0, 100);
}

/**
 * OAuth 2.0 clients of programs, for the authenticated /api scope (workgate.admin): create, list, rotate the secret
 * (shown once), set scopes, disable. Rotation and disabling revoke the client's tokens.
 */
export function registerOAuthClientRoutes(app: FastifyInstance, auth: AuthService): void {
  const find = async (clientId: string) => {
    const client = (await auth.listOAuthClients()).find((c) => c.clientId === clientId);
    if (!client) throw new NotFoundError('oauth client', clientId);
    return client;
  };

  app.get(base, admin({ summary: 'OAuth 2.0 clients of programs', response: { description: 'Every client', many: true, elements: clientElements } }), async (request, reply) => send(request, reply, 200, (await auth.listOAuthClients()).map(presentClient), 'oauth-clients'));

  app.post(base, admin({ summary: 'Create a client for the client-credentials grant', body: createSpec, response: { ...withSecret, status: 201 } }), async (request, reply) => {
    const input = readBody<{ name?: string; scopes?: string[] }>(createSpec, request.body);
    const credentials = await auth.createOAuthClient(input.name ?? '', input.scopes ?? []);
    return sendSecret(request, reply, 201, await find(credentials.clientId), credentials);
  });

  app.post(`${base}/:clientId/rotate-secret`, admin({ summary: "Replace a client's secret; its tokens are revoked", response: withSecret }), async (request, reply) => {
    const credentials = await auth.rotateOAuthClientSecret(clientIdOf(request));
    return sendSecret(request, reply, 200, await find(credentials.clientId), credentials);
  });

  app.put(`${base}/:clientId/scopes`, admin({ summary: "Set a client's scopes", body: scopesSpec, response: { description: 'The client', elements: clientElements } }), async (request, reply) => {
    const { scopes } = readBody<{ scopes?: string[] }>(scopesSpec, request.body);
    await auth.setOAuthClientScopes(clientIdOf(request), scopes ?? []);
    return send(request, reply, 200, presentClient(await find(clientIdOf(request))), resource);
  });

  app.post(`${base}/:clientId/disable`, admin({ summary: 'Disable a client; its tokens are revoked', response: { description: 'The client', elements: clientElements } }), async (request, reply) => {
    await auth.disableOAuthClient(clientIdOf(request));
    return send(request, reply, 200, presentClient(await find(clientIdOf(request))), resource);
  });
}
