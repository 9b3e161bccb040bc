import type { FastifyInstance } from 'fastify';
import type { AssociationSpec, FieldSpec, FieldType, QuerySchema } from '../../query/types.ts';
import { scopes } from '../auth/index.ts';
import type { CcwOperation } from './ccw/ccw.schemas.ts';
import type { ResourceDefinition } from './resources/resource-routes.ts';
import { listParameters, recordRoutes, routeDocPaths, shapingParameters, type JsonSchema, type RegisteredRoute } from './route-docs.ts';

const typeSchemas: Record<FieldType, JsonSchema> = {
  integer: { type: ['integer', 'null'] },
  string: { type: ['string', 'null'] },
  boolean: { type: ['boolean', 'null'] },
  datetime: { type: ['string', 'null'], format: 'date-time' },
  decimal: { type: ['string', 'null'], pattern: '^-?\\d+(\\.\\d+)?$' },
};

function componentName(element: string): string {
  return element.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase());
}

function associationSchema(spec: AssociationSpec): JsonSchema {
  if (spec.kind === 'embedded') return { type: ['object', 'null'], properties: fieldProperties(spec.fields) };
  const target = spec.target();
  const ref = { type: 'object', properties: fieldProperties(target.fields), description: `a ${target.resource}, by id or natural key` };
  return spec.kind === 'many' ? { type: 'array', items: ref } : { ...ref, type: ['object', 'null'] };
}

function fieldProperties(fields: Record<string, FieldSpec>): Record<string, JsonSchema> {
  return Object.fromEntries(Object.entries(fields).map(([name, spec]) => [name, typeSchemas[spec.type]]));
}

function recordSchema(schema: QuerySchema): JsonSchema {
  return {
    type: 'object',
    properties: {
      ...fieldProperties(schema.fields),
      ...Object.fromEntries(Object.entries(schema.associations).map(([name, spec]) => [name, associationSchema(spec)])),
    },
  };
}

const errorResponses = {
  '400': { description: 'Malformed query argument or body; the message names it' },
  '401': { description: 'No or invalid credentials' },
  '403': { description: 'The credentials lack the scope named in the message' },
  '404': { description: 'No such record (XML: also an empty list)' },
  '422': { description: 'Validation failed: {"errors":{"<resource>":["..."]}}' },
  '429': { description: 'Rate limit reached; see Retry-After' },
};

const content = (schema: JsonSchema) => ({ 'application/json': { schema }, 'application/xml': { schema } });
const security = (scope: string) => [{ oauth2: [scope] }, { apiKey: [] }];

function resourcePaths(def: ResourceDefinition<never>): Record<string, JsonSchema> {
  const ref = { $ref: `#/components/schemas/${componentName(def.element)}` };
  const collection: JsonSchema = {
    get: {
      summary: `List ${def.path}: ${def.summary}`,
      security: security(def.readScope),
      parameters: listParameters(def.schema),
      responses: { '200': { description: 'Matching records', content: content({ type: 'array', items: ref }) }, ...errorResponses },
    },
    delete: { summary: 'Not supported: deactivate instead', responses: { '405': { description: 'Method not allowed' } } },
  };
  if (def.create) {
    collection.post = {
      summary: `Create a ${def.element}`,
      security: security(def.writeScope),
      parameters: shapingParameters(),
      requestBody: { required: true, content: content(ref) },
      responses: { '201': { description: 'Created', content: content(ref) }, ...errorResponses },
    };
  }
  const item: JsonSchema = {
    parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer' } }],
    get: {
      summary: `Show a ${def.element}`,
      security: security(def.readScope),
      parameters: shapingParameters(),
      responses: { '200': { description: 'The record', content: content(ref) }, ...errorResponses },
    },
    delete: { summary: 'Not supported: PUT active=false instead', responses: { '405': { description: 'Method not allowed' } } },
  };
  if (def.update) {
    item.put = {
      summary: `Update a ${def.element} (partial); ?exported=true|false alone marks it exported`,
      security: security(def.writeScope),
      parameters: [...shapingParameters(), { name: 'exported', in: 'query', schema: { type: 'boolean' } }],
      requestBody: { content: content(ref) },
      responses: { '200': { description: 'The updated record', content: content(ref) }, ...errorResponses },
    };
  }
  return { [`/api/${def.path}`]: collection, [`/api/${def.path}/{id}`]: item };
}

/** Routes described one by one (the Workforce API): a path per URL, an operation per method. */
function operationPaths(operations: readonly CcwOperation[]): Record<string, JsonSchema> {
  const paths: Record<string, JsonSchema> = {};
  for (const op of operations) {
    const path = op.url.replace(/:(\w+)/g, '{$1}');
    const ref = { $ref: `#/components/schemas/${op.response.component}` };
    const parameters = [
      ...[...op.url.matchAll(/:(\w+)/g)].map(([, name]) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
      ...(op.list ? listParameters(op.list) : shapingParameters()),
      ...Object.entries(op.query ?? {}).map(([name, q]) => ({ name, in: 'query', required: false, schema: q.schema, description: q.description })),
    ];
    paths[path] = {
      ...paths[path],
      [op.method.toLowerCase()]: {
        summary: op.summary,
        security: security(op.scope),
        parameters,
        ...(op.body ? { requestBody: { required: true, content: content({ $ref: `#/components/schemas/${op.body}` }) } } : {}),
        responses: { '200': { description: 'OK', content: content(op.response.many ? { type: 'array', items: ref } : ref) }, ...errorResponses },
      },
    };
  }
  return paths;
}

/** Routes documented from their own descriptions, besides the Core resources. */
export interface DescribedRoutes {
  operations: readonly CcwOperation[];
  components: Record<string, JsonSchema>;
}

/** Paths merged method by method: a path may have operations from more than one source. */
function mergePaths(sources: Array<Record<string, JsonSchema>>): Record<string, JsonSchema> {
  const paths: Record<string, JsonSchema> = {};
  for (const source of sources) for (const [path, operations] of Object.entries(source)) paths[path] = { ...paths[path], ...operations };
  return paths;
}

const tokenPath = {
  '/oauth2/token': {
    post: {
      summary: 'OAuth 2.0 client credentials: form fields grant_type, client_id, client_secret, scope',
      requestBody: { content: { 'application/x-www-form-urlencoded': { schema: { type: 'object' } } } },
      responses: { '200': { description: 'access_token, token_type, expires_in (86400), scope' }, '400': { description: 'RFC 6749 error' }, '401': { description: 'invalid_client' } },
    },
  },
};

/**
 * The OpenAPI 3.1 document, generated from the same definitions the routes are built from: the Core
 * resources, the Workforce operations, and the `config.doc` of every other /api route.
 */
export function buildOpenApiDocument(
  resources: Array<ResourceDefinition<never>>,
  described: DescribedRoutes = { operations: [], components: {} },
  routes: readonly RegisteredRoute[] = [],
): JsonSchema {
  return {
    openapi: '3.1.0',
    info: { title: 'Workgate Core-compatible API', version: '1' },
    paths: mergePaths([tokenPath, ...resources.map(resourcePaths), operationPaths(described.operations), routeDocPaths(routes, errorResponses)]),
    components: {
      schemas: { ...Object.fromEntries(resources.map((r) => [componentName(r.element), recordSchema(r.schema)])), ...described.components },
      securitySchemes: {
        oauth2: {
          type: 'oauth2',
          flows: { clientCredentials: { tokenUrl: '/oauth2/token', scopes: Object.fromEntries(scopes.map((s) => [s, s])) } },
        },
        apiKey: { type: 'apiKey', in: 'header', name: 'X-COUPA-API-KEY' },
      },
    },
  };
}

const documents = new WeakMap<FastifyInstance, { build: () => JsonSchema; routes: readonly RegisteredRoute[] }>();

/**
 * GET /api/openapi.json. Call before the other /api routes are registered: it records them as they
 * are, and builds the document once, at the first request, when all are known.
 */
export function registerOpenApi(app: FastifyInstance, resources: Array<ResourceDefinition<never>>, described?: DescribedRoutes): void {
  const routes = recordRoutes(app);
  const build = () => buildOpenApiDocument(resources, described, routes);
  documents.set(app, { build, routes });
  let document: string | undefined;
  const doc = { summary: 'This document: every route of the API, with the scope it needs', public: true, response: { description: 'OpenAPI 3.1, JSON' } };
  app.get('/api/openapi.json', { config: { doc } }, async (_request, reply) => {
    document ??= JSON.stringify(build());
    return reply.type('application/json; charset=utf-8').send(document);
  });
}

/** Routes under /api that the document leaves out ("GET /api/x/{id}"): none, unless a route forgot its doc. */
export function undocumentedRoutes(app: FastifyInstance): string[] {
  const registered = documents.get(app);
  if (!registered) return ['/api/openapi.json is not registered'];
  const paths = registered.build().paths as Record<string, JsonSchema>;
  return registered.routes.filter((r) => !paths[r.path]?.[r.method]).map((r) => `${r.method.toUpperCase()} ${r.path}`);
}
