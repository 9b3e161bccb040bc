import type { FastifyReply, FastifyRequest } from 'fastify';
import { evaluateIdentity, localAdminAccess, type Access, type Identity, type Reach } from './access.ts';
import { clearCookie, cookieName, readCookie, setCookie } from './cookies.ts';
import { newNonce, newPkceVerifier } from './oidc.ts';
import { refusalBody, sendPage } from './pages.ts';
import type { Provider } from './provider.types.ts';
import { SsoError } from './sso.errors.ts';
import type { SsoService } from './sso.service.ts';
import { loginStateSeconds, type LoginState } from './login-states.ts';
import { safeReturnTo } from './urls.ts';
import crypto from 'node:crypto';

export const sessionCookie = 'workgate_session';
export const bindingCookie = 'workgate_signin';

/** The gate a return-to path leads to; anything else asks only for some reach. */
export function targetOf(returnTo: string): Reach | undefined {
  if (/^\/(console|api\/admin)(\/|\?|#|$)/.test(returnTo)) return 'console';
  if (/^\/(workforce|api\/ccw)(\/|\?|#|$)/.test(returnTo)) return 'workforce';
  return undefined;
}

export function checkedReturnTo(value: unknown): string {
  const returnTo = safeReturnTo(typeof value === 'string' ? value : undefined);
  if (returnTo === undefined) throw new SsoError('return_to_off_site', 'The return-to address must be a path on this site (such as /workforce).');
  return returnTo;
}

export async function findEnabledProvider(sso: SsoService, name: string): Promise<Provider> {
  const provider = await sso.providers.find(name).catch(() => undefined);
  if (!provider) throw new SsoError('unknown_provider', `There is no identity provider named "${name.slice(0, 64)}".`, { status: 404 });
  if (!provider.enabled) throw new SsoError('provider_disabled', `The identity provider "${provider.name}" is disabled.`, { status: 403 });
  return provider;
}

/** Leaves for the provider: a one-time state in the database, bound to this browser by a cookie. */
export async function startSignIn(sso: SsoService, provider: Provider, returnTo: string, reply: FastifyReply): Promise<FastifyReply> {
  const isOidc = provider.kind === 'oidc';
  const { state, binding } = await sso.loginStates.create({
    provider: provider.name,
    returnTo,
    ...(isOidc ? { nonce: newNonce(), codeVerifier: newPkceVerifier() } : { samlRequestId: `_${crypto.randomBytes(20).toString('hex')}` }),
  });
  const url = isOidc ? await sso.oidc.authorizationUrl(provider, state, sso.redirectUri(provider.name)) : await sso.saml.authorizationUrl(provider, state, sso.spUrls(provider.name));
  setCookie(reply, sso.cookiePolicy(), cookieName(sso.cookiePolicy(), bindingCookie), binding, loginStateSeconds);
  return reply.header('Cache-Control', 'no-store').redirect(url, 303);
}

/** The sign-in this browser started (its binding cookie), taken once. */
export async function takeBoundState(sso: SsoService, request: FastifyRequest, reply: FastifyReply, providerName: string): Promise<LoginState> {
  const name = cookieName(sso.cookiePolicy(), bindingCookie);
  const binding = readCookie(request, name);
  clearCookie(reply, sso.cookiePolicy(), name);
  const state = binding ? await sso.loginStates.takeByBinding(binding) : undefined;
  if (!state || state.provider !== providerName) {
    throw new SsoError('state_missing', 'This sign-in was not started in this browser, or it took longer than 10 minutes. Please start again.');
  }
  return state;
}

export interface Verified {
  provider: string;
  identity?: Identity;
  localAdmin?: { id: number; login: string };
  fallback?: Provider['settings']['fallback'];
  idToken?: string | null;
  returnTo: string;
}

async function endCurrentSession(sso: SsoService, request: FastifyRequest): Promise<void> {
  const token = readCookie(request, cookieName(sso.cookiePolicy(), sessionCookie));
  if (!token) return;
  const current = await sso.sessions.resolve(token);
  if ('session' in current) await sso.sessions.end(current.session.id);
}

function refusalOf(access: Access, target: Reach | undefined) {
  if (target) return access.missing.filter((m) => m.gate === target);
  return access.reach.length === 0 ? access.missing : [];
}

/**
 * After a verified identity: a new session (any older one of this browser ends: rotation), then either the
 * return-to page or a page naming what is missing. Every outcome is audited.
 */
export async function completeSignIn(sso: SsoService, request: FastifyRequest, reply: FastifyReply, verified: Verified): Promise<FastifyReply> {
  await endCurrentSession(sso, request);
  const access = verified.localAdmin ? localAdminAccess(verified.localAdmin.login) : await evaluateIdentity(sso.access, verified.identity!, verified.fallback ?? 'none');
  const subject = verified.identity?.subject ?? verified.localAdmin?.login ?? null;
  const { session, token } = await sso.sessions.create({
    provider: verified.provider,
    subject,
    coreUserId: access.coreUserId,
    localAdminId: verified.localAdmin?.id ?? null,
    access,
    idToken: verified.idToken ?? null,
    address: request.ip,
  });
  setCookie(reply, sso.cookiePolicy(), cookieName(sso.cookiePolicy(), sessionCookie), token, sso.sessions.cookieSeconds(session));
  const audit = { provider: verified.provider, subject, login: access.login, address: request.ip };
  const missing = refusalOf(access, targetOf(verified.returnTo));
  if (missing.length > 0) {
    await sso.audit.record({ ...audit, event: 'sign_in_refused', reason: missing[0]!.reason, message: missing.map((m) => m.message).join(' ') });
    return sendPage(reply, 403, 'Access refused', refusalBody(access.login, missing, session.csrfToken));
  }
  await sso.audit.record({ ...audit, event: 'sign_in', message: `reach: ${access.reach.join(', ')}` });
  return reply.header('Cache-Control', 'no-store').redirect(verified.returnTo, 303);
}
