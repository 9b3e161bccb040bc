import type { Scope } from '../../auth/index.ts';
import { segmentValueQuerySchema, workforceUserQuerySchema, workLocationQuerySchema } from '../../../workforce/index.ts';
import type { QuerySchema } from '../../../query/types.ts';

type JsonSchema = Record<string, unknown>;

/**
 * One route of the Workforce API: ccw.routes.ts registers it (method, url, scope) and the OpenAPI document
 * describes it from the same object, so the two cannot drift apart.
 */
export interface CcwOperation {
  method: 'GET' | 'PUT';
  /** Fastify form, e.g. /api/ccw/users/:login. */
  url: string;
  summary: string;
  scope: Scope;
  /** A list in the Core query language over this schema (filters, paging, ordering). */
  list?: QuerySchema;
  /** Query arguments besides the query language and shaping (fields, return_object). */
  query?: Record<string, { schema: JsonSchema; description: string }>;
  /** Component schema name of the request body (PUT). */
  body?: string;
  /** Component schema name of the response; `many` for a list of them. */
  response: { component: string; many?: boolean };
}

const nullable = (type: string, extra: JsonSchema = {}) => ({ type: [type, 'null'], ...extra });
const text = nullable('string');
const timestamp = nullable('string', { format: 'date-time' });
const decimal = nullable('string', { pattern: '^-?\\d+(\\.\\d+)?$' });
const currency = { type: ['object', 'null'], properties: { code: { type: 'string' } } };
const object = (properties: Record<string, JsonSchema>, description?: string): JsonSchema => ({ type: 'object', properties, ...(description ? { description } : {}) });

/** What the presenters in ccw.presenters.ts return, element by element. */
export const ccwComponents: Record<string, JsonSchema> = {
  WorkforceUser: object({
    id: { type: 'integer' },
    'user-name': { type: 'string' },
    'first-name': { type: 'string' },
    'last-name': { type: 'string' },
    'nick-name': text,
    email: { type: 'string' },
    'phone-number': text,
    'default-currency': currency,
    'employee-number': text,
    status: { type: 'string', enum: ['active', 'inactive'] },
    supervisor: { type: ['object', 'null'], properties: { id: { type: 'integer' }, 'user-name': { type: 'string' } } },
    roles: { type: 'array', items: object({ name: { type: 'string' } }) },
    'approval-limit': { type: ['object', 'null'], properties: { amount: decimal, currency } },
    'created-at': timestamp,
    'updated-at': timestamp,
  }),
  WorkforceUserRoles: object({ roles: { type: 'array', items: object({ name: { type: 'string' } }) } }, 'Only roles are written; synchronized elements echoed back are ignored'),
  Segment: object({
    slot: { type: 'integer', minimum: 1, maximum: 11 },
    name: text,
    owner: { type: 'string', enum: ['chart-of-accounts', 'hr'] },
  }),
  SegmentValue: object({
    id: { type: 'integer' },
    slot: { type: 'integer' },
    name: { type: 'string' },
    code: text,
    description: text,
    active: { type: 'boolean' },
    source: { type: 'string', enum: ['chart-of-accounts', 'hr'] },
    'created-at': timestamp,
    'updated-at': timestamp,
  }),
  WorkLocation: object({
    id: { type: 'integer' },
    code: { type: 'string' },
    name: text,
    'address-line1': { type: 'string' },
    'address-line2': text,
    city: { type: 'string' },
    state: { type: 'string' },
    'postal-code': text,
    country: { type: 'string' },
    active: { type: 'boolean' },
    'created-at': timestamp,
    'updated-at': timestamp,
  }),
  WorkforceSettings: object({
    'chart-of-accounts': { type: ['object', 'null'], properties: { id: { type: 'integer' }, name: { type: 'string' } } },
    'segment-names': { type: 'object', additionalProperties: text, description: 'slot -> name of the HR-only slots, e.g. {"4": "Site Location"}' },
    segments: { type: 'array', items: { $ref: '#/components/schemas/Segment' } },
    designation: object({}, 'After a designation: the charts before and after, each slot that moved, the values copied per slot'),
  }),
  WorkforceSettingsUpdate: object({
    'chart-of-accounts': { type: ['object', 'null'], properties: { name: { type: 'string' }, id: { type: 'integer' } }, description: 'designates this Core chart of accounts; null removes the designation' },
    'segment-names': { type: 'object', additionalProperties: text, description: 'names HR-only slots, e.g. {"4": "Site Location"}' },
  }),
  SyncStatus: object({
    pending: { type: 'integer' },
    retrying: { type: 'integer' },
    parked: { type: 'integer' },
    'oldest-pending-at': timestamp,
    'lag-seconds': decimal,
    'last-applied-at': timestamp,
    'last-error': { type: ['object', 'null'], properties: { 'event-id': { type: 'integer' }, entity: { type: 'string' }, 'entity-id': { type: 'integer' }, message: { type: 'string' } } },
    'parked-events': { type: 'array', items: object({ id: { type: 'integer' }, entity: { type: 'string' }, 'entity-id': { type: 'integer' }, attempts: { type: 'integer' }, 'last-error': text, 'created-at': timestamp }) },
    'pending-events': {
      type: 'array',
      description: 'the next pending events to be applied, in id order (at most 20)',
      items: object({ id: { type: 'integer' }, entity: { type: 'string' }, 'entity-id': { type: 'integer' }, attempts: { type: 'integer' }, 'last-error': text, 'created-at': timestamp, 'next-attempt-at': timestamp }),
    },
  }),
};

const read: Scope = 'workforce.read';
const write: Scope = 'workforce.write';

export const ccwOperations = {
  listUsers: { method: 'GET', url: '/api/ccw/users', summary: 'List Workforce users', scope: read, list: workforceUserQuerySchema, response: { component: 'WorkforceUser', many: true } },
  showUser: { method: 'GET', url: '/api/ccw/users/:login', summary: 'Show a Workforce user by user name', scope: read, response: { component: 'WorkforceUser' } },
  setUserRoles: { method: 'PUT', url: '/api/ccw/users/:login', summary: "Set a Workforce user's roles (configured Workforce role names)", scope: write, body: 'WorkforceUserRoles', response: { component: 'WorkforceUser' } },
  approvalChain: {
    method: 'GET',
    url: '/api/ccw/users/:login/approval-chain',
    summary: 'Supervisors upward, nearest first, skipping inactive ones, up to the first whose approval limit covers the amount (or the top)',
    scope: read,
    query: {
      amount: { schema: { type: 'string', pattern: '^\\d+(\\.\\d+)?$' }, description: 'amount to approve; absent: the whole chain' },
      currency: { schema: { type: 'string', pattern: '^[A-Za-z]{3}$' }, description: "currency of the amount; default: the user's default currency" },
    },
    response: { component: 'WorkforceUser', many: true },
  },
  listSegments: { method: 'GET', url: '/api/ccw/segments', summary: 'The 11 master data segments: slot, name, owner', scope: read, response: { component: 'Segment', many: true } },
  listSegmentValues: {
    method: 'GET',
    url: '/api/ccw/segments/:slot/values',
    summary: "Values of a segment slot; parent_value keeps the children of that parent slot's value",
    scope: read,
    list: segmentValueQuerySchema,
    query: {
      parent_value: { schema: { type: 'string' }, description: 'name of a value of the parent slot: only its valid children' },
      parent_slot: { schema: { type: 'integer', minimum: 1, maximum: 11 }, description: 'slot of parent_value (default: the slot before)' },
    },
    response: { component: 'SegmentValue', many: true },
  },
  listWorkLocations: { method: 'GET', url: '/api/ccw/work_locations', summary: 'List work locations', scope: read, list: workLocationQuerySchema, response: { component: 'WorkLocation', many: true } },
  showWorkLocation: { method: 'GET', url: '/api/ccw/work_locations/:code', summary: 'Show a work location by code', scope: read, response: { component: 'WorkLocation' } },
  showSettings: { method: 'GET', url: '/api/ccw/settings', summary: 'The designated chart of accounts, names of HR slots, the 11 segments', scope: read, response: { component: 'WorkforceSettings' } },
  updateSettings: {
    method: 'PUT',
    url: '/api/ccw/settings',
    summary: 'Designate a chart of accounts (re-maps slots 1..k, reports what moved) and name HR slots',
    scope: write,
    body: 'WorkforceSettingsUpdate',
    response: { component: 'WorkforceSettings' },
  },
  syncStatus: { method: 'GET', url: '/api/ccw/sync/status', summary: 'Core -> Workforce sync: pending, retrying and parked events, lag, last error', scope: read, response: { component: 'SyncStatus' } },
} satisfies Record<string, CcwOperation>;
