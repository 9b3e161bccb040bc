import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { connectSsh2 } from '../sftp/support.ts';
import {
  chromiumSkip,
  eventually,
  goodUsers,
  openConsole,
  screenshot,
  signInAsAdmin,
  upload,
  usersDeltaWithErrors,
  usersHeader,
  type ConsoleHarness,
} from './support.ts';

const skip = chromiumSkip();
if (skip) console.error(`console runs and Core data e2e skipped: ${skip}`);

const PASSWORD = 'sftp account password 2026, long enough';
type RunJson = { id: number; status: string; 'file-name': string };

describe('console: integration runs and Core data in headless Chromium', { skip, timeout: 300_000 }, () => {
  let h: ConsoleHarness;
  let browser: Browser;
  let admin: { context: BrowserContext; page: Page };
  const runs: Record<string, RunJson> = {};
  const heading = (page: Page) => page.getByRole('heading', { level: 1 });
  /** The file names the runs list shows once it settles on `expected` (a filter's answer arrives after the click). */
  const listed = async (page: Page, expected: string[]) => {
    const table = page.getByRole('table', { name: 'Integration runs, newest first' });
    const names = async () => ((await table.count()) === 0 ? [] : (await table.locator('tbody tr').allInnerTexts()).map((row) => row.split('\t')[1] ?? row).toSorted());
    await eventually(`the runs ${expected.join(', ')}`, async () => (JSON.stringify(await names()) === JSON.stringify(expected) ? true : undefined)).catch(() => undefined);
    return names();
  };

  async function uploadAndWait(username: string, remote: string, content: string): Promise<RunJson> {
    const session = await connectSsh2({ port: h.sftpPort, username, password: PASSWORD });
    try {
      await upload(session, remote, content);
    } finally {
      session.end();
    }
    const name = remote.split('/').pop()!;
    return eventually(`the run of ${name}`, async () => {
      const found = (await h.api('GET', `/api/data_file_sources?file-name=${name}`)).body as RunJson[];
      return found.find((r) => !['pending', 'loading'].includes(r.status));
    });
  }

  before(async () => {
    ({ h, browser, admin } = await openConsole());
    for (const username of ['alpha', 'beta']) {
      const created = await h.api('POST', '/api/admin/sftp-accounts', { username, password: PASSWORD });
      assert.equal(created.status, 201, JSON.stringify(created.body));
    }
    assert.equal((await h.api('PUT', '/api/ccw/settings', { 'segment-names': { '4': 'Site' } })).status, 200);
    runs.errors = await uploadAndWait('alpha', '/Incoming/Users/users_delta_errors.csv', usersDeltaWithErrors());
    runs.clean = await uploadAndWait('beta', '/Incoming/Users/users_delta_clean.csv', `${usersHeader}\r\nclean1,active,clean1@example.com,Clean,One,E9001\r\n`);
    runs.sites = await uploadAndWait('beta', '/Incoming/CCW/MasterData_4_sites.csv', 'Name,Code\r\nNorth,N\r\n');
    assert.deepEqual([runs.errors.status, runs.clean.status, runs.sites.status], ['done_with_errors', 'done', 'done']);
    for (const [login, manager] of [['cfo', null], ['director', 'cfo'], ['lead', 'director'], ['dev1', 'lead'], ['dev2', 'lead']] as const) {
      const body = { login, email: `${login}@example.com`, firstname: login, lastname: 'Person', ...(manager ? { manager: { login: manager } } : {}) };
      const created = await h.api('POST', '/api/users', body);
      assert.equal(created.status, 201, JSON.stringify(created.body));
    }
    const created = [
      await h.api('POST', '/api/lookups', { name: 'Department', 'level-names': ['Division', 'Department'] }),
      await h.api('POST', '/api/lookup_values', { name: 'Sales', lookup: { name: 'Department' }, 'external-ref-num': '10' }),
      await h.api('POST', '/api/lookup_values', { name: 'Inside Sales', lookup: { name: 'Department' }, parent: { name: 'Sales' }, 'external-ref-num': '11' }),
      await h.api('POST', '/api/account_types', { name: 'Operations', currency: { code: 'USD' }, active: true, segments: [{ 'field-type-name': 'Company' }, { 'field-type-name': 'Department' }, { 'field-type-name': 'Cost Center' }] }),
      await h.api('POST', '/api/accounts', { name: 'Sales travel', 'account-type': { name: 'Operations' }, 'segment-1': '100', 'segment-2': 'SALES', 'segment-3': '6000' }),
      await h.api('POST', '/api/accounts', { name: 'IT hardware', 'account-type': { name: 'Operations' }, 'segment-1': '100', 'segment-2': 'IT', 'segment-3': '7000' }),
    ];
    for (const c of created) assert.equal(c.status, 201, JSON.stringify(c.body));
    await signInAsAdmin(admin.page, h.url);
  });

  after(async () => {
    await browser?.close();
    await h?.close();
  });

  it('filters runs by folder, status, account and date, keeping the filters in the address', async () => {
    const { page } = admin;
    await page.getByRole('link', { name: 'Integration runs' }).click();
    const all = [runs.errors!, runs.clean!, runs.sites!].map((r) => r['file-name']).toSorted();
    assert.deepEqual(await listed(page, all), all);
    await page.getByLabel('Folder').selectOption('CCW');
    assert.deepEqual(await listed(page, ['MasterData_4_sites.csv']), ['MasterData_4_sites.csv']);
    assert.match(page.url(), /[?&]folder=CCW/);
    await page.getByLabel('Folder').selectOption('');
    await page.getByLabel('Status').selectOption('done_with_errors');
    assert.deepEqual(await listed(page, ['users_delta_errors.csv']), ['users_delta_errors.csv']);
    await page.getByLabel('Status').selectOption('');
    await page.getByLabel('Account').selectOption({ label: 'beta' });
    const beta = ['MasterData_4_sites.csv', 'users_delta_clean.csv'];
    assert.deepEqual(await listed(page, beta), beta);
    await page.reload();
    assert.deepEqual(await listed(page, beta), beta, 'the filter survives a reload');
    await page.getByLabel('Account').selectOption('');
    const today = new Date().toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    await page.getByLabel('From').fill(tomorrow);
    await page.getByText('No run matches.').waitFor();
    await page.getByLabel('From').fill(today);
    await page.getByLabel('To').fill(today);
    assert.deepEqual(await listed(page, all), all);
  });

  it("shows a run's counts, timings and row errors with line, column and message, and reprocesses it", async () => {
    const { page } = admin;
    await page.goto(`${h.url}/console/runs/${runs.errors!.id}`);
    await heading(page).filter({ hasText: `Run #${runs.errors!.id}` }).waitFor();
    assert.match(await page.getByText(/^Timings:/).innerText(), /\d+ ms/);
    const rows = page.getByRole('table', { name: 'Row errors' }).locator('tbody tr');
    const noEmail = rows.filter({ has: page.getByRole('cell', { name: String(goodUsers + 2), exact: true }) });
    const cells = await noEmail.getByRole('cell').allInnerTexts();
    assert.equal(cells[1], 'Email', `the column of the missing email: ${cells.join(' | ')}`);
    assert.ok(cells[2]!.length > 0, 'with its message');
    await page.getByRole('button', { name: 'Reprocess' }).click();
    await page.waitForURL((url) => url.pathname !== `/console/runs/${runs.errors!.id}`);
    const again = Number(new URL(page.url()).pathname.split('/').pop());
    assert.ok(again > runs.errors!.id, `a new run: ${page.url()}`);
    await heading(page).filter({ hasText: `Run #${again}` }).waitFor();
    await page.getByRole('link', { name: `#${runs.errors!.id}` }).waitFor();
    await eventually('the reprocessed run finished', async () => ((await page.locator('.facts .status').first().innerText()) === 'done with errors' ? true : undefined));
    assert.equal((await h.api('GET', `/api/data_file_sources/${again}`)).body['reprocess-of'], runs.errors!.id);
  });

  it("shows a user's supervisor chain and the people they supervise", async () => {
    const { page } = admin;
    await page.getByRole('link', { name: 'Users', exact: true }).click();
    await page.getByLabel('Search in').selectOption('login');
    await page.getByLabel('Contains').fill('lead');
    const found = page.getByRole('table', { name: 'Users' }).locator('tbody tr');
    await eventually('only lead found', async () => ((await found.count()) === 1 ? true : undefined));
    await found.getByRole('link', { name: 'lead', exact: true }).click();
    await heading(page).filter({ hasText: 'User lead' }).waitFor();
    const chain = page.getByRole('region', { name: 'Supervisor chain' }).getByRole('listitem');
    await chain.first().waitFor();
    assert.deepEqual((await chain.allInnerTexts()).map((t) => t.split(' ')[0]), ['director', 'cfo'], 'nearest first, up to the top');
    const reports = page.getByRole('table', { name: 'People lead supervises' });
    await reports.waitFor();
    assert.deepEqual((await reports.locator('tbody tr').allInnerTexts()).map((t) => t.split('\t')[0]), ['dev1', 'dev2']);
    await reports.getByRole('link', { name: 'dev1' }).click();
    await heading(page).filter({ hasText: 'User dev1' }).waitFor();
    await page.getByText('dev1 supervises nobody.').waitFor();
    await screenshot(page, 'core-user', { fullPage: true });
  });

  it('shows charts of accounts with their segments and accounts, the accounts list, and lookups with their values', async () => {
    const { page } = admin;
    await page.getByRole('link', { name: 'Charts of accounts' }).click();
    const chartRow = page.getByRole('table', { name: 'Charts of accounts' }).getByRole('row').filter({ hasText: 'Operations' });
    assert.match(await chartRow.innerText(), /Operations\s+active\s+USD\s+Company · Department · Cost Center/);
    await chartRow.getByRole('link', { name: 'Operations' }).click();
    await heading(page).filter({ hasText: 'Chart of accounts Operations' }).waitFor();
    assert.match(await page.getByRole('table', { name: 'Segments of Operations' }).innerText(), /1\s+Company[\s\S]*3\s+Cost Center/);
    const accounts = page.getByRole('region', { name: 'Accounts' }).getByRole('table', { name: 'Accounts' });
    await accounts.waitFor();
    assert.equal(await accounts.locator('tbody tr').count(), 2);

    await page.getByRole('link', { name: 'Accounts', exact: true }).click();
    await page.getByLabel('Chart of accounts').selectOption({ label: 'Operations' });
    await page.getByLabel('Code contains').fill('SALES');
    await eventually('only the sales account', async () => ((await page.getByRole('table', { name: 'Accounts' }).locator('tbody tr').count()) === 1 ? true : undefined));
    assert.match(await page.getByRole('table', { name: 'Accounts' }).locator('tbody tr').innerText(), /100-SALES-6000\s+Sales travel\s+Operations\s+active\s+100\s+SALES\s+6000/);

    await page.getByRole('link', { name: 'Lookups' }).click();
    const lookupRow = page.getByRole('table', { name: 'Lookups' }).getByRole('row').filter({ hasText: 'Department' });
    assert.match(await lookupRow.innerText(), /Division › Department/);
    await lookupRow.getByRole('link', { name: 'Department' }).click();
    const values = page.getByRole('table', { name: 'Lookup values' });
    await values.waitFor();
    const text = await values.innerText();
    assert.match(text, /Inside Sales\s+10-11\s+Sales\s+2\s+active/, 'the child value with its parent and level');
    assert.match(text, /\nSales\s+10\s+1\s+active/);
  });
});
