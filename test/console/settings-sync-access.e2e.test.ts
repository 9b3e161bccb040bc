import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { connectSsh2 } from '../sftp/support.ts';
import { startOidcIdp, type OidcIdp } from '../sso/support/oidc-idp.ts';
import { chromiumSkip, eventually, openConsole, screenshot, signInAsAdmin, upload, type ConsoleHarness } from './support.ts';

const skip = chromiumSkip();
if (skip) console.error(`console settings, sync and access e2e skipped: ${skip}`);

const PASSWORD = 'sftp account password 2026, long enough';
/** An outbox event whose stored detail cannot be read: applying it fails, so it stays pending with its error. */
const POISON_ID = 999_999;

describe('console: Workforce settings, sync, sign-in providers and API clients in headless Chromium', { skip, timeout: 300_000 }, () => {
  let h: ConsoleHarness;
  let idp: OidcIdp;
  let browser: Browser;
  let admin: { context: BrowserContext; page: Page };
  const heading = (page: Page) => page.getByRole('heading', { level: 1 });
  const token = (id: string, secret: string) =>
    fetch(`${h.url}/oauth2/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: id, client_secret: secret, scope: 'core.user.read' }) }).then((r) => r.status);

  before(async () => {
    ({ h, browser, admin } = await openConsole());
    idp = await startOidcIdp({ workgateUrl: h.url, providerName: 'corp' });
    await admin.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: h.url });
    assert.equal((await h.api('POST', '/api/admin/sftp-accounts', { username: 'hr', password: PASSWORD, folders: ['CCW'] })).status, 201);
    assert.equal((await h.api('PUT', '/api/ccw/settings', { 'segment-names': { '4': 'Site', '5': 'Building' } })).status, 200);
    const session = await connectSsh2({ port: h.sftpPort, username: 'hr', password: PASSWORD });
    try {
      for (const [name, content] of [
        ['MasterData_4_sites.csv', 'Name,Code\r\nNorth,N\r\nSouth,S\r\n'],
        ['MasterData_5_buildings.csv', 'Name,Code\r\nN1,N1\r\nN2,N2\r\nS1,S1\r\n'],
        ['MasterDataRelationship_4_5_campus.csv', 'Parent Segment Name,Child Segment Name\r\nNorth,N1\r\nNorth,N2\r\nSouth,S1\r\n'],
      ] as const) {
        await upload(session, `/Incoming/CCW/${name}`, content);
        const run = await eventually(`the run of ${name}`, async () =>
          ((await h.api('GET', `/api/data_file_sources?file-name=${name}`)).body as Array<{ status: string }>).find((r) => !['pending', 'loading'].includes(r.status)),
        );
        assert.equal(run.status, 'done', name);
      }
    } finally {
      session.end();
    }
    const lead = await h.api('POST', '/api/users', { login: 'lead', email: 'lead@example.com', firstname: 'Lea', lastname: 'Lead', 'ccw-user': true });
    assert.equal(lead.status, 201, JSON.stringify(lead.body));
    await eventually('lead in Workforce', async () => ((await h.api('GET', '/api/ccw/users/lead')).status === 200 ? true : undefined));
    await signInAsAdmin(admin.page, h.url);
  });

  after(async () => {
    await browser?.close();
    await idp?.close();
    await h?.close();
  });

  it('shows sync lag, the last error and the latest runs on the dashboard, and the pending events on the sync page', async () => {
    await h.workgate.db.kysely
      .insertInto('sync_outbox')
      .values({ entity: 'user', entity_id: POISON_ID, kind: 'updated', detail: '{', created_at: new Date(Date.now() - 5000).toISOString() })
      .execute();
    await eventually('the failed event', async () => ((await h.api('GET', '/api/admin/sync/status')).body['last-error'] ? true : undefined));
    const { page } = admin;
    await page.reload();
    const sync = page.getByRole('region', { name: 'Sync', exact: true });
    await sync.waitFor();
    assert.match(await sync.locator('dt:text-is("Last error") + dd').innerText(), new RegExp(`^user ${POISON_ID}: .*detail is not valid JSON`));
    const lag = Number.parseFloat(await sync.locator('dt:text-is("Lag") + dd').innerText());
    assert.ok(lag >= 5, `the lag counts from the oldest pending event: ${lag}`);
    const latest = page.getByRole('table', { name: 'Latest runs' });
    assert.deepEqual(
      (await latest.locator('tbody tr').allInnerTexts()).map((row) => row.split('\t').slice(1, 5).join(' ')),
      ['MasterDataRelationship_4_5_campus.csv /Incoming/CCW hr done', 'MasterData_5_buildings.csv /Incoming/CCW hr done', 'MasterData_4_sites.csv /Incoming/CCW hr done'],
    );

    await page.getByRole('link', { name: 'Sync', exact: true }).click();
    const pending = page.getByRole('table', { name: 'Pending events' });
    await pending.waitFor();
    const row = pending.locator('tbody tr').filter({ hasText: `user ${POISON_ID}` });
    assert.match(await row.innerText(), /\t[1-9]\d*\t[^\t]+\t[^\t]*detail is not valid JSON/, 'with its attempts, next attempt and error');
  });

  it('reconciles Core and Workforce and shows what it repaired', async () => {
    await h.workgate.db.kysely.updateTable('workforce_users').set({ email: 'drift@example.com' }).where('user_name', '=', 'lead').execute();
    const { page } = admin;
    await page.getByRole('button', { name: 'Reconcile now' }).click();
    await page.getByText('Reconcile finished: 1 repairs.').waitFor();
    assert.match(await page.getByRole('table', { name: 'Repairs' }).locator('tbody tr').innerText(), /lead\s+updated/);
    assert.equal((await h.api('GET', '/api/ccw/users/lead')).body.email, 'lead@example.com');
    await screenshot(page, 'sync', { fullPage: true });
    await page.getByRole('button', { name: 'Reconcile now' }).click();
    await page.getByText('Reconcile finished: nothing to repair.').waitFor();
    await page.getByText('Core and Workforce agree.').waitFor();
  });

  it('shows segment values and their relationships, and edits the Workforce roles of a user', async () => {
    const { page } = admin;
    await page.getByRole('link', { name: 'Segment values' }).click();
    await page.getByLabel('Segment', { exact: true }).selectOption('5');
    const values = page.getByRole('table', { name: 'Values of segment 5' });
    await eventually('all buildings', async () => ((await values.locator('tbody tr').count()) === 3 ? true : undefined));
    await page.getByLabel('Related to a value of').selectOption('4');
    await page.getByLabel('Parent value name').fill('North');
    await eventually('the buildings of North', async () => ((await values.locator('tbody tr').count()) === 2 ? true : undefined));
    assert.deepEqual((await values.locator('tbody tr').allInnerTexts()).map((t) => t.split('\t')[0]), ['N1', 'N2']);
    await page.getByLabel('Parent value name').fill('Nowhere');
    await page.getByText('No value of segment 5 is related to "Nowhere".').waitFor();

    await page.getByRole('link', { name: 'Workforce roles' }).click();
    await page.getByRole('button', { name: 'Edit the roles of lead' }).click();
    await page.getByRole('group', { name: 'Roles' }).getByRole('checkbox', { name: 'Hiring Manager' }).check();
    await page.getByRole('button', { name: 'Save roles' }).click();
    await page.getByText('Roles saved.').waitFor();
    const roles = ((await h.api('GET', '/api/ccw/users/lead')).body.roles as Array<{ name: string }>).map((r) => r.name);
    assert.ok(roles.includes('Hiring Manager'), roles.join(', '));
  });

  it('adds an OpenID Connect provider (a missing issuer shown beside its field), disables and removes it', async () => {
    const { page } = admin;
    await page.getByRole('link', { name: 'Sign-in providers' }).click();
    await heading(page).filter({ hasText: 'Sign-in providers' }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('corp');
    await page.getByRole('button', { name: 'Add provider' }).click();
    const issuer = page.getByLabel('Issuer', { exact: true });
    await eventually('the issuer error beside its field', async () => ((await issuer.getAttribute('aria-invalid')) === 'true' ? true : undefined));
    await issuer.fill(idp.issuer);
    await page.getByLabel('Client id').fill(idp.clientId);
    await page.getByLabel('Client secret').fill(idp.clientSecret);
    await page.getByRole('button', { name: 'Add provider' }).click();
    await page.getByText(/corp added\. Register .*\/auth\/corp\/callback at the provider\./).waitFor();
    const row = page.getByRole('table', { name: 'Identity providers' }).getByRole('row').filter({ hasText: 'corp' });
    assert.match(await row.innerText(), /corp\s+OpenID Connect\s+enabled/);
    await row.getByRole('button', { name: 'Disable' }).click();
    await row.getByRole('button', { name: 'Enable' }).waitFor();
    assert.equal((await h.api('GET', '/api/admin/sso/providers/corp')).body.enabled, false);
    await row.getByRole('button', { name: 'Remove' }).click();
    await page.getByText('No identity provider yet').waitFor();
    assert.equal((await h.api('GET', '/api/admin/sso/providers/corp')).status, 404);
  });

  it('creates an API client whose secret is shown once and copied, rotates it and disables it', async () => {
    const { page } = admin;
    await page.getByRole('link', { name: 'API clients' }).click();
    await page.getByLabel('Name', { exact: true }).fill('erp');
    await page.getByRole('group', { name: 'Scopes' }).getByRole('checkbox', { name: 'core.user.read', exact: true }).check();
    await page.getByRole('button', { name: 'Create client' }).click();
    const secret = page.locator('#client-secret');
    await secret.waitFor();
    const first = (await secret.innerText()).trim();
    await page.getByRole('button', { name: 'Copy secret' }).click();
    await page.getByText('Copied to the clipboard.').waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), first, 'the copy button copies the secret');
    const row = page.getByRole('table', { name: 'OAuth clients' }).getByRole('row').filter({ hasText: 'erp' });
    const clientId = (await row.locator('code').innerText()).trim();
    assert.equal(await token(clientId, first), 200);
    await page.getByRole('button', { name: 'I have copied it: hide the secret' }).click();
    assert.equal(await secret.count(), 0);
    assert.equal(await page.getByText(first).count(), 0, 'the secret is not shown again');

    await row.getByRole('button', { name: 'Rotate secret' }).click();
    await secret.waitFor();
    const second = (await secret.innerText()).trim();
    assert.notEqual(second, first);
    assert.equal(await token(clientId, first), 401, 'the old secret stops working');
    assert.equal(await token(clientId, second), 200);
    await row.getByRole('button', { name: 'Disable' }).click();
    await eventually('the client disabled', async () => (/disabled/.test(await row.innerText()) ? true : undefined));
    assert.notEqual(await token(clientId, second), 200, 'a disabled client gets no token');
  });
});
