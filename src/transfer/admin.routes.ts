import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { bool, integer, list, readBody, requiredText, type BodySpec, type ElementReader } from '../http/api/resources/body-reader.ts';
import { actorOf } from '../http/api/resources/resource-routes.ts';
import type { ApiObject } from '../http/api/render/values.ts';
import { send } from '../http/api/respond.ts';
import type { QueryDoc, RouteDoc } from '../http/api/route-docs.ts';
import { requireScope } from '../http/auth/index.ts';
import { QueryError, ValidationError } from '../shared/errors.ts';
import { accountResource } from './account-input.ts';
import type { GeneratedPassword, TransferAccountDetails } from './account.types.ts';
import type { TransferAccounts } from './accounts.service.ts';
import { presentAccount, presentAuditEvent, presentBan, presentKey } from './admin.presenters.ts';
import { auditEventNames, maxAuditLimit, type AuditEventName } from './audit.ts';
import { maxAuthorizedKeyLineLength } from './ssh-keys.ts';

export interface TransferAdminRoutesOptions {
  transfer: TransferAccounts;
}

type Service = Pick<
  TransferAccounts,
  'create' | 'list' | 'get' | 'update' | 'setDisabled' | 'resetPassword' | 'addKey' | 'listKeys' | 'removeKey' | 'listBans' | 'liftBan' | 'auditEvents'
>;

const nullable =
  (reader: ElementReader): ElementReader =>
  (value, element) =>
    value === null ? null : reader(value, element);

/** Settings an admin may set on create and change with PUT. */
const settingElements: BodySpec['elements'] = {
  'auth-policy': ['authPolicy', requiredText(40)],
  folders: ['folders', list(requiredText(60), 50)],
  'max-sessions': ['maxSessions', integer],
  'quota-bytes': ['quotaBytes', nullable(integer)],
  'allowed-networks': ['allowedNetworks', list(requiredText(80), 100)],
  'input-encoding': ['inputEncoding', requiredText(40)],
  disabled: ['disabled', bool],
};
const shownOnly = ['has-password', 'last-login-at', 'last-login-address'];

const createSpec: BodySpec = {
  resource: accountResource,
  elements: {
    username: ['username', requiredText(64)],
    password: ['password', requiredText(4096)],
    'ssh-keys': ['sshKeys', list(requiredText(maxAuthorizedKeyLineLength), 50)],
    ...settingElements,
  },
  readOnly: shownOnly,
};
const updateSpec: BodySpec = { resource: accountResource, elements: settingElements, readOnly: [...shownOnly, 'username', 'ssh-keys'] };
const passwordSpec: BodySpec = { resource: accountResource, elements: { password: ['password', requiredText(4096)] }, readOnly: [] };
const keySpec: BodySpec = { resource: accountResource, elements: { 'public-key': ['publicKey', requiredText(maxAuthorizedKeyLineLength)] }, readOnly: [] };

const adminScope = requireScope('workgate.admin');
const admin = (doc: RouteDoc) => ({ preHandler: adminScope, config: { doc } });
const base = '/api/admin/sftp-accounts';

const audited = ['created-at', 'updated-at', 'created-by', 'updated-by'];
const settings = ['auth-policy', 'folders', 'max-sessions', 'quota-bytes', 'allowed-networks', 'input-encoding', 'disabled'];
const accountElements = ['id', 'username', 'has-password', 'ssh-keys', ...settings, 'last-login-at', 'last-login-address', ...audited];
const account = { description: 'The account', elements: accountElements };
const withPassword = { description: 'The account, and generated-password when Workgate generated one (shown once, never cached)', elements: [...accountElements, 'generated-password'] };
const keyElements = ['type', 'bits', 'fingerprint', 'comment', 'created-at', 'removed-at'];
const auditQuery: QueryDoc[] = [
  { name: 'limit', description: `Events per page, newest first (1 to ${maxAuditLimit})`, schema: { type: 'integer', minimum: 1, maximum: maxAuditLimit } },
  { name: 'before', description: "Page on: only events whose id is below this (the last page's smallest id)", schema: { type: 'integer', minimum: 1 } },
];
const auditEvents = { description: 'Audit events, newest first', many: true, elements: ['id', 'at', 'event', 'outcome', 'username', 'account-id', 'address', 'method', 'detail'] };

/** What the OpenAPI document says of each route below. */
const docs = {
  list: { summary: 'SFTP accounts', response: { ...account, description: 'Every account', many: true } },
  create: { summary: 'Create an SFTP account; without password or ssh-keys a password is generated and shown once', body: createSpec, response: { ...withPassword, status: 201 } },
  show: { summary: 'An SFTP account', response: account },
  update: { summary: "Change an account's settings (the username cannot change)", body: updateSpec, response: account },
  disable: { summary: 'Disable an account: it can no longer sign in', response: account },
  enable: { summary: 'Enable a disabled account', response: account },
  resetPassword: { summary: 'Set a new password, or without one generate it (shown once)', body: passwordSpec, response: withPassword },
  keys: {
    summary: "An account's SSH public keys",
    query: [{ name: 'include_removed', description: 'true: removed keys too', schema: { type: 'boolean' } }],
    response: { description: 'The keys', many: true, elements: keyElements },
  },
  addKey: { summary: 'Add an SSH public key (one authorized_keys line)', body: keySpec, response: { status: 201, description: 'The key', elements: keyElements } },
  removeKey: { summary: 'Remove an SSH key: it can no longer sign in (kept in the list as removed)', response: { status: 204, description: 'Removed' } },
  accountAudit: { summary: "An account's SFTP audit trail: logins, refusals, file operations", query: auditQuery, response: auditEvents },
  bans: { summary: 'Addresses banned after repeated failed logins', response: { description: 'Active bans', many: true, elements: ['address', 'reason', 'banned-at', 'until'] } },
  liftBan: { summary: 'Lift a ban early', response: { status: 204, description: 'Lifted' } },
  allAudit: {
    summary: "Every account's SFTP audit events (the dashboard's failed logins)",
    query: [
      ...auditQuery,
      { name: 'event', description: `Only this event: ${auditEventNames.join(', ')}`, schema: { type: 'string', enum: [...auditEventNames] } },
      { name: 'since', description: 'Only events at or after this ISO 8601 time', schema: { type: 'string', format: 'date-time' } },
    ],
    response: auditEvents,
  },
} satisfies Record<string, RouteDoc>;

function params(request: FastifyRequest): Record<string, string> {
  return request.params as Record<string, string>;
}

function query(request: FastifyRequest): Record<string, string | undefined> {
  return request.query as Record<string, string | undefined>;
}

/** A body that shows a generated password: never cached anywhere on the way. */
function sendWithPassword(request: FastifyRequest, reply: FastifyReply, status: number, account: TransferAccountDetails, result: GeneratedPassword) {
  const body: ApiObject = presentAccount(account);
  if (result.generatedPassword !== undefined) {
    body['generated-password'] = result.generatedPassword;
    reply.header('Cache-Control', 'no-store').header('Pragma', 'no-cache');
  }
  return send(request, reply, status, body, accountResource);
}

function refuseRename(request: FastifyRequest, username: string): void {
  const body = request.body as Record<string, unknown> | undefined;
  const given = body?.username;
  if (given !== undefined && String(given).toLowerCase() !== username.toLowerCase()) {
    throw new ValidationError(accountResource, [{ field: 'username', message: 'Username cannot be changed' }]);
  }
}

function positiveInteger(request: FastifyRequest, name: string, max: number): number | undefined {
  const raw = query(request)[name];
  if (raw === undefined) return undefined;
  if (!/^\d{1,15}$/.test(raw) || Number(raw) < 1 || Number(raw) > max) throw new QueryError(name, `must be a whole number from 1 to ${max}`);
  return Number(raw);
}

function eventName(request: FastifyRequest): AuditEventName | undefined {
  const raw = query(request).event;
  if (raw === undefined) return undefined;
  if (!(auditEventNames as readonly string[]).includes(raw)) throw new QueryError('event', `must be one of ${auditEventNames.join(', ')}`);
  return raw as AuditEventName;
}

function sinceTime(request: FastifyRequest): Date | undefined {
  const raw = query(request).since;
  if (raw === undefined) return undefined;
  const at = new Date(raw);
  if (!/^\d{4}-\d{2}-\d{2}/.test(raw) || Number.isNaN(at.getTime())) throw new QueryError('since', 'must be an ISO 8601 time, e.g. 2026-11-28T09:00:00Z');
  return at;
}

function accountRoutes(app: FastifyInstance, transfer: Service): void {
  app.get(base, admin(docs.list), async (request, reply) => send(request, reply, 200, (await transfer.list()).map(presentAccount), 'sftp-accounts'));

  app.post(base, admin(docs.create), async (request, reply) => {
    const result = await transfer.create(readBody(createSpec, request.body), actorOf(request));
    return sendWithPassword(request, reply, 201, result.account, result);
  });

  app.get(`${base}/:username`, admin(docs.show), async (request, reply) =>
    send(request, reply, 200, presentAccount(await transfer.get(params(request).username ?? '')), accountResource),
  );

  app.put(`${base}/:username`, admin(docs.update), async (request, reply) => {
    const username = params(request).username ?? '';
    refuseRename(request, username);
    const updated = await transfer.update(username, readBody(updateSpec, request.body), actorOf(request));
    return send(request, reply, 200, presentAccount(updated), accountResource);
  });

  for (const [action, disabled] of [['disable', true], ['enable', false]] as const) {
    app.post(`${base}/:username/${action}`, admin(docs[action]), async (request, reply) => {
      const updated = await transfer.setDisabled(params(request).username ?? '', disabled, actorOf(request));
      return send(request, reply, 200, presentAccount(updated), accountResource);
    });
  }

  app.post(`${base}/:username/reset-password`, admin(docs.resetPassword), async (request, reply) => {
    const username = params(request).username ?? '';
    const { password } = readBody<{ password?: string }>(passwordSpec, request.body ?? {});
    const result = await transfer.resetPassword(username, password, actorOf(request));
    return sendWithPassword(request, reply, 200, await transfer.get(username), result);
  });
}

function keyRoutes(app: FastifyInstance, transfer: Service): void {
  app.get(`${base}/:username/keys`, admin(docs.keys), async (request, reply) => {
    const includeRemoved = query(request).include_removed;
    if (includeRemoved !== undefined && !/^(true|false)$/.test(includeRemoved)) throw new QueryError('include_removed', 'must be true or false');
    const keys = await transfer.listKeys(params(request).username ?? '', { includeRemoved: includeRemoved === 'true' });
    return send(request, reply, 200, keys.map(presentKey), 'ssh-keys');
  });

  app.post(`${base}/:username/keys`, admin(docs.addKey), async (request, reply) => {
    const { publicKey } = readBody<{ publicKey?: string }>(keySpec, request.body);
    if (publicKey === undefined) throw new ValidationError(accountResource, [{ field: 'public-key', message: "Public key can't be blank" }]);
    const key = await transfer.addKey(params(request).username ?? '', publicKey, actorOf(request));
    return send(request, reply, 201, presentKey(key), 'ssh-key');
  });

  app.delete(`${base}/:username/keys/:fingerprint`, admin(docs.removeKey), async (request, reply) => {
    await transfer.removeKey(params(request).username ?? '', params(request).fingerprint ?? '', actorOf(request));
    return reply.code(204).send();
  });
}

function defenceRoutes(app: FastifyInstance, transfer: Service): void {
  app.get(`${base}/:username/audit-events`, admin(docs.accountAudit), async (request, reply) => {
    const username = (await transfer.get(params(request).username ?? '')).username;
    const events = await transfer.auditEvents({ username, limit: positiveInteger(request, 'limit', maxAuditLimit), before: positiveInteger(request, 'before', Number.MAX_SAFE_INTEGER) });
    return send(request, reply, 200, events.map(presentAuditEvent), 'audit-events');
  });

  // Every account's events (the dashboard's failed logins), with the same paging and two filters.
  app.get(
    '/api/admin/sftp-audit-events',
    admin(docs.allAudit),
    async (request, reply) => {
      const events = await transfer.auditEvents({
      limit: positiveInteger(request, 'limit', maxAuditLimit),
      before: positiveInteger(request, 'before', Number.MAX_SAFE_INTEGER),
      event: eventName(request),
      since: sinceTime(request),
    });
    return send(request, reply, 200, events.map(presentAuditEvent), 'audit-events');
  });

  app.get('/api/admin/sftp-bans', admin(docs.bans), async (request, reply) => send(request, reply, 200, (await transfer.listBans()).map(presentBan), 'sftp-bans'));

  app.delete('/api/admin/sftp-bans/:address', admin(docs.liftBan), async (request, reply) => {
    await transfer.liftBan(params(request).address ?? '', actorOf(request));
    return reply.code(204).send();
  });
}

/**
 * The SFTP admin API, for the authenticated /api scope: accounts, their keys, their audit trail, bans.
 * Every route needs workgate.admin. (Sessions and host keys belong to the SFTP server's routes.)
 */
export async function transferAdminRoutes(app: FastifyInstance, options: TransferAdminRoutesOptions): Promise<void> {
  accountRoutes(app, options.transfer);
  keyRoutes(app, options.transfer);
  defenceRoutes(app, options.transfer);
}
