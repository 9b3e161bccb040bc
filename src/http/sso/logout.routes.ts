import type { FastifyInstance } from 'fastify';
import { checkCsrf } from './csrf.ts';
import { clearCookie, cookieName, readCookie } from './cookies.ts';
import { escapeHtml, sendPage, signOutForm } from './pages.ts';
import { sessionCookie } from './sign-in.ts';
import { param } from './params.ts';
import type { Session } from './sessions.ts';
import type { SsoService } from './sso.service.ts';

/** Sign-out: GET shows a button, POST (with the session's CSRF token) ends the session here and at an OIDC provider. */
export function registerLogoutRoutes(app: FastifyInstance, sso: SsoService): void {
  const name = () => cookieName(sso.cookiePolicy(), sessionCookie);

  async function current(token: string | undefined): Promise<Session | undefined> {
    if (!token) return undefined;
    const found = await sso.sessions.resolve(token);
    return 'session' in found ? found.session : undefined;
  }

  async function providerLogoutUrl(session: Session): Promise<string | undefined> {
    if (!session.provider || session.provider === 'local') return undefined;
    const provider = await sso.providers.find(session.provider).catch(() => undefined);
    if (provider?.kind !== 'oidc') return undefined;
    return sso.oidc.endSessionUrl(provider, session.idToken, `${sso.publicUrl()}/auth/logged-out`);
  }

  app.get('/auth/logout', async (request, reply) => {
    const session = await current(readCookie(request, name()));
    if (!session) return sendPage(reply, 200, 'Signed out', '<p>You are not signed in to Workgate.</p><p><a href="/auth/login">Sign in</a></p>');
    const who = session.access.login ?? session.subject ?? 'this account';
    return sendPage(reply, 200, 'Sign out', `<p>Sign out of Workgate (${escapeHtml(who)})?</p>${signOutForm(session.csrfToken)}`);
  });

  app.post('/auth/logout', async (request, reply) => {
    const session = await current(readCookie(request, name()));
    if (session) checkCsrf(request, session.csrfToken, sso.publicUrl(), param(request.body, 'csrf', 128));
    clearCookie(reply, sso.cookiePolicy(), name());
    if (!session) return reply.redirect('/auth/logged-out', 303);
    await sso.sessions.end(session.id);
    await sso.audit.record({ event: 'sign_out', provider: session.provider, subject: session.subject, login: session.access.login, address: request.ip });
    const next = (await providerLogoutUrl(session)) ?? '/auth/logged-out';
    return reply.header('Cache-Control', 'no-store').redirect(next, 303);
  });

  app.get('/auth/logged-out', async (_request, reply) =>
    sendPage(reply, 200, 'Signed out', '<p>You are signed out of Workgate.</p><p><a href="/auth/login">Sign in again</a></p>'),
  );
}
