import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { localLoginLimits } from '../../src/http/sso/index.ts';
import { dialects } from '../support/databases.ts';
import { TestBrowser, formField } from './support/browser.ts';
import { startSsoWorkgate, type SsoWorkgate } from './support/workgate.ts';

const password = 'correct horse battery staple';

for (const dialect of dialects()) {
  describe(`local break-glass admin on ${dialect.name}`, { skip: dialect.skip }, () => {
    let wg: SsoWorkgate;

    before(async () => {
      wg = await startSsoWorkgate(dialect);
      await wg.sso.localAdmins.create('root', password, 'test');
      await wg.sso.localAdmins.create('locked', password, 'test');
    });
    after(async () => wg?.close());

    async function form(browser: TestBrowser, returnTo = '/console'): Promise<string> {
      const page = await browser.request(`${wg.url}/auth/local/login?return_to=${encodeURIComponent(returnTo)}`);
      assert.equal(page.status, 200);
      assert.match(page.body, /<label for="password">/);
      return formField(page.body, 'csrf')!;
    }

    const post = (browser: TestBrowser, fields: Record<string, string>) => browser.request(`${wg.url}/auth/local/login`, { form: fields, headers: { origin: wg.url } });

    it('refuses a short password when creating one', async () => {
      await assert.rejects(wg.sso.localAdmins.create('weak', 'short', 'test'), /at least 12 characters/);
    });

    it('signs in with the right password: a console session and the admin API', async () => {
      const browser = new TestBrowser();
      const csrf = await form(browser);
      const page = await post(browser, { csrf, login: 'root', password, return_to: '/console' });
      assert.equal(page.status, 303, page.body);
      assert.equal(page.location, `${wg.url}/console`);
      const me = JSON.parse((await browser.request(`${wg.url}/api/me`)).body) as Record<string, unknown>;
      assert.equal(me.login, 'root');
      assert.equal(me.provider, 'local');
      assert.deepEqual(me.reach, ['console']);
      assert.equal((await browser.request(`${wg.url}/api/users`)).status, 200);
      assert.equal((await browser.request(`${wg.url}/api/ccw/users`)).status, 200, "the console's Workforce settings use the Workforce API");
      const [event] = await wg.sso.audit.list({ limit: 10, event: 'sign_in' });
      assert.equal(event!.login, 'root');
    });

    it('refuses a post without the form token, or from another site', async () => {
      const browser = new TestBrowser();
      const csrf = await form(browser);
      assert.equal((await post(browser, { login: 'root', password, return_to: '/' })).status, 403);
      const crossSite = await browser.request(`${wg.url}/auth/local/login`, { form: { csrf, login: 'root', password, return_to: '/' }, headers: { origin: 'https://evil.example' } });
      assert.equal(crossSite.status, 403);
      assert.equal((await new TestBrowser().request(`${wg.url}/auth/local/login`, { form: { csrf, login: 'root', password } })).status, 403, 'the token without its cookie');
      const [event] = await wg.sso.audit.list({ limit: 1 });
      assert.equal(event!.event, 'csrf_refused');
    });

    it('answers wrong passwords alike, audits each, and locks the login after too many (even the right password)', async () => {
      const browser = new TestBrowser();
      const csrf = await form(browser);
      for (let i = 0; i < localLoginLimits.perLogin; i += 1) {
        const page = await post(browser, { csrf, login: 'locked', password: `wrong password ${i}`, return_to: '/' });
        assert.equal(page.status, 401);
        assert.match(page.body, /Wrong login or password/);
      }
      const unknown = await post(browser, { csrf, login: 'nobody-here', password: 'whatever it is', return_to: '/' });
      assert.equal(unknown.status, 401);
      assert.match(unknown.body, /Wrong login or password/);
      const locked = await post(browser, { csrf, login: 'locked', password, return_to: '/' });
      assert.equal(locked.status, 429);
      assert.match(locked.body, /Too many failed sign-ins/);
      const events = await wg.sso.audit.list({ limit: 10 });
      assert.equal(events[0]!.reason, 'rate_limited');
      assert.equal(events.filter((e) => e.event === 'local_login_refused' && e.reason === 'bad_credentials' && e.login === 'locked').length, localLoginLimits.perLogin);
      assert.equal((await browser.request(`${wg.url}/api/me`)).status, 401);
    });

    it('a disabled local admin cannot sign in, and its open session ends within a minute', async () => {
      await wg.sso.localAdmins.create('temp', password, 'test');
      const browser = new TestBrowser();
      assert.equal((await post(browser, { csrf: await form(browser), login: 'temp', password, return_to: '/' })).status, 303);
      assert.equal((await browser.request(`${wg.url}/api/me`)).status, 200);
      await wg.sso.localAdmins.disable('temp', 'test');
      wg.advance(61_000);
      assert.equal((await browser.request(`${wg.url}/api/me`)).status, 401);
      const again = new TestBrowser();
      assert.equal((await post(again, { csrf: await form(again), login: 'temp', password, return_to: '/' })).status, 401);
    });

    it('ends a session at the absolute timeout even when it is used all the time', async () => {
      const browser = new TestBrowser();
      await post(browser, { csrf: await form(browser), login: 'root', password, return_to: '/' });
      for (let minutes = 0; minutes < 12 * 60 - 29; minutes += 29) {
        wg.advance(29 * 60_000);
        assert.equal((await browser.request(`${wg.url}/api/me`)).status, 200, `after ${minutes + 29} minutes`);
      }
      wg.advance(30 * 60_000);
      const page = await browser.request(`${wg.url}/api/me`);
      assert.equal(page.status, 401);
      assert.match(page.body, /expired/);
    });

    it('serves a session on any node (it is in the database): signed in on one, used and signed out on another', async () => {
      const node2 = await startSsoWorkgate(dialect, { nodeOf: wg });
      try {
        const browser = new TestBrowser();
        assert.equal((await post(browser, { csrf: await form(browser), login: 'root', password, return_to: '/' })).status, 303);
        const me = await browser.request(`${node2.url}/api/me`);
        assert.equal(me.status, 200, me.body);
        assert.equal((JSON.parse(me.body) as Record<string, unknown>).login, 'root');
        const cookie = browser.cookie(wg.url, 'workgate_session')!;
        const confirm = await browser.request(`${node2.url}/auth/logout`);
        const out = await browser.request(`${node2.url}/auth/logout`, { form: { csrf: formField(confirm.body, 'csrf')! }, headers: { origin: wg.url } });
        assert.equal(out.status, 303, out.body);
        assert.equal((await wg.sso.audit.list({ limit: 1 }))[0]!.event, 'sign_out');
        const replayed = await fetch(`${wg.url}/api/me`, { headers: { cookie: `workgate_session=${cookie}` } });
        assert.equal(replayed.status, 401, 'the first node refuses the session the second one ended');
        assert.match(await replayed.text(), /signed out/);
      } finally {
        await node2.close();
      }
    });

    it('rotates the session at sign-in: the cookie before sign-in no longer works after it', async () => {
      const browser = new TestBrowser();
      await post(browser, { csrf: await form(browser), login: 'root', password, return_to: '/' });
      const first = browser.cookie(wg.url, 'workgate_session')!;
      await post(browser, { csrf: await form(browser), login: 'root', password, return_to: '/' });
      const second = browser.cookie(wg.url, 'workgate_session')!;
      assert.notEqual(first, second);
      browser.setCookie(wg.url, 'workgate_session', first);
      assert.equal((await browser.request(`${wg.url}/api/me`)).status, 401);
    });
  });
}

describe('session cookies behind TLS (an https public URL)', () => {
  const publicUrl = 'https://workgate.example.com';
  let wg: SsoWorkgate;

  before(async () => {
    wg = await startSsoWorkgate(dialects().find((d) => d.name === 'sqlite')!, { publicUrl });
    await wg.sso.localAdmins.create('root', password, 'test');
  });
  after(async () => wg?.close());

  /** Each Set-Cookie line of an answer by cookie name, so a repeated one shows. */
  const setCookies = (headers: Headers) => headers.getSetCookie().map((line) => [line.slice(0, line.indexOf('=')), line] as const);

  it('are Secure, HttpOnly, SameSite=Lax with the __Host- prefix, set once each, and only that name opens the session', async () => {
    const browser = new TestBrowser();
    const page = await browser.request(`${wg.url}/auth/local/login?return_to=/console`);
    const [[formName, formLine]] = setCookies(page.headers) as [[string, string]];
    assert.equal(formName, '__Host-workgate_local_form');
    assert.match(formLine, /; Secure/);
    const signedIn = await browser.request(`${wg.url}/auth/local/login`, { form: { csrf: formField(page.body, 'csrf')!, login: 'root', password, return_to: '/console' }, headers: { origin: publicUrl } });
    assert.equal(signedIn.status, 303, signedIn.body);
    const lines = setCookies(signedIn.headers);
    assert.deepEqual(lines.map(([cookie]) => cookie), ['__Host-workgate_local_form', '__Host-workgate_session']);
    const session = lines[1]![1];
    for (const attribute of ['Path=/', 'HttpOnly', 'SameSite=Lax', 'Secure']) assert.ok(session.split('; ').includes(attribute), `${attribute} in ${session}`);
    assert.doesNotMatch(session, /Domain=/i);
    assert.equal((await browser.request(`${wg.url}/api/me`)).status, 200);
    const token = browser.cookie(wg.url, '__Host-workgate_session')!;
    const unprefixed = await fetch(`${wg.url}/api/me`, { headers: { cookie: `workgate_session=${token}` } });
    assert.equal(unprefixed.status, 401, 'a cookie without the prefix (one any subdomain could set) is not read');
  });
});
