import type { FastifyInstance } from 'fastify';
import { checkCsrf } from './csrf.ts';
import { clearCookie, cookieName, readCookie, setCookie } from './cookies.ts';
import { localLoginBody, sendPage } from './pages.ts';
import { checkedReturnTo, completeSignIn } from './sign-in.ts';
import { param } from './params.ts';
import { SsoError } from './sso.errors.ts';
import type { SsoService } from './sso.service.ts';
import { randomToken } from './tokens.ts';

const formCookie = 'workgate_local_form';

/** The break-glass form: /auth/local/login. Double-submit CSRF token, rate-limited and audited by LocalAdmins. */
export function registerLocalRoutes(app: FastifyInstance, sso: SsoService): void {
  const name = () => cookieName(sso.cookiePolicy(), formCookie);

  app.get('/auth/local/login', async (request, reply) => {
    const returnTo = checkedReturnTo(param(request.query, 'return_to'));
    const token = randomToken();
    setCookie(reply, sso.cookiePolicy(), name(), token, 1800);
    return sendPage(reply, 200, 'Sign in to Workgate', localLoginBody(token, returnTo, null));
  });

  app.post('/auth/local/login', async (request, reply) => {
    const form = request.body;
    const expected = readCookie(request, name());
    if (!expected) throw new SsoError('csrf', 'The sign-in form expired or cookies are blocked: reload the page and try again.', { status: 403 });
    checkCsrf(request, expected, sso.publicUrl(), param(form, 'csrf', 128));
    const returnTo = checkedReturnTo(param(form, 'return_to'));
    const login = param(form, 'login', 255) ?? '';
    const password = param(form, 'password', 1024) ?? '';
    try {
      const admin = await sso.localAdmins.verify(login, password, request.ip);
      clearCookie(reply, sso.cookiePolicy(), name());
      return await completeSignIn(sso, request, reply, { provider: 'local', localAdmin: admin, returnTo });
    } catch (error) {
      if (!(error instanceof SsoError) || (error.reason !== 'bad_credentials' && error.reason !== 'rate_limited')) throw error;
      return sendPage(reply, error.status, 'Sign in to Workgate', localLoginBody(expected, returnTo, error.message));
    }
  });
}
