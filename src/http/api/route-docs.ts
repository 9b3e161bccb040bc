import type { FastifyInstance, RouteOptions } from 'fastify';
import { operators, type QuerySchema } from '../../query/types.ts';
import type { BodySpec } from './resources/body-reader.ts';
import { elementSchema } from './resources/body-reader.ts';

export type JsonSchema = Record<string, unknown>;

/** A query argument a route reads besides the path's own. */
export interface QueryDoc {
  name: string;
  description: string;
  schema?: JsonSchema;
}

/**
 * What the OpenAPI document says about a route that is not a Core resource or a Workforce operation
 * (the admin API, the runs, the signed-in user), declared beside the route as `config: { doc }`.
 */
export interface RouteDoc {
  summary: string;
  /** The request body's elements: a BodySpec (as readBody reads it) or a JSON Schema. */
  body?: BodySpec | JsonSchema;
  query?: QueryDoc[];
  /** A list in the Core API's query language over this schema (filters, operators, paging, order). */
  list?: QuerySchema;
  /** The success answer: 200 unless a status is named; `elements` are those of the object (or of each one, `many`). */
  response: { status?: number; description: string; elements?: readonly string[]; many?: boolean; contentType?: string };
  /** Served without credentials (otherwise any credentials, or those with the route's scope). */
  public?: boolean;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    doc?: RouteDoc;
  }
}

/** A route as it was registered: its method, its path in OpenAPI form, and what it declared. */
export interface RegisteredRoute {
  method: string;
  path: string;
  scope?: string;
  doc?: RouteDoc;
}

/** requireScope marks its hook with the scope, so a route's documented scope is the one it enforces. */
export function scopeOf(preHandler: RouteOptions['preHandler']): string | undefined {
  const hooks = Array.isArray(preHandler) ? preHandler : preHandler ? [preHandler] : [];
  for (const hook of hooks) {
    const scope = (hook as { scope?: unknown }).scope;
    if (typeof scope === 'string') return scope;
  }
  return undefined;
}

/**
 * Records every /api route registered after this call. Left out: HEAD routes (Fastify adds one per GET)
 * and wildcard catch-alls, which OpenAPI cannot name (they only refuse methods a path lacks).
 */
export function recordRoutes(app: FastifyInstance): RegisteredRoute[] {
  const routes: RegisteredRoute[] = [];
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/') || route.url.includes('*')) return;
    const scope = scopeOf(route.preHandler);
    const doc = route.config?.doc;
    for (const method of [route.method].flat()) {
      if (method === 'HEAD') continue;
      routes.push({ method: method.toLowerCase(), path: route.url.replace(/:(\w+)/g, '{$1}'), ...(scope ? { scope } : {}), ...(doc ? { doc } : {}) });
    }
  });
  return routes;
}

function isBodySpec(body: BodySpec | JsonSchema): body is BodySpec {
  return typeof body.resource === 'string' && typeof body.elements === 'object';
}

/** A BodySpec as a JSON Schema: its writable elements (dashed names; underscores are accepted too). */
export function bodySpecSchema(spec: BodySpec): JsonSchema {
  const properties = Object.fromEntries(Object.entries(spec.elements).map(([name, [, reader]]) => [name, elementSchema(reader)]));
  return { type: 'object', description: `a ${spec.resource}; underscores may stand for dashes`, properties };
}

function successContent(response: RouteDoc['response']): JsonSchema {
  if (response.contentType) return { content: { [response.contentType]: {} } };
  if (!response.elements) return {};
  const object = { type: 'object', properties: Object.fromEntries(response.elements.map((name) => [name, {}])) };
  return { content: bodyContent(response.many ? { type: 'array', items: object } : object) };
}

/** The query language's arguments for a list: paging, order, shaping, and a filter per filterable field. */
export function listParameters(schema: QuerySchema): JsonSchema[] {
  const filters = Object.entries(schema.fields)
    .filter(([, spec]) => spec.filterable !== false)
    .map(([name, spec]) => ({
      name,
      in: 'query',
      required: false,
      schema: { type: 'string' },
      description: `Filter on ${name} (${spec.type}); also ${name}[operator]=value with operator one of ${operators.filter((o) => o !== 'eq').join(', ')}. Dashes or underscores.`,
    }));
  const paging = [
    { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 0, maximum: 50, default: 50 } },
    { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0, default: 0 } },
    { name: 'order_by', in: 'query', schema: { type: 'string', enum: Object.keys(schema.fields) } },
    { name: 'dir', in: 'query', schema: { type: 'string', enum: ['asc', 'desc'] } },
  ];
  return [...paging, ...shapingParameters(), ...filters];
}

export function shapingParameters(): JsonSchema[] {
  return [
    { name: 'return_object', in: 'query', schema: { type: 'string', enum: ['limited', 'shallow', 'none'] } },
    { name: 'fields', in: 'query', schema: { type: 'string' }, description: 'JSON list of elements, e.g. ["id","login",{"manager":["login"]}]' },
  ];
}

const bodyContent = (schema: JsonSchema) => ({ 'application/json': { schema }, 'application/xml': { schema } });

/** OpenAPI operations of the routes that declared a doc, keyed by path then method. */
export function routeDocPaths(routes: readonly RegisteredRoute[], errorResponses: JsonSchema): Record<string, Record<string, JsonSchema>> {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    if (!route.doc) continue;
    const { summary, body, query = [], list, response } = route.doc;
    const security = route.doc.public ? [] : [{ oauth2: route.scope ? [route.scope] : [] }, { apiKey: [] }];
    const pathParameters = [...route.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({ name, in: 'path', required: true, schema: { type: 'string' } }));
    const queryParameters = query.map((q) => ({ name: q.name, in: 'query', required: false, schema: q.schema ?? { type: 'string' }, description: q.description }));
    const success = { description: response.description, ...successContent(response) };
    paths[route.path] = {
      ...paths[route.path],
      [route.method]: {
        summary,
        security,
        parameters: [...pathParameters, ...(list ? listParameters(list) : []), ...queryParameters],
        ...(body ? { requestBody: { required: true, content: bodyContent(isBodySpec(body) ? bodySpecSchema(body) : body) } } : {}),
        responses: { [String(response.status ?? 200)]: success, ...errorResponses },
      },
    };
  }
  return paths;
}
