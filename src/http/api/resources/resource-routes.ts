import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ListQuery, QuerySchema } from '../../../query/types.ts';
import { AppError, NotFoundError, QueryError, ValidationError } from '../../../shared/errors.ts';
import { requireScope } from '../../auth/index.ts';
import type { Scope } from '../../auth/index.ts';
import { parseListQuery } from '../query/parse-list-query.ts';
import { applyFields, applyReturnObject, parseFields, parseReturnObject } from '../render/shape.ts';
import type { ApiObject, ApiValue } from '../render/values.ts';
import { send } from '../respond.ts';
import { bodyId, readBody, type BodySpec } from './body-reader.ts';

/** One resource of the Core-compatible API: everything the generic routes and the OpenAPI document need. */
export interface ResourceDefinition<T> {
  /** URL segment, plural with underscores: users, account_types. */
  path: string;
  /** Singular element name: user, account-type. */
  element: string;
  summary: string;
  schema: QuerySchema;
  readScope: Scope;
  writeScope: Scope;
  list(query: ListQuery): Promise<T[]>;
  get(id: number): Promise<T>;
  present(record: T): ApiObject;
  create?: (input: never, actor: string) => Promise<T>;
  update?: (id: number, input: never, actor: string) => Promise<T>;
  setExported?: (id: number, exported: boolean, actor: string) => Promise<T>;
  body?: BodySpec;
  /** Extra query arguments a list accepts besides the query language. */
  listArguments?: string[];
}

const shapingArguments = ['return_object', 'fields'];

export function actorOf(request: FastifyRequest): string {
  const principal = request.principal;
  return principal ? `api:${principal.kind}:${principal.name}` : 'api:anonymous';
}

export function parseId(raw: string, element: string): number {
  if (!/^\d{1,15}$/.test(raw)) throw new NotFoundError(element, raw);
  return Number(raw);
}

function queryParams(request: FastifyRequest): URLSearchParams {
  const index = request.url.indexOf('?');
  return new URLSearchParams(index < 0 ? '' : request.url.slice(index + 1));
}

/** Applies return_object and fields to a presented record or list. */
export function shape(params: URLSearchParams, value: ApiValue): ApiValue | undefined {
  const mode = parseReturnObject(params.get('return_object') ?? undefined);
  if (mode === 'none') return undefined;
  const fields = params.get('fields');
  let shaped = fields ? applyFields(value, parseFields(fields)) : value;
  if (mode !== 'full') shaped = applyReturnObject(shaped, mode);
  return shaped;
}

export function registerResource<T>(app: FastifyInstance, def: ResourceDefinition<T>): void {
  const base = `/api/${def.path}`;
  const read = { preHandler: requireScope(def.readScope) };
  const write = { preHandler: requireScope(def.writeScope) };

  const reply = (request: FastifyRequest, res: FastifyReply, status: number, value: ApiValue) => {
    const shaped = shape(queryParams(request), value);
    return shaped === undefined ? res.code(status).send() : send(request, res, status, shaped, Array.isArray(value) ? def.path.replaceAll('_', '-') : def.element);
  };

  app.get(base, read, async (request, res) => {
    const params = queryParams(request);
    const query = parseListQuery(params, def.schema, { ignore: [...shapingArguments, ...(def.listArguments ?? [])] });
    const mode = parseReturnObject(params.get('return_object') ?? undefined);
    if (mode === 'none') throw new QueryError('return_object', '"none" is only for POST and PUT');
    const records = await def.list(query);
    return reply(request, res, 200, records.map((r) => def.present(r)));
  });

  app.get(`${base}/:id`, read, async (request, res) => {
    const record = await def.get(parseId((request.params as { id: string }).id, def.element));
    return reply(request, res, 200, def.present(record));
  });

  if (def.create && def.body) {
    const create = def.create;
    const body = def.body;
    app.post(base, write, async (request, res) => {
      const input = readBody<never>(body, request.body);
      return reply(request, res, 201, def.present(await create(input, actorOf(request))));
    });
  }

  if (def.update && def.body) {
    const update = def.update;
    const body = def.body;
    app.put(`${base}/:id`, write, async (request, res) => {
      const id = parseId((request.params as { id: string }).id, def.element);
      const exported = queryParams(request).get('exported');
      if (exported !== null && def.setExported) {
        if (!/^(true|false)$/.test(exported)) throw new QueryError('exported', 'must be true or false');
        return reply(request, res, 200, def.present(await def.setExported(id, exported === 'true', actorOf(request))));
      }
      const givenId = bodyId(request.body);
      if (givenId !== undefined && String(givenId) !== String(id)) {
        throw new ValidationError(def.element, [{ field: 'id', message: `Id cannot be changed (the URL names ${id}, the body ${String(givenId)})` }]);
      }
      const input = readBody<never>(body, request.body);
      return reply(request, res, 200, def.present(await update(id, input, actorOf(request))));
    });
  }

  const refuseDelete = async (_request: FastifyRequest, res: FastifyReply) => {
    res.header('allow', def.update ? 'GET, POST, PUT' : 'GET, POST');
    throw new AppError('method_not_allowed', `DELETE is not supported: deactivate a ${def.element} with PUT active=false`);
  };
  app.delete(base, refuseDelete);
  app.delete(`${base}/:id`, refuseDelete);
}
