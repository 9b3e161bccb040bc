import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { bool, integer, list, readBody, requiredText, type BodySpec, type ElementReader } from '../http/api/resources/body-reader.ts';
import { actorOf } from '../http/api/resources/resource-routes.ts';
import type { ApiObject } from '../http/api/render/values.ts';
import { send } from '../http/api/respond.ts';
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

const admin = { preHandler: requireScope('workgate.admin') };
const base = '/api/admin/sftp-accounts';

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
  app.get(base, admin, async (request, reply) => send(request, reply, 200, (await transfer.list()).map(presentAccount), 'sftp-accounts'));

  app.post(base, admin, async (request, reply) => {
    const result = await transfer.create(readBody(createSpec, request.body), actorOf(request));
    return sendWithPassword(request, reply, 201, result.account, result);
  });

  app.get(`${base}/:username`, admin, async (request, reply) =>
    send(request, reply, 200, presentAccount(await transfer.get(params(request).username ?? '')), accountResource),
  );

  app.put(`${base}/:username`, admin, async (request, reply) => {
    const username = params(request).username ?? '';
    refuseRename(request, username);
    const updated = await transfer.update(username, readBody(updateSpec, request.body), actorOf(request));
    return send(request, reply, 200, presentAccount(updated), accountResource);
  });

  for (const [action, disabled] of [['disable', true], ['enable', false]] as const) {
    app.post(`${base}/:username/${action}`, admin, async (request, reply) => {
      const updated = await transfer.setDisabled(params(request).username ?? '', disabled, actorOf(request));
      return send(request, reply, 200, presentAccount(updated), accountResource);
    });
  }

  app.post(`${base}/:username/reset-password`, admin, async (request, reply) => {
    const username = params(request).username ?? '';
    const { password } = readBody<{ password?: string }>(passwordSpec, request.body ?? {});
    const result = await transfer.resetPassword(username, password, actorOf(request));
    return sendWithPassword(request, reply, 200, await transfer.get(username), result);
  });
}

function keyRoutes(app: FastifyInstance, transfer: Service): void {
  app.get(`${base}/:username/keys`, admin, async (request, reply) => {
    const includeRemoved = query(request).include_removed;
    if (includeRemoved !== undefined && !/^(true|false)$/.test(includeRemoved)) throw new QueryError('include_removed', 'must be true or false');
    const keys = await transfer.listKeys(params(request).username ?? '', { includeRemoved: includeRemoved === 'true' });
    return send(request, reply, 200, keys.map(presentKey), 'ssh-keys');
  });

  app.post(`${base}/:username/keys`, admin, async (request, reply) => {
    const { publicKey } = readBody<{ publicKey?: string }>(keySpec, request.body);
    if (publicKey === undefined) throw new ValidationError(accountResource, [{ field: 'public-key', message: "Public key can't be blank" }]);
    const key = await transfer.addKey(params(request).username ?? '', publicKey, actorOf(request));
    return send(request, reply, 201, presentKey(key), 'ssh-key');
  });

  app.delete(`${base}/:username/keys/:fingerprint`, admin, async (request, reply) => {
    await transfer.removeKey(params(request).username ?? '', params(request).fingerprint ?? '', actorOf(request));
    return reply.code(204).send();
  });
}

function defenceRoutes(app: FastifyInstance, transfer: Service): void {
  app.get(`${base}/:username/audit-events`, admin, async (request, reply) => {
    const username = (await transfer.get(params(request).username ?? '')).username;
    const events = await transfer.auditEvents({ username, limit: positiveInteger(request, 'limit', maxAuditLimit), before: positiveInteger(request, 'before', Number.MAX_SAFE_INTEGER) });
    return send(request, reply, 200, events.map(presentAuditEvent), 'audit-events');
  });

  // Every account's events (the dashboard's failed logins), with the same paging and two filters.
  app.get('/api/admin/sftp-audit-events', admin, async (request, reply) => {
    const events = await transfer.auditEvents({
      limit: positiveInteger(request, 'limit', maxAuditLimit),
      before: positiveInteger(request, 'before', Number.MAX_SAFE_INTEGER),
      event: eventName(request),
      since: sinceTime(request),
    });
    return send(request, reply, 200, events.map(presentAuditEvent), 'audit-events');
  });

  app.get('/api/admin/sftp-bans', admin, async (request, reply) => send(request, reply, 200, (await transfer.listBans()).map(presentBan), 'sftp-bans'));

  app.delete('/api/admin/sftp-bans/:address', admin, async (request, reply) => {
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
