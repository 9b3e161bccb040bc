import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type BrowserContext } from 'playwright-core';
import { dialects } from '../support/databases.ts';
import { startOidcIdp, type OidcIdp } from './support/oidc-idp.ts';
import { makeKeyPair, startSamlIdp, type SamlIdp } from './support/saml-idp.ts';
import { people, seedPeople, startSsoWorkgate, type SsoWorkgate } from './support/workgate.ts';

const executablePath = '/usr/bin/chromium';
const sqlite = dialects().find((d) => d.name === 'sqlite')!;
const skip = fs.existsSync(executablePath) ? undefined : 'Debian chromium is not installed (apt-get install chromium)';

/** The sign-in flows as a person does them: headless Chromium clicking through the providers' pages. */
describe('sign-in in headless Chromium (OIDC and SAML)', { skip }, () => {
  let wg: SsoWorkgate;
  let oidc: OidcIdp;
  let saml: SamlIdp;
  let context: BrowserContext;
  let profile: string;

  before(async () => {
    wg = await startSsoWorkgate(sqlite);
    await seedPeople(wg.h);
    oidc = await startOidcIdp({ workgateUrl: wg.url, providerName: 'corp' });
    for (const person of Object.values(people)) oidc.accounts.set(person.subject, { email: `${person.login}@example.com`, email_verified: true });
    assert.equal((await wg.api('/api/admin/sso/providers', { method: 'POST', body: { name: 'corp', kind: 'oidc', issuer: oidc.issuer, 'client-id': oidc.clientId, 'client-secret': oidc.clientSecret } })).status, 201);
    saml = await startSamlIdp({ spMetadataUrl: `${wg.url}/auth/corp-saml/metadata`, keys: makeKeyPair('chromium-idp') });
    assert.equal((await wg.api('/api/admin/sso/providers', { method: 'POST', body: { name: 'corp-saml', kind: 'saml', 'metadata-xml': saml.metadata() } })).status, 201);
    profile = fs.mkdtempSync(path.join(os.tmpdir(), 'workgate-chromium-'));
    // An empty profile directory of its own: Playwright passes it as --user-data-dir.
    context = await chromium.launchPersistentContext(profile, {
      executablePath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });

  after(async () => {
    await context?.close();
    await wg?.close();
    await oidc?.close();
    await saml?.close();
    if (profile) fs.rmSync(profile, { recursive: true, force: true });
  });

  it('an admin signs in with OpenID Connect, the browser calls /api/me and the admin API, then signs out', async () => {
    await context.clearCookies();
    const page = await context.newPage();
    await page.goto(`${wg.url}/auth/login?return_to=${encodeURIComponent('/api/me')}`);
    await page.getByRole('link', { name: 'Sign in with corp', exact: true }).click();
    await page.getByLabel('Subject').fill(people.admin.subject);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(`${wg.url}/api/me`);
    const me = (await page.evaluate(async () => (await fetch('/api/me', { headers: { accept: 'application/json' } })).json())) as Record<string, unknown>;
    assert.equal(me.login, people.admin.login);
    assert.deepEqual(me.reach, ['console']);
    const cookies = await context.cookies(wg.url);
    const session = cookies.find((c) => c.name === 'workgate_session')!;
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Lax');
    const status = await page.evaluate(async (csrf) => {
      const read = await fetch('/api/admin/sso/providers', { headers: { accept: 'application/json' } });
      const write = await fetch('/api/admin/sso/providers/corp', { method: 'PUT', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf }, body: JSON.stringify({ claim: 'sub' }) });
      const forged = await fetch('/api/admin/sso/providers/corp', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ claim: 'email' }) });
      return [read.status, write.status, forged.status];
    }, String(me['csrf-token']));
    assert.deepEqual(status, [200, 200, 403]);
    await page.goto(`${wg.url}/auth/logout`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((url) => url.href.startsWith(oidc.issuer));
    assert.equal((await context.cookies(wg.url)).some((c) => c.name === 'workgate_session'), false);
    await page.close();
  });

  it('a Workforce user signs in with SAML through the auto-posting form; someone without a role sees why not', async () => {
    await context.clearCookies();
    const page = await context.newPage();
    await page.goto(`${wg.url}/auth/corp-saml/login?return_to=${encodeURIComponent('/api/me')}`);
    await page.getByLabel('Subject').fill(people.worker.subject);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(`${wg.url}/api/me`);
    const me = (await page.evaluate(async () => (await fetch('/api/me', { headers: { accept: 'application/json' } })).json())) as Record<string, unknown>;
    assert.equal(me.login, people.worker.login);
    assert.deepEqual(me.reach, ['workforce']);
    assert.equal(await page.evaluate(async () => (await fetch('/api/ccw/users', { headers: { accept: 'application/json' } })).status), 200);

    await context.clearCookies();
    const refused = await context.newPage();
    await refused.goto(`${wg.url}/auth/corp-saml/login?return_to=/workforce`);
    await refused.getByLabel('Subject').fill(people.roleless.subject);
    await refused.getByRole('button', { name: 'Continue' }).click();
    await refused.waitForURL((url) => url.pathname === '/auth/corp-saml/complete');
    assert.equal(await refused.getByRole('heading').innerText(), 'Access refused');
    assert.match(await refused.locator('main').innerText(), /no Workforce role/);
    await refused.getByRole('button', { name: /Sign out/ }).click();
    await refused.waitForURL(`${wg.url}/auth/logged-out`);
    await refused.close();
    await page.close();
  });
});
