import type { CoreService, User } from '../../core/index.ts';
import { defaultListQuery } from '../../query/types.ts';
import type { WorkforceService } from '../../workforce/index.ts';
import type { Scope } from '../auth/index.ts';
import type { RefusalReason } from './sso.errors.ts';
import type { MatchFallback } from './provider.types.ts';

/** What a provider vouched for, reduced to what matching needs. */
export interface Identity {
  provider: string;
  /** The configured claim's value (OIDC) or NameID/attribute (SAML): matched to sso-identifier. */
  subject: string;
  email: string | null;
  login: string | null;
}

export const reaches = ['console', 'workforce'] as const;
export type Reach = (typeof reaches)[number];

export interface MissingCondition {
  gate: Reach;
  reason: RefusalReason;
  message: string;
}

/** What a signed-in person may reach, and the scopes that gives their browser session on /api. */
export interface Access {
  coreUserId: number | null;
  login: string | null;
  name: string | null;
  email: string | null;
  roles: string[];
  reach: Reach[];
  missing: MissingCondition[];
  scopes: Scope[];
}

/** The console's: the admin and Core APIs, and the Workforce API for the console's Workforce settings (designation, segment names, roles). */
export const consoleScopes: readonly Scope[] = [
  'core.user.read',
  'core.user.write',
  'core.accounting.read',
  'core.accounting.write',
  'core.common.read',
  'core.integration.read',
  'core.integration.write',
  'workforce.read',
  'workforce.write',
  'workgate.admin',
];
/** Workforce role whose holders may also write through the Workforce API (roles of users, settings). */
export const workforceAdminRole = 'Admin';

export interface AccessDeps {
  core: Pick<CoreService, 'users'>;
  /** Absent when this node has no Workforce: nobody reaches the Workforce pages then. */
  workforce?: Pick<WorkforceService, 'users'>;
}

async function bySsoIdentifier(core: AccessDeps['core'], subject: string): Promise<User[]> {
  const query = defaultListQuery({ limit: 2, conditions: [{ path: [], field: 'sso-identifier', operator: 'eq', values: [subject] }] });
  return core.users.list(query);
}

/** The Core user for an identity: by sso-identifier, then by the provider's fallback. No user is ever created here. */
export async function findCoreUser(deps: AccessDeps, identity: Identity, fallback: MatchFallback): Promise<{ user?: User; reason?: RefusalReason }> {
  const matches = await bySsoIdentifier(deps.core, identity.subject);
  if (matches.length > 1) return { reason: 'ambiguous_identity' };
  if (matches[0]) return { user: matches[0] };
  if (fallback === 'email' && identity.email) {
    const user = (await deps.core.users.find({ email: identity.email })) ?? (await deps.core.users.find({ email: identity.email.toLowerCase() }));
    if (user && (user.ssoIdentifier === null || user.ssoIdentifier === identity.subject)) return { user };
  }
  if (fallback === 'login' && identity.login) {
    const user = await deps.core.users.find({ login: identity.login });
    if (user && (user.ssoIdentifier === null || user.ssoIdentifier === identity.subject)) return { user };
  }
  return { reason: 'unknown_identity' };
}

function unknownAccess(identity: Identity | null, reason: RefusalReason): Access {
  const who = identity ? `The identity "${identity.subject}" from ${identity.provider}` : 'This identity';
  const message =
    reason === 'ambiguous_identity'
      ? `${who} is the SSO identifier of more than one Workgate user; an administrator must make it unique.`
      : `${who} is not known to Workgate: no user has it as SSO identifier. Ask an administrator to set your user's sso-identifier.`;
  return { coreUserId: null, login: null, name: null, email: identity?.email ?? null, roles: [], reach: [], missing: reaches.map((gate) => ({ gate, reason, message })), scopes: [] };
}

async function workforceCondition(deps: AccessDeps, user: User): Promise<{ missing?: MissingCondition; admin: boolean }> {
  const gate = 'workforce' as const;
  if (!user.ccwUser) return { missing: { gate, reason: 'no_licence', message: `Your user ${user.login} has no Workforce licence.` }, admin: false };
  const synced = deps.workforce ? await deps.workforce.users.get(user.login).catch(() => undefined) : undefined;
  if (!synced || synced.sourceId !== user.id || !synced.active) {
    return { missing: { gate, reason: 'no_role', message: `Your user ${user.login} is not (yet) an active Workforce user.` }, admin: false };
  }
  if (synced.roles.length === 0) return { missing: { gate, reason: 'no_role', message: `Your user ${user.login} has no Workforce role.` }, admin: false };
  return { admin: synced.roles.includes(workforceAdminRole) };
}

/** The gates: console needs an active user with the Core Admin role; Workforce an active, licensed, synced user with a Workforce role. */
export async function evaluateUser(deps: AccessDeps, user: User): Promise<Access> {
  const roles = user.roles.map((r) => r.name);
  const base = { coreUserId: user.id, login: user.login, name: `${user.firstname} ${user.lastname}`, email: user.email, roles };
  if (!user.active) {
    const message = `Your user ${user.login} is inactive.`;
    return { ...base, reach: [], missing: reaches.map((gate) => ({ gate, reason: 'inactive', message })), scopes: [] };
  }
  const reach: Reach[] = [];
  const missing: MissingCondition[] = [];
  const scopes = new Set<Scope>();
  if (roles.includes('Admin')) {
    reach.push('console');
    for (const scope of consoleScopes) scopes.add(scope);
  } else {
    missing.push({ gate: 'console', reason: 'not_admin', message: `Your user ${user.login} does not have the Admin role the console needs.` });
  }
  const workforce = await workforceCondition(deps, user);
  if (workforce.missing) missing.push(workforce.missing);
  else {
    reach.push('workforce');
    scopes.add('workforce.read');
    if (workforce.admin) scopes.add('workforce.write');
  }
  return { ...base, reach, missing, scopes: [...scopes] };
}

export async function evaluateIdentity(deps: AccessDeps, identity: Identity, fallback: MatchFallback): Promise<Access> {
  const found = await findCoreUser(deps, identity, fallback);
  return found.user ? evaluateUser(deps, found.user) : unknownAccess(identity, found.reason ?? 'unknown_identity');
}

/** Re-evaluation of a session's Core user; a user since deleted or unknown reaches nothing. */
export async function evaluateUserId(deps: AccessDeps, id: number): Promise<Access> {
  const user = await deps.core.users.get(id).catch(() => undefined);
  return user ? evaluateUser(deps, user) : unknownAccess(null, 'unknown_identity');
}

/** The local break-glass admin: the console, nothing else. */
export function localAdminAccess(login: string): Access {
  return { coreUserId: null, login, name: login, email: null, roles: ['Admin'], reach: ['console'], missing: [{ gate: 'workforce', reason: 'no_licence', message: 'A local admin has no Workforce access.' }], scopes: [...consoleScopes] };
}
