import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import os from 'node:os';
import { after, before, describe, it } from 'node:test';
import * as openpgp from 'openpgp';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { connectSsh2, makeKey } from '../sftp/support.ts';
import { chromiumSkip, eventually, openConsole, screenshot, signInAsAdmin, type ConsoleHarness } from './support.ts';

const skip = chromiumSkip();
if (skip) console.error(`console SFTP and PGP e2e skipped: ${skip}`);

const PASSWORD = 'globex sftp password 2026, long enough';
/** Failed logins that ban an address here (the default, 5, works the same; 3 keeps the test short). */
const BAN_THRESHOLD = 3;

/** The SHA256 fingerprint an SSH client shows for a host key blob (OpenSSH's form: unpadded base64). */
const sshFingerprint = (blob: Buffer) => `SHA256:${crypto.createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;

const signsIn = (options: { password?: string; privateKey?: string }) =>
  connectSsh2({ port: h.sftpPort, username: 'globex', ...options }).then(
    (session) => (session.end(), true),
    () => false,
  );

let h: ConsoleHarness;

describe('console: SFTP accounts, host keys, bans and PGP in headless Chromium', { skip, timeout: 300_000 }, () => {
  let browser: Browser;
  let admin: { context: BrowserContext; page: Page };
  const key = makeKey('ed25519');
  const heading = (page: Page) => page.getByRole('heading', { level: 1 });

  before(async () => {
    ({ h, browser, admin } = await openConsole({ WORKGATE_SFTP_BAN_THRESHOLD: String(BAN_THRESHOLD) }));
    const created = await h.api('POST', '/api/admin/sftp-accounts', { username: 'globex', password: PASSWORD, 'ssh-keys': [key.publicLine] });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    await signInAsAdmin(admin.page, h.url);
  });

  after(async () => {
    await browser?.close();
    await h?.close();
  });

  it('edits folders and limits, with a bad network shown next to its field', async () => {
    const { page } = admin;
    await page.goto(`${h.url}/console/sftp/accounts/globex`);
    await heading(page).filter({ hasText: 'SFTP account globex' }).waitFor();
    const folders = page.getByRole('group', { name: 'Folders' });
    await folders.getByRole('checkbox', { name: 'Accounts', exact: true }).uncheck();
    await folders.getByRole('checkbox', { name: 'Lookups', exact: true }).uncheck();
    await page.getByLabel('Max sessions').fill('7');
    await page.getByLabel('Quota (bytes)').fill('1048576');
    await page.getByLabel('Allowed networks').fill('not-a-network');
    await page.getByRole('button', { name: 'Save settings' }).click();
    const networks = page.getByLabel('Allowed networks');
    await eventually('the network error beside its field', async () => ((await networks.getAttribute('aria-invalid')) === 'true' ? true : undefined));
    const describedBy = (await networks.getAttribute('aria-describedby')) ?? '';
    assert.match(await page.locator(`[id="${describedBy.split(' ').find((id) => id.endsWith('-error'))}"]`).innerText(), /not-a-network/);
    await networks.fill('127.0.0.0/8');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Settings saved.').waitFor();
    const saved = (await h.api('GET', '/api/admin/sftp-accounts/globex')).body;
    assert.deepEqual(saved.folders.toSorted(), ['AccountTypes', 'CCW', 'LookupValues', 'Users']);
    assert.equal(saved['max-sessions'], 7);
    assert.equal(saved['quota-bytes'], 1048576);
    assert.deepEqual(saved['allowed-networks'], ['127.0.0.0/8']);
  });

  it('disables and enables an account: a disabled account cannot sign in', async () => {
    const { page } = admin;
    await page.getByRole('button', { name: 'Disable account' }).click();
    await page.getByRole('button', { name: 'Enable account' }).waitFor();
    assert.equal((await page.locator('.facts .status').first().innerText()).trim(), 'disabled');
    assert.equal((await h.api('GET', '/api/admin/sftp-accounts/globex')).body.disabled, true);
    assert.equal(await signsIn({ password: PASSWORD }), false, 'a disabled account is refused');
    await page.getByRole('button', { name: 'Enable account' }).click();
    await page.getByRole('button', { name: 'Disable account' }).waitFor();
    assert.equal(await signsIn({ password: PASSWORD }), true, 'enabled again, it signs in');
  });

  it('removes an SSH key: the row goes and the key no longer signs in', async () => {
    const { page } = admin;
    assert.equal(await signsIn({ privateKey: key.privateKey }), true);
    const fingerprint = (await h.api('GET', '/api/admin/sftp-accounts/globex/keys')).body[0].fingerprint as string;
    await page.getByRole('button', { name: `Remove key ${fingerprint}` }).click();
    await page.getByText(`Key ${fingerprint} removed.`).waitFor();
    await page.getByRole('row').filter({ hasText: fingerprint }).waitFor({ state: 'detached' });
    assert.deepEqual((await h.api('GET', '/api/admin/sftp-accounts/globex/keys')).body, []);
    assert.equal(await signsIn({ privateKey: key.privateKey }), false);
  });

  it("sets the customer's PGP key: a bad one is refused beside its field, a good one shows its fingerprint", async () => {
    const { page } = admin;
    const field = page.getByLabel('New encryption key (armored public key)');
    await field.fill('-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nnot a key\n-----END PGP PUBLIC KEY BLOCK-----');
    await page.getByRole('button', { name: 'Save PGP keys' }).click();
    await eventually('the key error beside its field', async () => ((await field.getAttribute('aria-invalid')) === 'true' ? true : undefined));
    const generated = await openpgp.generateKey({ userIDs: [{ email: 'files@globex.example' }], type: 'ecc', format: 'object' });
    const fingerprint = generated.publicKey.getFingerprint().toUpperCase();
    await field.fill(generated.publicKey.armor());
    await page.getByRole('button', { name: 'Save PGP keys' }).click();
    await page.getByText('PGP keys saved.').waitFor();
    const facts = page.getByRole('region', { name: 'Customer PGP keys' }).locator('dl');
    await eventually('the fingerprint of the saved key', async () => ((await facts.innerText()).toUpperCase().includes(fingerprint) ? true : undefined));
    assert.match(await facts.innerText(), /files@globex\.example/);
  });

  it("lists the account's open sessions and its audit events", async () => {
    const { page } = admin;
    const session = await connectSsh2({ port: h.sftpPort, username: 'globex', password: PASSWORD });
    try {
      const sessions = page.getByRole('region', { name: 'Sessions now' });
      await sessions.getByRole('button', { name: 'Refresh sessions' }).click();
      const row = sessions.getByRole('table', { name: 'Open SFTP sessions' }).getByRole('row').filter({ hasText: '127.0.0.1' });
      await row.waitFor();
      assert.match(await row.innerText(), new RegExp(`${os.hostname()}:${h.sftpPort}`), 'the row names the node holding the session');
    } finally {
      session.end();
    }
    await page.reload();
    const audit = page.getByRole('table', { name: 'Audit events' });
    await audit.waitFor();
    const text = await audit.innerText();
    assert.match(text, /login \(password\)\s+success\s+127\.0\.0\.1/, 'the password sign-in');
    assert.match(text, /key_removed \(admin\)\s+success/, 'the key removed from the page');
    assert.match(text, /account_disabled \(admin\)\s+success/, 'the admin disabling the account');
    assert.match(text, /login_failed \(password\)\s+failure\s+127\.0\.0\.1\s+reason: disabled/, 'the sign-in refused while disabled');
  });

  it('shows the host key fingerprints an SSH client is shown on first connection', async () => {
    const seen: string[] = [];
    for (const algorithm of ['ssh-ed25519', 'rsa-sha2-512'] as const) {
      const session = await connectSsh2({
        port: h.sftpPort,
        username: 'globex',
        password: PASSWORD,
        algorithms: { serverHostKey: [algorithm] },
        hostVerifier: (blob: Buffer) => (seen.push(sshFingerprint(blob)), true),
      });
      session.end();
    }
    const { page } = admin;
    await page.getByRole('link', { name: 'Host keys and bans' }).click();
    const table = page.getByRole('table', { name: 'Host keys' });
    await table.waitFor();
    const text = await table.innerText();
    for (const fingerprint of seen) assert.ok(text.includes(fingerprint), `${fingerprint} in ${text}`);
    assert.match(text, /ssh-ed25519\s+256 bits/);
  });

  it('shows failed logins, open sessions and the ban on the dashboard, and lifts the ban', async () => {
    for (let i = 0; i < BAN_THRESHOLD; i += 1) assert.equal(await signsIn({ password: `wrong ${i}` }), false);
    await eventually('the ban', async () => ((await h.api('GET', '/api/admin/sftp-bans')).body.length === 1 ? true : undefined));
    const { page } = admin;
    await page.getByRole('link', { name: 'Dashboard' }).click();
    const tile = (label: string) => page.locator('.tile').filter({ hasText: label }).locator('.tile-value');
    await tile('banned addresses').waitFor();
    assert.equal(await tile('banned addresses').innerText(), '1');
    assert.ok(Number(await tile('failed SFTP logins (24 h)').innerText()) >= BAN_THRESHOLD);
    const failed = page.getByRole('table', { name: 'Failed SFTP logins in the last 24 hours' });
    assert.ok((await failed.getByRole('row').filter({ hasText: 'globex' }).count()) >= BAN_THRESHOLD);
    await page.getByText(/Banned: 127\.0\.0\.1/).waitFor();
    assert.equal(await signsIn({ password: PASSWORD }), false, 'banned, even with the right password');
    await screenshot(page, 'dashboard-security', { fullPage: true });

    await page.getByRole('link', { name: 'manage bans' }).click();
    await page.getByRole('button', { name: 'Lift the ban of 127.0.0.1' }).click();
    await page.getByText('No address is banned.').waitFor();
    const session = await connectSsh2({ port: h.sftpPort, username: 'globex', password: PASSWORD });
    try {
      await page.getByRole('link', { name: 'Dashboard' }).click();
      await tile('SFTP sessions now').waitFor();
      await eventually('the open session on the dashboard', async () => ((await tile('SFTP sessions now').innerText()) === '1' ? true : (await page.reload(), undefined)));
      await page.getByRole('region', { name: 'SFTP sessions now' }).getByRole('link', { name: 'globex' }).waitFor();
    } finally {
      session.end();
    }
  });

  it("downloads Workgate's public key with the fingerprint shown, and rotates it", async () => {
    const { page } = admin;
    await page.getByRole('link', { name: 'PGP' }).click();
    const shown = page.locator('#published-fingerprint');
    await shown.waitFor();
    const before = (await shown.innerText()).trim();
    const href = await page.getByRole('link', { name: 'Download the public key' }).getAttribute('href');
    const downloaded = await openpgp.readKey({ armoredKey: await (await page.request.get(`${h.url}${href}`)).text() });
    assert.equal(downloaded.getFingerprint().toUpperCase(), before.toUpperCase());

    await page.getByRole('button', { name: 'Rotate key' }).click();
    await page.getByText(/A new key was published/).waitFor();
    const after = await eventually('the new fingerprint shown', async () => {
      const text = (await shown.innerText()).trim();
      return text === before ? undefined : text;
    });
    const rotated = await openpgp.readKey({ armoredKey: await (await page.request.get(`${h.url}${href}`)).text() });
    assert.equal(rotated.getFingerprint().toUpperCase(), after.toUpperCase(), 'the download is the new key');
    const oldRow = page.getByRole('table', { name: 'Workgate PGP keys' }).getByRole('row').filter({ hasText: before });
    assert.match(await oldRow.innerText(), /active/, 'the old key still decrypts until retired');
    await page.getByRole('button', { name: `Retire key ${before}` }).click();
    await eventually('the old key retired', async () => (/retired/.test(await oldRow.innerText()) ? true : undefined));
  });
});
