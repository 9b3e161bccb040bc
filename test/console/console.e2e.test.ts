import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { connectSsh2, makeKey } from '../sftp/support.ts';
import { startOidcIdp, type OidcIdp } from '../sso/support/oidc-idp.ts';
import {
  chromiumSkip,
  eventually,
  goodUsers,
  LOCAL_ADMIN,
  newPage,
  openConsole,
  screenshot,
  upload,
  usersDeltaWithErrors,
  usersFullShrinking,
  type ConsoleHarness,
} from './support.ts';

const skip = chromiumSkip();
const desks = Array.from({ length: 60 }, (_, i) => `D${String(i + 1).padStart(2, '0')}`);
if (skip) console.error(`console e2e skipped: ${skip}`);

describe('console and Workforce pages in headless Chromium', { skip, timeout: 300_000 }, () => {
  let h: ConsoleHarness;
  let browser: Browser;
  let admin: { context: BrowserContext; page: Page };
  const key = makeKey('ed25519');
  const heading = (page: Page) => page.getByRole('heading', { level: 1 });

  before(async () => {
    ({ h, browser, admin } = await openConsole());
  });

  after(async () => {
    await browser?.close();
    await h?.close();
  });

  it('signs in with the break-glass admin and lands on the dashboard', async () => {
    const { page } = admin;
    await page.goto(`${h.url}/console`);
    await assert.doesNotReject(heading(page).filter({ hasText: 'Sign in to Workgate' }).waitFor());
    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Local administrator' }).click();
    await page.getByLabel('Login').fill(LOCAL_ADMIN.login);
    await page.getByLabel('Password').fill(LOCAL_ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await heading(page).filter({ hasText: 'Dashboard' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/console');
    await page.getByText('held for approval', { exact: true }).waitFor();
  });

  it('creates an SFTP account, shows a field error next to its field, and adds a key with its fingerprint', async () => {
    const { page } = admin;
    await page.getByRole('link', { name: 'SFTP accounts' }).click();
    await page.getByRole('link', { name: 'New account' }).click();
    await page.getByLabel('Username').fill('acme');
    await page.getByLabel('Max sessions').fill('0');
    await page.getByRole('button', { name: 'Create account' }).click();
    const maxSessions = page.getByLabel('Max sessions');
    await page.locator('.field-error').filter({ hasText: 'Max sessions must be a whole number' }).waitFor();
    assert.equal(await maxSessions.getAttribute('aria-invalid'), 'true');
    await maxSessions.fill('3');
    await page.getByRole('checkbox', { name: 'CCW' }).uncheck();
    await page.getByRole('button', { name: 'Create account' }).click();
    // No password given and the policy allows one: Workgate generated it, shown this once.
    await page.getByTestId('generated-password').waitFor();
    await page.getByRole('button', { name: /hide the password/ }).click();
    await heading(page).filter({ hasText: 'SFTP account acme' }).waitFor();

    await page.getByLabel('Add a key').fill(key.publicLine);
    await page.getByRole('button', { name: 'Add key' }).click();
    const expected = (await h.api('GET', '/api/admin/sftp-accounts/acme/keys')).body[0].fingerprint as string;
    assert.match(expected, /^SHA256:/);
    const row = page.getByRole('row').filter({ hasText: expected });
    await row.waitFor();
    assert.match(await row.innerText(), /ssh-ed25519[\s\S]*256 bits[\s\S]*SHA256:/);

    await page.getByLabel('Add a key').fill('ssh-rsa AAAAnot-a-key');
    await page.getByRole('button', { name: 'Add key' }).click();
    await page.locator('.field-error').first().waitFor();
    assert.equal(await page.getByLabel('Add a key').getAttribute('aria-invalid'), 'true');
    await page.getByLabel('Add a key').fill('');
    await screenshot(page, 'sftp-account', { fullPage: true });
  });

  it('resets a password: shown once with a copy button, gone after hiding and after a reload', async () => {
    const { page } = admin;
    await page.getByRole('button', { name: 'Reset password' }).click();
    const shown = page.getByTestId('generated-password');
    await shown.waitFor();
    const password = (await shown.innerText()).trim();
    assert.ok(password.length >= 16, `a generated password: ${password}`);
    assert.equal(await page.getByRole('button', { name: 'Copy password' }).count(), 1);
    await admin.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: h.url });
    await page.getByRole('button', { name: 'Copy password' }).click();
    await page.getByText('Copied to the clipboard.').waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), password, 'the copy button copies the password');
    await screenshot(page, 'password-reset');
    await page.getByRole('button', { name: /hide the password/ }).click();
    assert.equal(await shown.count(), 0);
    await page.reload();
    await heading(page).filter({ hasText: 'SFTP account acme' }).waitFor();
    assert.equal(await page.getByText(password).count(), 0);
    assert.ok(!JSON.stringify((await h.api('GET', '/api/admin/sftp-accounts/acme')).body).includes(password), 'the API never shows it again either');
    // The password works (and only it): an SFTP sign-in with it.
    const session = await connectSsh2({ port: h.sftpPort, username: 'acme', password });
    session.end();
  });

  it('shows the run of a file uploaded over SFTP, with its row errors', async () => {
    const session = await connectSsh2({ port: h.sftpPort, username: 'acme', privateKey: key.privateKey });
    await upload(session, '/Incoming/Users/users_delta_1.csv', usersDeltaWithErrors());
    session.end();
    const { page } = admin;
    await page.getByRole('link', { name: 'Integration runs' }).click();
    const row = page.getByRole('row').filter({ hasText: 'users_delta_1.csv' });
    await eventually('the run in the list', async () => ((await row.count()) > 0 && /done with errors/.test(await row.innerText()) ? true : (await page.reload(), undefined)));
    await screenshot(page, 'runs');
    await row.getByRole('link').click();
    await heading(page).filter({ hasText: /^Run #\d+$/ }).waitFor();
    const errors = page.getByRole('table', { name: 'Row errors' });
    await errors.waitFor();
    const text = await errors.innerText();
    assert.match(text, new RegExp(`\\n${goodUsers + 2}\\t`), 'the row without an email is reported with its line');
    assert.match(text, /Email/);
    assert.match(text, new RegExp(`\\n${goodUsers + 3}\\t`), 'the login too short is reported with its line');
    assert.equal(await page.locator('[data-count="created"]').innerText(), String(goodUsers));
    assert.equal(await page.locator('[data-count="errors"]').innerText(), '2');
    assert.equal(await page.getByRole('link', { name: 'Download the result file' }).count(), 1);
    const download = await page.request.get(await page.getByRole('link', { name: 'Download the result file' }).getAttribute('href').then((href) => `${h.url}${href}`));
    assert.match(await download.text(), /^Line,Key,Outcome,Message/);
    await screenshot(page, 'run-detail', { fullPage: true });
  });

  it('designates a chart of accounts and shows the 11 slots with their owners and names', async () => {
    const chart = await h.api('POST', '/api/account_types', {
      name: 'Operations',
      currency: { code: 'USD' },
      active: true,
      segments: [{ 'field-type-name': 'Company' }, { 'field-type-name': 'Department' }, { 'field-type-name': 'Cost Center' }],
    });
    assert.equal(chart.status, 201, JSON.stringify(chart.body));
    const { page } = admin;
    await page.getByRole('link', { name: 'Workforce settings' }).click();
    await heading(page).filter({ hasText: 'Workforce settings' }).waitFor();
    await page.getByLabel('Chart of accounts for Workforce').selectOption({ label: 'Operations (3 segments)' });
    await page.getByRole('button', { name: 'Designate' }).click();
    await page.getByText('Designation saved.').waitFor();
    await page.getByTestId('designated-chart').filter({ hasText: 'Operations' }).waitFor();
    const slots = page.getByTestId('slots');
    const owned = slots.locator('tbody tr[data-owner="chart-of-accounts"]');
    assert.equal(await owned.count(), 3);
    assert.equal(await slots.locator('tbody tr[data-owner="hr"]').count(), 8);
    assert.match(await owned.nth(0).innerText(), /1\s+Chart of accounts\s+Company/);
    assert.match(await owned.nth(2).innerText(), /3\s+Chart of accounts\s+Cost Center/);
    await page.getByLabel('Name of HR slot 4').fill('Site Location');
    await page.getByRole('button', { name: 'Save HR segment names' }).click();
    await page.getByText('Segment names saved.').waitFor();
    assert.equal((await h.api('GET', '/api/ccw/settings')).body['segment-names']['4'], 'Site Location');
    await screenshot(page, 'workforce-settings', { fullPage: true });
  });

  it('opens every console page from the navigation without an error', async () => {
    const { page } = admin;
    const failures: string[] = [];
    const onError = (error: Error) => failures.push(error.message);
    page.on('pageerror', onError);
    try {
      const nav = page.getByRole('navigation', { name: 'Console sections' });
      const names = await nav.getByRole('link').allInnerTexts();
      assert.ok(names.length >= 15, `the navigation lists the areas: ${names.join(', ')}`);
      for (const name of names) {
        await nav.getByRole('link', { name, exact: true }).click();
        await page.waitForFunction(() => document.querySelector('main h1') !== null && document.querySelector('main .busy') === null);
        const errors = await page.locator('main .alert.error').allInnerTexts();
        assert.deepEqual(errors, [], `${name} shows no error`);
        assert.equal(await nav.getByRole('link', { name, exact: true }).getAttribute('aria-current'), 'page');
        if (name === 'PGP') {
          assert.match(await page.locator('#published-fingerprint').innerText(), /^[0-9A-F]{40,64}$/i);
          await screenshot(page, 'pgp');
        }
        if (name === 'Users') {
          await page.getByLabel('Contains').fill('feeduser1');
          await page.getByRole('link', { name: 'feeduser1', exact: true }).click();
          await page.getByRole('heading', { name: 'Supervisor chain' }).waitFor();
        }
      }
    } finally {
      page.off('pageerror', onError);
    }
    assert.deepEqual(failures, []);
  });

  describe('Workforce pages through the identity provider', () => {
    let idp: OidcIdp;

    before(async () => {
      idp = await startOidcIdp({ workgateUrl: h.url, providerName: 'corp' });
      const added = await h.api('POST', '/api/admin/sso/providers', { name: 'corp', kind: 'oidc', issuer: idp.issuer, 'client-id': idp.clientId, 'client-secret': idp.clientSecret });
      assert.equal(added.status, 201, JSON.stringify(added.body));
      const user = (login: string, extra: Record<string, unknown>) =>
        h.api('POST', '/api/users', { login, email: `${login}@example.com`, firstname: login[0]!.toUpperCase() + login.slice(1), lastname: 'Tester', 'default-currency': { code: 'USD' }, ...extra });
      for (const [login, extra] of [
        ['bigboss', { 'ccw-user': true, 'approval-limit': { amount: '100000.00', currency: { code: 'USD' } } }],
        ['boss', { 'ccw-user': true, manager: { login: 'bigboss' }, 'approval-limit': { amount: '10000.00', currency: { code: 'USD' } } }],
        ['manager', { 'ccw-user': true, manager: { login: 'boss' }, 'approval-limit': { amount: '1000.00', currency: { code: 'USD' } } }],
        ['wendy', { 'ccw-user': true, manager: { login: 'manager' }, 'sso-identifier': 'sub-wendy' }],
        ['nora', { 'sso-identifier': 'sub-nora' }],
      ] as const) {
        const created = await user(login, extra);
        assert.equal(created.status, 201, JSON.stringify(created.body));
      }
      // HR segments 4 (sites) and 5 (buildings) with relationships, fed as Master Data files over SFTP.
      assert.equal((await h.api('PUT', '/api/admin/sftp-accounts/acme', { folders: ['CCW', 'Users'] })).status, 200);
      assert.equal((await h.api('PUT', '/api/ccw/settings', { 'segment-names': { '5': 'Building', '6': 'Desk' } })).status, 200);
      const session = await connectSsh2({ port: h.sftpPort, username: 'acme', privateKey: key.privateKey });
      try {
        for (const [name, content] of [
          ['MasterData_4_sites.csv', 'Name,Code,Description\r\nNorth,N,North campus\r\nSouth,S,South campus\r\n'],
          ['MasterData_5_buildings.csv', 'Name,Code\r\nN1,N1\r\nN2,N2\r\nS1,S1\r\n'],
          ['MasterDataRelationship_4_5_campus.csv', 'Parent Segment Name,Child Segment Name\r\nNorth,N1\r\nNorth,N2\r\nSouth,S1\r\n'],
          // More desks than the API returns in one page (50): the list must still offer every one.
          ['MasterData_6_desks.csv', `Name,Code\r\n${desks.map((d) => `${d},${d}`).join('\r\n')}\r\n`],
        ]) {
          await upload(session, `/Incoming/CCW/${name}`, content!);
          const run = await eventually(`the run of ${name}`, async () => {
            const runs = (await h.api('GET', `/api/data_file_sources?file-name=${name}`)).body as Array<{ status: string; 'result-text': string }>;
            return runs.find((r) => !['pending', 'loading'].includes(r.status));
          });
          assert.equal(run.status, 'done', `${name}: ${JSON.stringify(run)}`);
        }
      } finally {
        session.end();
      }
      idp.accounts.set('sub-wendy', { email: 'wendy@example.com' });
      idp.accounts.set('sub-nora', { email: 'nora@example.com' });
      // Sync brings the users and their supervisors over, one by one. A chain of two for 5000 USD alone can be
      // an unfinished state (boss arrived, bigboss not yet: the chain ends at boss for want of a supervisor, and
      // grew to three when bigboss came while boss's limit was still on its way). Complete means: two for 5000
      // (boss's limit covers it) and three for 50,000 (bigboss is there and covers it).
      const chainLength = async (amount: number) => {
        const chain = await h.api('GET', `/api/ccw/users/wendy/approval-chain?amount=${amount}&currency=USD`);
        return chain.status === 200 ? (chain.body as unknown[]).length : -1;
      };
      await eventually('wendy, her supervisors and their limits in Workforce', async () =>
        (await chainLength(5000)) === 2 && (await chainLength(50_000)) === 3 ? true : undefined,
      );
    });

    after(async () => {
      await idp?.close();
    });

    async function signInThroughIdp(page: Page, subject: string): Promise<void> {
      await page.goto(`${h.url}/workforce`);
      await page.getByRole('link', { name: 'Sign in' }).click();
      await page.getByRole('link', { name: 'Sign in with corp' }).click();
      await page.getByLabel('Subject').fill(subject);
      await page.getByRole('button', { name: 'Continue' }).click();
    }

    it('a Workforce user sees their profile and their approval chain for an amount', async () => {
      const { context, page } = await newPage(browser);
      try {
        await signInThroughIdp(page, 'sub-wendy');
        await heading(page).filter({ hasText: 'My profile' }).waitFor();
        await page.getByText('wendy@example.com').waitFor();
        await page.getByRole('link', { name: 'My approval chain' }).click();
        await page.getByLabel('Amount', { exact: true }).fill('5000');
        await page.getByLabel('Currency', { exact: true }).fill('USD');
        await page.getByRole('button', { name: 'Show approvers' }).click();
        await page.getByRole('heading', { name: 'Approvers for 5000 USD' }).waitFor();
        const chain = page.getByTestId('approval-chain');
        await eventually('the chain up to boss', async () => ((await chain.innerText().catch(() => '')).includes('boss') ? true : undefined));
        const items = await chain.getByRole('listitem').allInnerTexts();
        assert.deepEqual(
          items.map((t) => t.split(' ')[0]),
          ['manager', 'boss'],
          'up to the first supervisor whose limit covers 5000 USD',
        );
        await screenshot(page, 'workforce-approval-chain');
        await page.getByLabel('Amount', { exact: true }).fill('12,5');
        await page.getByRole('button', { name: 'Show approvers' }).click();
        await page.locator('.field-error, .alert.error').first().waitFor();
        await page.getByRole('link', { name: 'Choose segment values' }).click();
        const sites = page.getByLabel('4. Site Location');
        await page.locator('option', { hasText: 'North' }).first().waitFor({ state: 'attached' });
        await sites.selectOption('North');
        const buildings = page.getByLabel('5. Building');
        await page.getByText('Only the values under Site Location "North".').waitFor();
        assert.deepEqual(await buildings.locator('option').allInnerTexts(), ['Choose…', 'N1', 'N2']);
        await buildings.selectOption('N2');
        await page.getByTestId('chosen').filter({ hasText: 'Chosen: North › N2' }).waitFor();
        await page.getByText('No value is tied to "N2": all values are offered.').waitFor();
        assert.deepEqual(await page.getByLabel('6. Desk').locator('option').allInnerTexts(), ['Choose…', ...desks], 'every desk, past the first page of 50');
        await screenshot(page, 'workforce-segments');
        // The console is not for her: the page says why.
        await page.goto(`${h.url}/console`);
        await page.getByText('does not have the Admin role the console needs').waitFor();
      } finally {
        await context.close();
      }
    });

    it('a user without the Workforce licence is refused and told why', async () => {
      const { context, page } = await newPage(browser);
      try {
        await signInThroughIdp(page, 'sub-nora');
        await heading(page).filter({ hasText: 'Access refused' }).waitFor();
        await page.getByText('has no Workforce licence').first().waitFor();
        await page.goto(`${h.url}/workforce`);
        await heading(page).filter({ hasText: 'Access refused' }).waitFor();
        const reasons = page.locator('.refusals [data-reason="no_licence"]');
        assert.match(await reasons.innerText(), /Workforce:.*no Workforce licence/);
        await screenshot(page, 'workforce-refused');
      } finally {
        await context.close();
      }
    });
  });

  it('approves a held Full feed from the run page', async () => {
    const session = await connectSsh2({ port: h.sftpPort, username: 'acme', privateKey: key.privateKey });
    await upload(session, '/Incoming/Users/users_full_2.csv', usersFullShrinking());
    session.end();
    let seen: unknown;
    const held = await eventually('the held run', async () => {
      const runs = (await h.api('GET', '/api/data_file_sources?file-name=users_full_2.csv')).body as Array<{ id: number; status: string }>;
      seen = runs;
      return runs.find((r) => r.status === 'held');
    }).catch((error: Error) => assert.fail(`${error.message}: ${JSON.stringify(seen)}`));
    const { page } = admin;
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.getByRole('link', { name: new RegExp(`#${held.id} users_full_2.csv`) }).waitFor();
    await screenshot(page, 'dashboard', { fullPage: true });
    await page.getByRole('link', { name: new RegExp(`#${held.id} users_full_2.csv`) }).click();
    await page.getByText(/This Full file is held: it would deactivate/).waitFor();
    await screenshot(page, 'run-held');
    await page.getByRole('button', { name: 'Approve and apply' }).click();
    await page.getByText('Approved: the file is being applied.').waitFor();
    await eventually('the approved run done', async () => ((await page.locator('.facts .status').first().innerText()) === 'done' ? true : undefined));
    const deactivated = Number(await page.locator('[data-count="deactivated"]').innerText());
    assert.ok(deactivated > 2, `the absent users were deactivated (${deactivated})`);
    assert.equal((await h.api('GET', `/api/data_file_sources/${held.id}`)).body.status, 'done');
  });
});
