import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dialects } from '../support/databases.ts';
import { TestBrowser, formAction, formField, type Page } from './support/browser.ts';
import { decodeJwt, startOidcIdp, type OidcIdp } from './support/oidc-idp.ts';
import { people, seedPeople, startSsoWorkgate, type SsoWorkgate } from './support/workgate.ts';

const name = 'corp';

for (const dialect of dialects()) {
  describe(`OpenID Connect sign-in against oidc-provider on ${dialect.name}`, { skip: dialect.skip }, () => {
    let wg: SsoWorkgate;
    let idp: OidcIdp;

    before(async () => {
      wg = await startSsoWorkgate(dialect);
      await seedPeople(wg.h);
      idp = await startOidcIdp({ workgateUrl: wg.url, providerName: name });
      for (const person of Object.values(people)) idp.accounts.set(person.subject, { email: `${person.login}@example.com`, email_verified: true, preferred_username: person.login });
      const added = await wg.api('/api/admin/sso/providers', { method: 'POST', body: { name, kind: 'oidc', issuer: idp.issuer, 'client-id': idp.clientId, 'client-secret': idp.clientSecret } });
      assert.equal(added.status, 201, added.text);
      assert.ok(!added.text.includes(idp.clientSecret), 'the client secret is never answered');
    });

    after(async () => {
      await wg?.close();
      await idp?.close();
    });

    const callbackPrefix = () => `${wg.url}/auth/${name}/callback`;

    /** From Workgate's login URL to the provider's login form, then the form posted as `subject`. */
    async function signIn(browser: TestBrowser, subject: string, returnTo = '/', stopAtCallback = false) {
      const start = await browser.follow(`${wg.url}/auth/${name}/login?return_to=${encodeURIComponent(returnTo)}`);
      assert.equal(start.page.status, 200, start.page.body);
      assert.ok(start.page.url.startsWith(idp.issuer), 'the browser is at the provider');
      const action = new URL(formAction(start.page.body)!, idp.issuer).href;
      return browser.follow(action, { form: { login: subject }, ...(stopAtCallback ? { stopBefore: (url: string) => url.startsWith(callbackPrefix()) } : {}) });
    }

    async function me(browser: TestBrowser): Promise<{ status: number; body: Record<string, unknown> }> {
      const page = await browser.request(`${wg.url}/api/me`);
      return { status: page.status, body: page.status === 200 ? (JSON.parse(page.body) as Record<string, unknown>) : {} };
    }

    async function lastAudit(): Promise<{ event: string; reason: string | null; login: string | null }> {
      const [event] = await wg.sso.audit.list({ limit: 1 });
      return event!;
    }

    function callbackPage(trail: Page[]): Page {
      const page = trail.find((p) => p.url.startsWith(callbackPrefix()));
      assert.ok(page, 'the provider sent the browser back to the callback');
      return page;
    }

    it('never answers the client secret: not in the list, nor for one provider, nor after a change of the secret', async () => {
      const answers = [await wg.api('/api/admin/sso/providers'), await wg.api(`/api/admin/sso/providers/${name}`), await wg.api(`/api/admin/sso/providers/${name}`, { method: 'PUT', body: { 'client-secret': idp.clientSecret } })];
      for (const answer of answers) {
        assert.equal(answer.status, 200, answer.text);
        assert.ok(!answer.text.includes(idp.clientSecret), answer.text);
      }
      assert.equal((answers[1]!.json as Record<string, unknown>)['has-client-secret'], true);
      assert.equal((answers[1]!.json as Record<string, unknown>)['redirect-uri'], `${wg.url}/auth/${name}/callback`);
    });

    it('signs in an admin: the console, a rotated HttpOnly SameSite=Lax session, the admin API with a CSRF token', async () => {
      const browser = new TestBrowser();
      browser.setCookie(wg.url, 'workgate_session', 'an-old-session-token-that-is-not-valid-at-all-x');
      const { trail } = await signIn(browser, people.admin.subject, '/console');
      const callback = callbackPage(trail);
      assert.equal(callback.status, 303);
      assert.equal(callback.location, `${wg.url}/console`);
      const setCookie = callback.headers.getSetCookie().find((c) => c.startsWith('workgate_session='))!;
      assert.match(setCookie, /HttpOnly/);
      assert.match(setCookie, /SameSite=Lax/);
      const session = await me(browser);
      assert.equal(session.status, 200);
      assert.equal(session.body.login, people.admin.login);
      assert.deepEqual(session.body.reach, ['console']);
      assert.deepEqual(session.body.roles, ['Admin']);
      assert.equal(session.body.provider, name);
      assert.equal((await browser.request(`${wg.url}/api/users?login=alice`)).status, 200);
      assert.equal((await browser.request(`${wg.url}/api/admin/sso/providers`)).status, 200);
      assert.equal((await browser.request(`${wg.url}/api/ccw/users`)).status, 200, "the console's Workforce settings use the Workforce API");
      const body = { 'client-secret': 'x' };
      const withoutToken = await browser.request(`${wg.url}/api/admin/sso/providers/${name}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, form: undefined });
      assert.equal(withoutToken.status, 403, 'a state-changing request without the CSRF token is refused');
      assert.match(withoutToken.body, /CSRF/);
      assert.equal((await lastAudit()).event, 'csrf_refused');
      const csrf = String(session.body['csrf-token']);
      const update = await fetch(`${wg.url}/api/admin/sso/providers/${name}`, {
        method: 'PUT',
        headers: { cookie: `workgate_session=${browser.cookie(wg.url, 'workgate_session')}`, 'x-csrf-token': csrf, 'content-type': 'application/json', origin: wg.url },
        body: JSON.stringify({ ...body, 'client-secret': idp.clientSecret }),
      });
      assert.equal(update.status, 200, await update.text());
      const crossSite = await fetch(`${wg.url}/api/admin/sso/providers/${name}`, {
        method: 'PUT',
        headers: { cookie: `workgate_session=${browser.cookie(wg.url, 'workgate_session')}`, 'x-csrf-token': csrf, 'content-type': 'application/json', origin: 'https://evil.example' },
        body: JSON.stringify({ enabled: false }),
      });
      assert.equal(crossSite.status, 403, 'a request from another origin is refused even with the token');
    });

    it('signs in a licensed Workforce user with a role: the Workforce API, not the admin API', async () => {
      const browser = new TestBrowser();
      const { trail } = await signIn(browser, people.worker.subject, '/workforce');
      assert.equal(callbackPage(trail).location, `${wg.url}/workforce`);
      const session = await me(browser);
      assert.equal(session.body.login, people.worker.login);
      assert.deepEqual(session.body.reach, ['workforce']);
      assert.deepEqual(session.body.scopes, ['workforce.read']);
      assert.equal((await browser.request(`${wg.url}/api/ccw/users`)).status, 200);
      assert.equal((await browser.request(`${wg.url}/api/users`)).status, 403);
      assert.equal((await lastAudit()).event, 'sign_in');
    });

    const refusals: Array<[string, string, string, RegExp]> = [
      ['an unknown identity', people.unknown.subject, 'unknown_identity', /not known to Workgate/],
      ['an inactive user', people.inactive.subject, 'inactive', /is inactive/],
      ['a user without the Workforce licence', people.unlicensed.subject, 'no_licence', /no Workforce licence/],
      ['a Workforce user without a Workforce role', people.roleless.subject, 'no_role', /no Workforce role/],
    ];
    for (const [who, subject, reason, message] of refusals) {
      it(`refuses ${who} with a page naming the missing condition, a sign-out button and an audit event`, async () => {
        const browser = new TestBrowser();
        const { trail } = await signIn(browser, subject, '/workforce');
        const page = callbackPage(trail);
        assert.equal(page.status, 403);
        assert.match(page.headers.get('content-type') ?? '', /text\/html/);
        assert.match(page.body, new RegExp(`data-reason="${reason}"`));
        assert.match(page.body, message);
        assert.match(page.body, /action="\/auth\/logout"/);
        const audit = await lastAudit();
        assert.equal(audit.event, 'sign_in_refused');
        assert.equal(audit.reason, reason);
        const session = await me(browser);
        assert.deepEqual(session.body.reach, []);
        assert.equal((await browser.request(`${wg.url}/api/ccw/users`)).status, 403);
      });
    }

    it('creates no user at sign-in: an unknown identity stays unknown', async () => {
      const before = await wg.api('/api/users?limit=1000');
      assert.equal(before.status, 200);
      await signIn(new TestBrowser(), people.unknown.subject, '/workforce');
      assert.equal(await wg.h.core.users.find({ email: `${people.unknown.login}@example.com` }), undefined);
      assert.equal((await wg.api('/api/users?limit=1000')).text, before.text);
    });

    it('matches the configured claim instead of sub, and refuses an id_token without it', async () => {
      const changed = await wg.api(`/api/admin/sso/providers/${name}`, { method: 'PUT', body: { claim: 'employee_id' } });
      assert.equal(changed.status, 200, changed.text);
      idp.accounts.set('00u-okta-wendy', { email: 'other@example.com', email_verified: true, employee_id: people.worker.subject });
      try {
        const browser = new TestBrowser();
        const { trail } = await signIn(browser, '00u-okta-wendy', '/workforce');
        assert.equal(callbackPage(trail).location, `${wg.url}/workforce`);
        assert.equal((await me(browser)).body.login, people.worker.login);
        const without = callbackPage((await signIn(new TestBrowser(), people.worker.subject, '/workforce')).trail);
        assert.equal(without.status, 400, without.body);
        assert.match(without.body, /no usable &quot;employee_id&quot; claim/);
        assert.equal((await lastAudit()).reason, 'invalid_response');
      } finally {
        assert.equal((await wg.api(`/api/admin/sso/providers/${name}`, { method: 'PUT', body: { claim: 'sub' } })).status, 200);
      }
    });

    it('refuses a Workforce user at the console: not admin', async () => {
      const browser = new TestBrowser();
      const page = callbackPage((await signIn(browser, people.worker.subject, '/console')).trail);
      assert.equal(page.status, 403);
      assert.match(page.body, /data-reason="not_admin"/);
      assert.equal((await lastAudit()).reason, 'not_admin');
    });

    it('refuses a return-to URL pointing off-site before leaving for the provider', async () => {
      for (const target of ['https://evil.example/', '//evil.example/x', '/\\evil.example', 'javascript:alert(1)']) {
        const browser = new TestBrowser();
        const page = await browser.request(`${wg.url}/auth/${name}/login?return_to=${encodeURIComponent(target)}`);
        assert.equal(page.status, 400, target);
        assert.match(page.body, /must be a path on this site/);
        assert.equal((await lastAudit()).reason, 'return_to_off_site');
      }
    });

    it('refuses a response with a wrong state', async () => {
      const browser = new TestBrowser();
      const { stoppedAt } = await signIn(browser, people.admin.subject, '/console', true);
      const url = new URL(stoppedAt!);
      url.searchParams.set('state', 'not-the-state-this-browser-started');
      const page = await browser.request(url.href);
      assert.equal(page.status, 400);
      assert.match(page.body, /state does not match/);
      assert.equal((await lastAudit()).reason, 'state_mismatch');
      assert.equal((await me(browser)).status, 401);
    });

    it('refuses a callback in a browser that did not start the sign-in', async () => {
      const { stoppedAt } = await signIn(new TestBrowser(), people.admin.subject, '/console', true);
      const page = await new TestBrowser().request(stoppedAt!);
      assert.equal(page.status, 400);
      assert.equal((await lastAudit()).reason, 'state_missing');
    });

    const tampering: Array<[string, (idToken: string) => string, string, RegExp]> = [
      ['a wrong nonce', (t) => idp.sign({ ...decodeJwt(t).payload, nonce: 'another-nonce' }, decodeJwt(t).header), 'nonce_mismatch', /nonce/],
      ['a tampered id_token', (t) => { const [h, , s] = t.split('.'); return `${h}.${Buffer.from(JSON.stringify({ ...decodeJwt(t).payload, email: 'alice@example.com', sub: people.admin.subject })).toString('base64url')}.${s}`; }, 'invalid_signature', /signature/],
      ['an expired id_token', (t) => idp.sign({ ...decodeJwt(t).payload, iat: Math.floor(Date.now() / 1000) - 7200, exp: Math.floor(Date.now() / 1000) - 3600 }, decodeJwt(t).header), 'expired', /expired/],
      ['an id_token from another issuer', (t) => idp.sign({ ...decodeJwt(t).payload, iss: 'http://127.0.0.1:9/another-issuer' }, decodeJwt(t).header), 'wrong_issuer', /another issuer/],
    ];
    for (const [what, change, reason, message] of tampering) {
      it(`refuses ${what} with a clear message and an audit event`, async () => {
        idp.tamper = (body) => ({ ...body, id_token: change(String(body.id_token)) });
        try {
          const browser = new TestBrowser();
          const page = callbackPage((await signIn(browser, people.worker.subject, '/workforce')).trail);
          assert.equal(page.status, 400, page.body);
          assert.match(page.body, message);
          assert.equal((await lastAudit()).reason, reason);
          assert.equal((await me(browser)).status, 401, 'no session');
        } finally {
          idp.tamper = undefined;
        }
      });
    }

    it('signs out (RP-initiated logout at the provider) and refuses the cookie of the signed-out session', async () => {
      const browser = new TestBrowser();
      await signIn(browser, people.admin.subject, '/console');
      const cookie = browser.cookie(wg.url, 'workgate_session')!;
      const confirm = await browser.request(`${wg.url}/auth/logout`);
      assert.equal(confirm.status, 200);
      const forged = await browser.request(`${wg.url}/auth/logout`, { form: { csrf: 'wrong' } });
      assert.equal(forged.status, 403, 'sign-out needs the CSRF token');
      assert.equal((await me(browser)).status, 200, 'the session survives a forged sign-out');
      const out = await browser.request(`${wg.url}/auth/logout`, { form: { csrf: formField(confirm.body, 'csrf')! }, headers: { origin: wg.url } });
      assert.equal(out.status, 303);
      const endSession = new URL(out.location!);
      assert.ok(out.location!.startsWith(idp.issuer), 'the provider is asked to end its session too');
      assert.ok(endSession.searchParams.get('id_token_hint'));
      assert.equal(endSession.searchParams.get('post_logout_redirect_uri'), `${wg.url}/auth/logged-out`);
      assert.equal((await browser.request(endSession.href)).status, 200, 'the provider answers its logout page');
      browser.setCookie(wg.url, 'workgate_session', cookie);
      const replayed = await browser.request(`${wg.url}/api/me`);
      assert.equal(replayed.status, 401);
      assert.match(replayed.body, /signed out/);
      const audit = await lastAudit();
      assert.equal(audit.event, 'session_refused');
      assert.equal(audit.reason, 'session_ended');
    });

    it('ends a session after the idle timeout', async () => {
      const browser = new TestBrowser();
      await signIn(browser, people.admin.subject, '/console');
      assert.equal((await me(browser)).status, 200);
      wg.advance(31 * 60_000);
      const page = await browser.request(`${wg.url}/api/me`);
      assert.equal(page.status, 401);
      assert.match(page.body, /expired/);
      assert.equal((await lastAudit()).reason, 'session_expired');
    });
  });
}
