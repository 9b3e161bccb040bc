import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ensureWebBuilt } from '../../scripts/build-web.ts';
import { sftpCall, type Ssh2Session } from '../sftp/support.ts';
import { startWorkgate, type Workgate } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { ssoForCli } from '../../src/http/sso/index.ts';
import { createLogger } from '../../src/log.ts';

export const ADMIN_KEY = 'console-e2e-admin-key-0123456789abcdefghijkl';
export const LOCAL_ADMIN = { login: 'breakglass', password: 'break-glass password 2026!' };
export const chromiumPath = '/usr/bin/chromium';

/** Why the browser tests cannot run here, or undefined. */
export function chromiumSkip(): string | undefined {
  return fs.existsSync(chromiumPath) ? undefined : `${chromiumPath} is missing: install Debian's chromium (apt-get install chromium; CI does) to run the console tests`;
}

/** `workgate serve --roles sftp,http,worker` in-process on free ports over SQLite, with a break-glass admin. */
export interface ConsoleHarness {
  workgate: Workgate;
  url: string;
  sftpPort: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON of many shapes, checked by the tests
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

export async function startConsoleHarness(env: Record<string, string> = {}): Promise<ConsoleHarness> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'workgate-console-'));
  const config = loadConfig({
    WORKGATE_DATA_DIR: dataDir,
    WORKGATE_HOST: '127.0.0.1',
    WORKGATE_HTTP_PORT: '0',
    WORKGATE_SFTP_PORT: '0',
    WORKGATE_ROLES: 'sftp,http,worker',
    WORKGATE_ADMIN_API_KEY: ADMIN_KEY,
    WORKGATE_SYNC_POLL_MS: '50',
    WORKGATE_LOG_LEVEL: process.env.WORKGATE_TEST_LOG_LEVEL ?? 'silent',
    ...env,
  });
  const workgate = await startWorkgate(config, createLogger(config.logLevel));
  await ssoForCli(workgate.db, config).localAdmins.create(LOCAL_ADMIN.login, LOCAL_ADMIN.password, 'test');
  const url = workgate.httpUrl!.replace('localhost', '127.0.0.1');
  return {
    workgate,
    url,
    sftpPort: workgate.sftp!.server.port,
    async api(method, apiPath, body) {
      const response = await fetch(`${url}${apiPath}`, {
        method,
        headers: { 'x-coupa-api-key': ADMIN_KEY, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    },
    async close() {
      await workgate.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Debian's Chromium, headless, with the flags this machine's closed network needs; a fresh profile each launch. */
export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export async function newPage(browser: Browser): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'en-US', timezoneId: 'UTC' });
  context.setDefaultTimeout(30_000);
  const page = await context.newPage();
  return { context, page };
}

export interface ConsoleUnderTest {
  h: ConsoleHarness;
  browser: Browser;
  /** A page whose confirm dialogs are accepted (the console asks before removing or disabling). */
  admin: { context: BrowserContext; page: Page };
}

/** What every console test file starts with: the built pages, a Workgate, Chromium and an admin's page. */
export async function openConsole(env: Record<string, string> = {}): Promise<ConsoleUnderTest> {
  await ensureWebBuilt({ quiet: true });
  const h = await startConsoleHarness(env);
  const browser = await launchChromium();
  const admin = await newPage(browser);
  admin.page.on('dialog', (dialog) => void dialog.accept());
  return { h, browser, admin };
}

/** The break-glass admin signs in from the console's sign-in page and lands on the dashboard. */
export async function signInAsAdmin(page: Page, url: string): Promise<void> {
  await page.goto(`${url}/console`);
  await page.getByRole('link', { name: 'Sign in' }).click();
  await page.getByRole('link', { name: 'Local administrator' }).click();
  await page.getByLabel('Login').fill(LOCAL_ADMIN.login);
  await page.getByLabel('Password').fill(LOCAL_ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
}

/** Writes a whole file over an open SFTP session. */
export async function upload(session: Ssh2Session, remote: string, content: string): Promise<void> {
  const handle = await sftpCall<Buffer>((cb) => session.sftp.open(remote, 'w', cb));
  await sftpCall<void>((cb) => session.sftp.write(handle, Buffer.from(content), 0, Buffer.byteLength(content), 0, (error) => cb(error)));
  await sftpCall<void>((cb) => session.sftp.close(handle, (error) => cb(error)));
}

export const screenshotDir = process.env.WORKGATE_SCREENSHOT_DIR ?? path.resolve(import.meta.dirname, '../../docs/screenshots');

/** A screenshot of a main page, for the README. */
export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
  fs.mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: options.fullPage ?? false, animations: 'disabled' });
}

/** Polls until `check` returns a value (not undefined), or fails with what it last saw. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

const csv = (...lines: string[]) => `${lines.join('\r\n')}\r\n`;
export const usersHeader = 'Login,Status,Email,First Name,Last Name,Employee Number';

/** Good rows of the first Users file: more than the 100 active records below which a Full file is never held. */
export const goodUsers = 120;

/** A Delta Users file: good rows, then two the feed must refuse (lines goodUsers+2: no email; goodUsers+3: a login too short). */
export function usersDeltaWithErrors(): string {
  return csv(
    usersHeader,
    ...Array.from({ length: goodUsers }, (_, i) => `feeduser${i + 1},active,feeduser${i + 1}@example.com,Feed,User${i + 1},E${1000 + i}`),
    'noemail,active,,No,Email,E2000',
    'x,active,x@example.com,Short,Login,E2001',
  );
}

/** A Full Users file naming only two of the users: it would deactivate the rest, so it is held. */
export function usersFullShrinking(): string {
  return csv('Login,Email,First Name,Last Name,Employee Number', 'feeduser1,feeduser1@example.com,Feed,User1,E1000', 'feeduser2,feeduser2@example.com,Feed,User2,E1001');
}
