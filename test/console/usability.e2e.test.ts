import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { connectSsh2 } from '../sftp/support.ts';
import { ADMIN_KEY, chromiumSkip, eventually, openConsole, signInAsAdmin, upload, usersDeltaWithErrors, type ConsoleHarness } from './support.ts';

const skip = chromiumSkip();
if (skip) console.error(`console usability e2e skipped: ${skip}`);

const PASSWORD = 'sftp account password 2026, long enough';
const extraAccounts = 30;

/** What the page finds wrong with its own markup: controls nobody can name, tables without a caption. */
function unlabelled(): string[] {
  const visible = (el: Element) => (el as HTMLElement).offsetParent !== null || el.getClientRects().length > 0;
  const named = (el: Element) => {
    const aria = el.getAttribute('aria-label')?.trim() || el.getAttribute('aria-labelledby');
    if (aria) return true;
    if (el instanceof HTMLButtonElement) return el.textContent!.trim() !== '';
    const labels = (el as HTMLInputElement).labels;
    return labels !== null && [...labels].some((l) => l.textContent!.trim() !== '');
  };
  const controls = [...document.querySelectorAll('main input:not([type=hidden]), main select, main textarea, main button')].filter(visible);
  const problems = controls.filter((el) => !named(el)).map((el) => `${el.tagName.toLowerCase()} without a label: ${el.outerHTML.slice(0, 120)}`);
  for (const table of document.querySelectorAll('main table')) if (!(table as HTMLTableElement).caption?.textContent?.trim()) problems.push(`a table without a caption: ${table.outerHTML.slice(0, 120)}`);
  for (const set of document.querySelectorAll('main fieldset')) if (!set.querySelector('legend')?.textContent?.trim()) problems.push('a fieldset without a legend');
  return problems;
}

/** The accessible name of the focused element, as the tests below look for it. */
function focusedName(): string {
  const el = document.activeElement as HTMLElement | null;
  if (!el) return '';
  const labels = (el as HTMLInputElement).labels;
  return (el.getAttribute('aria-label') ?? (labels && labels.length > 0 ? labels[0]!.textContent : el.textContent) ?? '').trim();
}

describe('console usability in headless Chromium: labels, keyboard, paging, progress, the same API as programs', { skip, timeout: 300_000 }, () => {
  let h: ConsoleHarness;
  let browser: Browser;
  let admin: { context: BrowserContext; page: Page };
  let runId: number;
  let userId: number;
  const requests: Array<{ method: string; url: string; body: string | null; status: number }> = [];
  const heading = (page: Page) => page.getByRole('heading', { level: 1 });

  async function tabTo(page: Page, name: string, max = 120): Promise<void> {
    for (let i = 0; i < max; i += 1) {
      await page.keyboard.press('Tab');
      if ((await page.evaluate(focusedName)) === name) return;
    }
    assert.fail(`Tab never reached "${name}"`);
  }

  before(async () => {
    ({ h, browser, admin } = await openConsole());
    admin.page.on('requestfinished', (request: Request) => {
      if (!new URL(request.url()).pathname.startsWith('/api/')) return;
      void request.response().then((response) => requests.push({ method: request.method(), url: request.url(), body: request.postData(), status: response?.status() ?? 0 }));
    });
    assert.equal((await h.api('POST', '/api/admin/sftp-accounts', { username: 'feeder', password: PASSWORD })).status, 201);
    for (let i = 1; i <= extraAccounts; i += 1) {
      const created = await h.api('POST', '/api/admin/sftp-accounts', { username: `customer${String(i).padStart(2, '0')}`, password: PASSWORD });
      assert.equal(created.status, 201, JSON.stringify(created.body));
    }
    const session = await connectSsh2({ port: h.sftpPort, username: 'feeder', password: PASSWORD });
    await upload(session, '/Incoming/Users/users_delta_1.csv', usersDeltaWithErrors()).finally(() => session.end());
    runId = (await eventually('the run', async () => ((await h.api('GET', '/api/data_file_sources')).body as Array<{ id: number; status: string }>).find((r) => r.status === 'done_with_errors'))).id;
    assert.equal((await h.api('POST', '/api/account_types', { name: 'Operations', currency: { code: 'USD' }, active: true, segments: [{ 'field-type-name': 'Company' }] })).status, 201);
    const user = await h.api('POST', '/api/users', { login: 'someone', email: 'someone@example.com', firstname: 'Some', lastname: 'One' });
    assert.equal(user.status, 201, JSON.stringify(user.body));
    userId = user.body.id;
    assert.equal((await h.api('POST', '/api/lookups', { name: 'Department', 'level-names': ['Department'] })).status, 201);
    await signInAsAdmin(admin.page, h.url);
  });

  after(async () => {
    await browser?.close();
    await h?.close();
  });

  it('labels every control, captions every table, on every console page and the detail pages', async () => {
    const { page } = admin;
    const nav = page.getByRole('navigation', { name: 'Console sections' });
    const detail = [`/console/sftp/accounts/feeder`, `/console/runs/${runId}`, '/console/sftp/new', `/console/core/users/${userId}`, '/console/core/charts/1'];
    const problems: string[] = [];
    // The check itself finds an unlabelled control.
    await page.evaluate(() => document.querySelector('main')!.append(Object.assign(document.createElement('input'), { id: 'probe' })));
    assert.match((await page.evaluate(unlabelled)).join('\n'), /input without a label: <input id="probe">/);
    await page.evaluate(() => document.getElementById('probe')!.remove());
    for (const name of await nav.getByRole('link').allInnerTexts()) {
      await nav.getByRole('link', { name, exact: true }).click();
      await page.waitForFunction(() => document.querySelector('main h1') !== null && document.querySelector('main .busy') === null);
      problems.push(...(await page.evaluate(unlabelled)).map((p) => `${name}: ${p}`));
    }
    for (const path of detail) {
      await page.goto(`${h.url}${path}`);
      await page.waitForFunction(() => document.querySelector('main h1') !== null && document.querySelector('main .busy') === null);
      problems.push(...(await page.evaluate(unlabelled)).map((p) => `${path}: ${p}`));
    }
    assert.deepEqual(problems, []);
  });

  it('creates an account with the keyboard alone, the generated password taking the focus', async () => {
    const { page } = admin;
    await page.goto(`${h.url}/console`);
    await heading(page).filter({ hasText: 'Dashboard' }).waitFor();
    await tabTo(page, 'SFTP accounts');
    await page.keyboard.press('Enter');
    await heading(page).filter({ hasText: 'SFTP accounts' }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'H1', 'the new page title takes the focus');
    await tabTo(page, 'New account');
    await page.keyboard.press('Enter');
    await heading(page).filter({ hasText: 'New SFTP account' }).waitFor();
    await tabTo(page, 'Username');
    await page.keyboard.type('keyboarder');
    await page.keyboard.press('Enter');
    const box = page.getByRole('alert').filter({ hasText: 'New password for keyboarder' });
    await box.waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-labelledby')), 'password-once-title', 'the password box has the focus');
    await tabTo(page, 'I have copied it: hide the password', 5);
    await page.keyboard.press('Enter');
    await heading(page).filter({ hasText: 'SFTP account keyboarder' }).waitFor();
    assert.equal((await h.api('GET', '/api/admin/sftp-accounts/keyboarder')).status, 200);
  });

  it('pages long lists: the accounts 25 at a time', async () => {
    const { page } = admin;
    const total = ((await h.api('GET', '/api/admin/sftp-accounts')).body as unknown[]).length;
    assert.ok(total > 25 && total <= 50, `${total} accounts`);
    await page.getByRole('link', { name: 'SFTP accounts' }).click();
    const rows = page.getByRole('table', { name: 'SFTP accounts' }).locator('tbody tr');
    const pager = page.getByRole('navigation', { name: 'Accounts pages' });
    await pager.getByText('Rows 1–25').waitFor();
    assert.equal(await rows.count(), 25);
    await pager.getByRole('button', { name: 'Next' }).click();
    await pager.getByText(`Rows 26–${total}`).waitFor();
    assert.equal(await rows.count(), total - 25);
    assert.equal(await pager.getByRole('button', { name: 'Next' }).isDisabled(), true);
  });

  it("counts every account's sessions and failed logins on the dashboard, not only the first accounts'", async () => {
    const last = `customer${extraAccounts}`;
    await assert.rejects(connectSsh2({ port: h.sftpPort, username: last, password: 'not the password' }));
    const session = await connectSsh2({ port: h.sftpPort, username: last, password: PASSWORD });
    try {
      const { page } = admin;
      await page.goto(`${h.url}/console`);
      await page.getByRole('table', { name: 'Failed SFTP logins in the last 24 hours' }).getByRole('row').filter({ hasText: last }).waitFor();
      await page.getByRole('region', { name: 'SFTP sessions now' }).getByRole('link', { name: last }).waitFor();
    } finally {
      session.end();
    }
  });

  it('shows progress while a run is processed and while a reconcile works', async () => {
    const { page } = admin;
    const path = `/api/data_file_sources/${runId}`;
    const real = (await h.api('GET', path)).body;
    await page.route(`**${path}`, (route) => route.fulfill({ json: { ...real, status: 'loading', progress: 40, 'rows-read': 48, 'finished-at': null } }));
    await page.goto(`${h.url}/console/runs/${runId}`);
    const bar = page.getByRole('progressbar', { name: 'Processing: 48 rows read' });
    await bar.waitFor();
    assert.equal(await bar.getAttribute('value'), '40');
    await page.unroute(`**${path}`);
    await bar.waitFor({ state: 'detached' });
    assert.equal((await page.locator('.facts .status').first().innerText()).trim(), 'done with errors', 'the page polled until the run was done');

    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/api/admin/sync/reconcile', async (route) => (await held, await route.continue()));
    await page.getByRole('link', { name: 'Sync', exact: true }).click();
    await page.getByRole('button', { name: 'Reconcile now' }).click();
    await page.getByRole('status').filter({ hasText: 'Reconciling Core and Workforce…' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Reconcile now' }).isDisabled(), true, 'not started twice');
    release();
    await page.getByText(/Reconcile finished/).waitFor();
    await page.unroute('**/api/admin/sync/reconcile');
  });

  it('uses only routes a program reaches with its own credentials (no page-only back doors)', async () => {
    assert.ok(requests.length > 40, `the pages made ${requests.length} API requests`);
    const seen = new Set<string>();
    for (const r of requests) {
      const { pathname, search } = new URL(r.url);
      const key = `${r.method} ${pathname}${search}`;
      if (seen.has(key) || pathname === '/api/me') continue;
      seen.add(key);
      const response = await fetch(`${h.url}${pathname}${search}`, {
        method: r.method,
        headers: { 'x-coupa-api-key': ADMIN_KEY, accept: 'application/json', ...(r.body ? { 'content-type': 'application/json' } : {}) },
        ...(r.body ? { body: r.body } : {}),
      });
      const text = await response.text();
      assert.ok(![401, 403].includes(response.status) && !text.includes('no route for'), `${key} answers a program: ${response.status} ${text.slice(0, 200)}`);
      // A 429 is the shared rate limit (the page waits and asks again), not an answer of the route.
      if (r.method === 'GET' && r.status !== 429) assert.equal(response.status, r.status, `${key}: the same answer as the page got`);
    }
  });
});
