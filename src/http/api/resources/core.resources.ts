import type { FastifyInstance } from 'fastify';
import {
  accountQuerySchema,
  accountTypeQuerySchema,
  lookupQuerySchema,
  lookupValueQuerySchema,
  roleQuerySchema,
  userQuerySchema,
  type Account,
  type AccountInput,
  type CoreService,
} from '../../../core/index.ts';
import { requireScope } from '../../auth/index.ts';
import { bool, currencyCode, ElementProblem, integer, list, money, reference, requiredText, text, type BodySpec, type ElementReader } from './body-reader.ts';
import {
  presentAccount,
  presentAccountType,
  presentLookup,
  presentLookupValue,
  presentRole,
  presentUser,
} from './core.presenters.ts';
import { actorOf, parseId, registerResource, shape, type ResourceDefinition } from './resource-routes.ts';
import { send } from '../respond.ts';
import type { RouteDoc } from '../route-docs.ts';

const userKey = reference([
  ['login', 'login', text(255)],
  ['employee-number', 'employeeNumber', text(255)],
  ['email', 'email', text(255)],
]);
const roleKey = reference([['name', 'name', text(100)]], false);
const chartKey = reference([['name', 'name', text(50)]], false);
const lookupKey = reference([['name', 'name', text(100)]], false);

const userBody: BodySpec = {
  resource: 'user',
  elements: {
    login: ['login', requiredText(255)],
    email: ['email', requiredText(255)],
    firstname: ['firstname', requiredText(40)],
    lastname: ['lastname', requiredText(40)],
    middlename: ['middlename', text(40)],
    'mention-name': ['mentionName', text(255)],
    'employee-number': ['employeeNumber', text(255)],
    active: ['active', bool],
    'phone-work': ['phoneWork', text(50)],
    'phone-mobile': ['phoneMobile', text(50)],
    'default-currency': ['defaultCurrency', currencyCode],
    'default-locale': ['defaultLocale', text(20)],
    manager: ['manager', userKey],
    roles: ['roles', list(roleKey)],
    'ccw-user': ['ccwUser', bool],
    'sso-identifier': ['ssoIdentifier', text(255)],
    'authentication-method': ['authenticationMethod', text(40)],
    'approval-limit': ['approvalLimit', money],
  },
  readOnly: ['fullname'],
};

const segmentDefinition: ElementReader = (value, element) => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ElementProblem(`${element} must be an object with field-type-name`);
  const v = value as Record<string, unknown>;
  return {
    position: v.position === undefined ? undefined : integer(v.position, `${element} position`),
    fieldTypeCode: v['field-type-code'] === undefined ? undefined : text(8)(v['field-type-code'], `${element} field-type-code`),
    fieldTypeName: text(50)(v['field-type-name'] ?? null, `${element} field-type-name`),
    lookup: v.lookup === undefined || v.lookup === null ? null : reference([['name', 'name', text(100)]])(v.lookup, `${element} lookup`),
  };
};

const accountTypeBody: BodySpec = {
  resource: 'account-type',
  elements: {
    name: ['name', requiredText(50)],
    active: ['active', bool],
    currency: ['currency', currencyCode],
    segments: ['segments', list(segmentDefinition, 20)],
  },
  readOnly: [],
};

const accountBody: BodySpec = {
  resource: 'account',
  elements: {
    name: ['name', text(1024)],
    active: ['active', bool],
    'account-type': ['accountType', chartKey],
    'account-type-id': ['accountTypeId', integer],
    ...Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`segment-${i + 1}`, [`segment${i + 1}`, text(100)] as [string, ElementReader]])),
  },
  readOnly: ['code'],
};

const lookupBody: BodySpec = {
  resource: 'lookup',
  elements: {
    name: ['name', requiredText(100)],
    description: ['description', text(255)],
    active: ['active', bool],
    'level-names': [
      'levelNames',
      list((value, element) => (typeof value === 'object' && value !== null && 'name' in value ? text(100)(value.name, element) : text(100)(value, element)), 10),
    ],
  },
  readOnly: [],
};

const lookupValueBody: BodySpec = {
  resource: 'lookup-value',
  elements: {
    name: ['name', requiredText(255)],
    description: ['description', text(255)],
    active: ['active', bool],
    lookup: ['lookup', lookupKey],
    'lookup-id': ['lookupId', integer],
    'external-ref-num': ['externalRefNum', text(255)],
    'external-ref-code': ['externalRefCode', text(2000)],
    parent: [
      'parent',
      reference([
        ['external-ref-code', 'externalRefCode', text(2000)],
        ['name', 'name', text(255)],
      ]),
    ],
    'parent-id': ['parentId', integer],
    'is-default': ['isDefault', bool],
    'account-type': ['accountType', reference([['name', 'name', text(50)]])],
  },
  readOnly: ['depth'],
};

/** The flat API form of an account (segment-N, account-type-id) as the service's input; a PUT keeps segments it does not name. */
function accountInput(raw: Record<string, unknown>, existing: Account | null): AccountInput {
  const input: AccountInput = {};
  if ('name' in raw) input.name = raw.name as string | null;
  if ('active' in raw) input.active = raw.active as boolean;
  if ('accountType' in raw) input.accountType = raw.accountType as AccountInput['accountType'];
  else if ('accountTypeId' in raw) input.accountType = { id: raw.accountTypeId as number };
  const given = Array.from({ length: 20 }, (_, i) => raw[`segment${i + 1}`] as string | null | undefined);
  if (given.some((s) => s !== undefined)) {
    input.segments = given.map((s, i) => (s === undefined ? (existing?.segments[i] ?? null) : s));
  }
  return input;
}

function withIds<T extends Record<string, unknown>>(raw: T, idKey: string, objectKey: string): T {
  if (idKey in raw && !(objectKey in raw)) return { ...raw, [objectKey]: { id: raw[idKey] } };
  return raw;
}

export function coreResources(core: CoreService): Array<ResourceDefinition<never>> {
  const definitions = [
    {
      path: 'users',
      element: 'user',
      summary: 'Users, their roles, Workforce licence and supervisor (manager)',
      schema: userQuerySchema,
      readScope: 'core.user.read',
      writeScope: 'core.user.write',
      list: core.users.list,
      get: (id: number) => core.users.get(id),
      present: presentUser,
      create: core.users.create,
      update: core.users.update,
      setExported: core.users.setExported,
      body: userBody,
    },
    {
      path: 'roles',
      element: 'role',
      summary: 'Predefined and custom roles',
      schema: roleQuerySchema,
      readScope: 'core.user.read',
      writeScope: 'core.user.write',
      list: core.roles.list,
      get: core.roles.get,
      present: presentRole,
      create: core.roles.create,
      body: { resource: 'role', elements: { name: ['name', requiredText(100)], description: ['description', text(255)] }, readOnly: ['predefined'] },
    },
    {
      path: 'account_types',
      element: 'account-type',
      summary: 'Charts of accounts and their segment definitions',
      schema: accountTypeQuerySchema,
      readScope: 'core.accounting.read',
      writeScope: 'core.accounting.write',
      list: core.accountTypes.list,
      get: (id: number) => core.accountTypes.get(id),
      present: presentAccountType,
      create: core.accountTypes.create,
      update: core.accountTypes.update,
      setExported: core.accountTypes.setExported,
      body: accountTypeBody,
    },
    {
      path: 'accounts',
      element: 'account',
      summary: 'Accounts: one combination of segment values in a chart of accounts',
      schema: accountQuerySchema,
      readScope: 'core.accounting.read',
      writeScope: 'core.accounting.write',
      list: core.accounts.list,
      get: (id: number) => core.accounts.get(id),
      present: presentAccount,
      create: (raw: Record<string, unknown>, actor: string) => core.accounts.create(accountInput(raw, null), actor),
      update: async (id: number, raw: Record<string, unknown>, actor: string) =>
        core.accounts.update(id, accountInput(raw, await core.accounts.get(id)), actor),
      setExported: core.accounts.setExported,
      body: accountBody,
    },
    {
      path: 'lookups',
      element: 'lookup',
      summary: 'Lookups: named lists (possibly hierarchical) of values',
      schema: lookupQuerySchema,
      readScope: 'core.accounting.read',
      writeScope: 'core.accounting.write',
      list: core.lookups.list,
      get: core.lookups.get,
      present: presentLookup,
      create: core.lookups.create,
      update: core.lookups.update,
      setExported: core.lookups.setExported,
      body: lookupBody,
    },
    {
      path: 'lookup_values',
      element: 'lookup-value',
      summary: 'Values of a lookup, with their hierarchy',
      schema: lookupValueQuerySchema,
      readScope: 'core.accounting.read',
      writeScope: 'core.accounting.write',
      list: core.lookupValues.list,
      get: (id: number) => core.lookupValues.get(id),
      present: presentLookupValue,
      create: (raw: Record<string, unknown>, actor: string) =>
        core.lookupValues.create(withIds(withIds(raw, 'lookupId', 'lookup'), 'parentId', 'parent'), actor),
      update: (id: number, raw: Record<string, unknown>, actor: string) =>
        core.lookupValues.update(id, withIds(withIds(raw, 'lookupId', 'lookup'), 'parentId', 'parent'), actor),
      setExported: core.lookupValues.setExported,
      body: lookupValueBody,
    },
  ];
  return definitions as unknown as Array<ResourceDefinition<never>>;
}

export function registerCoreApi(app: FastifyInstance, core: CoreService, definitions = coreResources(core)): void {
  for (const def of definitions) registerResource(app, def);
  const copyDoc: RouteDoc = {
    summary: 'Copy a chart of accounts (an account type: currency, segments and their lookups) under a new name, or "Copy of <name>" ("Copy 2 of <name>"... when taken)',
    body: { type: 'object', properties: { name: { type: 'string' } } },
    response: { status: 201, description: 'The new account type, shaped as return_object and fields ask' },
    query: [{ name: 'return_object', description: 'limited, shallow or none', schema: { type: 'string', enum: ['limited', 'shallow', 'none'] } }],
  };
  app.post('/api/account_types/:id/copy', { preHandler: requireScope('core.accounting.write'), config: { doc: copyDoc } }, async (request, reply) => {
    const id = parseId((request.params as { id: string }).id, 'account-type');
    const body = (request.body ?? {}) as Record<string, unknown>;
    const name = typeof body.name === 'string' ? body.name : undefined;
    const copy = await core.accountTypes.copy(id, name, actorOf(request));
    const params = new URLSearchParams(request.url.split('?')[1] ?? '');
    const shaped = shape(params, presentAccountType(copy));
    return shaped === undefined ? reply.code(201).send() : send(request, reply, 201, shaped, 'account-type');
  });
}
