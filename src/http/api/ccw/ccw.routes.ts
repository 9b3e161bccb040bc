import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SyncService } from '../../../sync/index.ts';
import { segmentValueQuerySchema, workforceUserQuerySchema, workLocationQuerySchema, type WorkforceService } from '../../../workforce/index.ts';
import { AppError, NotFoundError, QueryError } from '../../../shared/errors.ts';
import type { QuerySchema } from '../../../query/types.ts';
import { requireScope } from '../../auth/index.ts';
import { parseListQuery } from '../query/parse-list-query.ts';
import { parseReturnObject } from '../render/shape.ts';
import type { ApiValue } from '../render/values.ts';
import { responseFormat, send } from '../respond.ts';
import { shape } from '../resources/resource-routes.ts';
import { readRolesBody, readSettingsBody } from './ccw.bodies.ts';
import { ccwOperations, type CcwOperation } from './ccw.schemas.ts';
import {
  presentDesignation,
  presentSegment,
  presentSegmentValue,
  presentSettings,
  presentSyncStatus,
  presentWorkforceUser,
  presentWorkLocation,
} from './ccw.presenters.ts';

export interface CcwApiDeps {
  workforce: WorkforceService;
  sync: SyncService;
}

const shapingArguments = ['return_object', 'fields'];

/** Registers an operation of ccw.schemas.ts (method, URL, scope): the OpenAPI document describes the same object. */
function route(app: FastifyInstance, operation: CcwOperation, handler: (request: FastifyRequest, res: FastifyReply) => Promise<FastifyReply>): void {
  app.route({ method: operation.method, url: operation.url, preHandler: requireScope(operation.scope), handler });
}

function params(request: FastifyRequest): URLSearchParams {
  const index = request.url.indexOf('?');
  return new URLSearchParams(index < 0 ? '' : request.url.slice(index + 1));
}

/** Shapes (fields, return_object) and sends in the negotiated format; `root` names the XML root. */
function reply(request: FastifyRequest, res: FastifyReply, status: number, value: ApiValue, root: string): FastifyReply {
  const shaped = shape(params(request), value);
  return shaped === undefined ? res.code(status).send() : send(request, res, status, shaped, root);
}

/** A list request: the Core query language over `schema`, plus the extra arguments named. */
function listQuery(request: FastifyRequest, schema: QuerySchema, extra: string[] = []) {
  const p = params(request);
  if (parseReturnObject(p.get('return_object') ?? undefined) === 'none') throw new QueryError('return_object', '"none" is only for POST and PUT');
  return parseListQuery(p, schema, { ignore: [...shapingArguments, ...extra] });
}

/** Only the named arguments (and shaping) are understood; anything else is a 400 that names it. */
function onlyArguments(request: FastifyRequest, allowed: string[]): URLSearchParams {
  const p = params(request);
  for (const key of p.keys()) {
    if (![...allowed, ...shapingArguments].includes(key.replaceAll('-', '_'))) throw new QueryError(key, 'unknown argument');
  }
  return p;
}

function slotParam(raw: string): number {
  if (!/^\d{1,2}$/.test(raw)) throw new NotFoundError('segment', raw);
  return Number(raw);
}

/** The Workforce API under /api/ccw/: the same query language and JSON/XML rules as the Core API. */
export function registerCcwApi(app: FastifyInstance, deps: CcwApiDeps): void {
  const { workforce, sync } = deps;
  const login = (request: FastifyRequest) => (request.params as { login: string }).login;

  route(app, ccwOperations.listUsers, async (request, res) => {
    const users = await workforce.users.list(listQuery(request, workforceUserQuerySchema));
    return reply(request, res, 200, users.map(presentWorkforceUser), 'users');
  });
  route(app, ccwOperations.showUser, async (request, res) =>
    reply(request, res, 200, presentWorkforceUser(await workforce.users.get(login(request))), 'user'));
  route(app, ccwOperations.setUserRoles, async (request, res) => {
    const roles = readRolesBody(request.body);
    const user = roles === undefined ? await workforce.users.get(login(request)) : await workforce.users.setRoles(login(request), roles);
    return reply(request, res, 200, presentWorkforceUser(user), 'user');
  });
  route(app, ccwOperations.approvalChain, async (request, res) => {
    const p = onlyArguments(request, ['amount', 'currency']);
    const amount = p.get('amount') ?? undefined;
    const currency = p.get('currency') ?? undefined;
    if (currency !== undefined && !/^[A-Za-z]{3}$/.test(currency)) throw new QueryError('currency', `"${currency}" is not a three-letter currency code`);
    const chain = await workforce.users.approvalChain(login(request), { amount, currency });
    return reply(request, res, 200, chain.map(presentWorkforceUser), 'users');
  });

  route(app, ccwOperations.listSegments, async (request, res) => {
    onlyArguments(request, []);
    return reply(request, res, 200, (await workforce.settings.slots()).map(presentSegment), 'segments');
  });
  route(app, ccwOperations.listSegmentValues, async (request, res) => {
    const slot = slotParam((request.params as { slot: string }).slot);
    const p = params(request);
    const parentValue = p.get('parent_value') ?? p.get('parent-value');
    const parentSlotText = p.get('parent_slot') ?? p.get('parent-slot');
    if (parentSlotText !== null && !/^\d{1,2}$/.test(parentSlotText)) throw new QueryError('parent_slot', 'must be a slot number 1 to 11');
    const parent = parentValue === null ? undefined : { value: parentValue, ...(parentSlotText ? { slot: Number(parentSlotText) } : {}) };
    const query = listQuery(request, segmentValueQuerySchema, ['parent_value', 'parent_slot']);
    const values = await workforce.segments.listValues(slot, query, parent);
    return reply(request, res, 200, values.map(presentSegmentValue), 'values');
  });

  route(app, ccwOperations.listWorkLocations, async (request, res) => {
    const locations = await workforce.workLocations.list(listQuery(request, workLocationQuerySchema));
    return reply(request, res, 200, locations.map(presentWorkLocation), 'work-locations');
  });
  route(app, ccwOperations.showWorkLocation, async (request, res) =>
    reply(request, res, 200, presentWorkLocation(await workforce.workLocations.get((request.params as { code: string }).code)), 'work-location'));

  route(app, ccwOperations.showSettings, async (request, res) => {
    onlyArguments(request, []);
    const settings = await workforce.settings.get();
    return reply(request, res, 200, presentSettings(settings, await workforce.settings.slots(), responseFormat(request)), 'settings');
  });
  route(app, ccwOperations.updateSettings, async (request, res) => {
    const result = await sync.updateSettings(readSettingsBody(request.body));
    const body = presentSettings(result.settings, await workforce.settings.slots(), responseFormat(request));
    if (result.designation) body.designation = presentDesignation(result.designation);
    return reply(request, res, 200, body, 'settings');
  });

  route(app, ccwOperations.syncStatus, async (request, res) => reply(request, res, 200, presentSyncStatus(await sync.status()), 'sync-status'));

  const refuse = async () => {
    throw new AppError('method_not_allowed', 'DELETE is not supported: Workforce records are deactivated, never deleted');
  };
  app.delete('/api/ccw/*', refuse);
}
