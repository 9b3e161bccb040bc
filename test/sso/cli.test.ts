import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startOidcIdp, type OidcIdp } from './support/oidc-idp.ts';
import { makeKeyPair, startSamlIdp, type SamlIdp } from './support/saml-idp.ts';

const cli = path.resolve(import.meta.dirname, '../../src/cli.ts');

/** `workgate sso ...`, `workgate admin ...` and `workgate clients ...` as an operator runs them (SQLite). */
describe('workgate sso, admin and clients commands', () => {
  let dir: string;
  let oidc: OidcIdp;
  let saml: SamlIdp;

  /** Asynchronous: the providers this test starts answer in this same process while the command runs. */
  const run = (args: string[], input?: string): Promise<{ status: number | null; out: string; err: string }> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [cli, ...args], {
        env: { ...process.env, WORKGATE_DATA_DIR: dir, WORKGATE_DATABASE_URL: `sqlite:${path.join(dir, 'cli.db')}`, WORKGATE_PUBLIC_URL: 'https://workgate.example.com', WORKGATE_LOG_LEVEL: 'silent' },
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
      child.on('error', reject);
      child.on('close', (status) => resolve({ status, out, err }));
      child.stdin.end(input ?? '');
    });

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'workgate-sso-cli-'));
    oidc = await startOidcIdp({ workgateUrl: 'https://workgate.example.com', providerName: 'okta' });
    saml = await startSamlIdp({ spMetadataUrl: 'https://workgate.example.com/auth/entra/metadata', keys: makeKeyPair('cli-idp') });
  });
  after(async () => {
    await oidc?.close();
    await saml?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('adds an OIDC provider with the secret on stdin and prints the redirect URI, never the secret', async () => {
    const added = (await run(['sso', 'add-oidc', 'okta', '--issuer', oidc.issuer, '--client-id', oidc.clientId, '--client-secret-stdin', '--claim', 'sub'], `${oidc.clientSecret}\n`));
    assert.equal(added.status, 0, added.err);
    assert.match(added.out, /redirect_uri=https:\/\/workgate\.example\.com\/auth\/okta\/callback/);
    assert.ok(!added.out.includes(oidc.clientSecret));
    const refused = (await run(['sso', 'add-oidc', 'bad', '--issuer', 'http://idp.example.com', '--client-id', 'x', '--client-secret-stdin'], 'secret\n'));
    assert.notEqual(refused.status, 0);
    assert.match(refused.err, /must be https/);
  });

  it('adds a SAML provider from a metadata file and from a URL, and lists them with the URLs to give the IdP', async () => {
    const file = path.join(dir, 'idp.xml');
    fs.writeFileSync(file, saml.metadata());
    assert.equal((await run(['sso', 'add-saml', 'entra', '--metadata', file])).status, 0);
    const fromUrl = (await run(['sso', 'add-saml', 'keycloak', '--metadata', `${saml.url}/metadata`, '--fallback', 'email']));
    assert.equal(fromUrl.status, 0, fromUrl.err);
    const missing = await run(['sso', 'add-saml', 'nofile', '--metadata', path.join(dir, 'missing-idp.xml')]);
    assert.notEqual(missing.status, 0);
    assert.match(missing.err, /cannot read the metadata file .*missing-idp\.xml: no such file/);
    const list = (await run(['sso', 'list']));
    assert.equal(list.status, 0);
    assert.match(list.out, /entra\tsaml\tenabled\tidp=.*acs=https:\/\/workgate\.example\.com\/auth\/entra\/acs/);
    assert.match(list.out, /keycloak\tsaml\tenabled.*fallback=email/);
    assert.match(list.out, /okta\toidc/);
    assert.ok(!list.out.includes(oidc.clientSecret));
    assert.equal((await run(['sso', 'disable', 'keycloak'])).status, 0);
    assert.match((await run(['sso', 'list'])).out, /keycloak\tsaml\tdisabled/);
  });

  it('creates, disables and lists break-glass admins (password on stdin, at least 12 characters)', async () => {
    assert.notEqual((await run(['admin', 'create', 'root', '--password-stdin'], 'short\n')).status, 0);
    const created = (await run(['admin', 'create', 'root', '--password-stdin'], 'a long enough passphrase\n'));
    assert.equal(created.status, 0, created.err);
    assert.match((await run(['admin', 'list'])).out, /root\tactive/);
    assert.equal((await run(['admin', 'disable', 'root'])).status, 0);
    assert.match((await run(['admin', 'list'])).out, /root\tdisabled/);
    assert.notEqual((await run(['admin', 'disable', 'nobody'])).status, 0);
  });

  it('creates an OAuth client, rotates its secret, sets its scopes and disables it', async () => {
    const created = (await run(['clients', 'create', 'erp', '--scopes', 'core.user.read']));
    assert.equal(created.status, 0, created.err);
    const clientId = /client_id:\s+(\S+)/.exec(created.out)![1]!;
    const firstSecret = /client_secret:\s+(\S+)/.exec(created.out)![1]!;
    const rotated = (await run(['clients', 'rotate-secret', clientId]));
    assert.equal(rotated.status, 0, rotated.err);
    assert.notEqual(/client_secret:\s+(\S+)/.exec(rotated.out)![1], firstSecret);
    assert.equal((await run(['clients', 'set-scopes', clientId, '--scopes', 'core.user.read,core.user.write'])).status, 0);
    assert.equal((await run(['clients', 'disable', clientId])).status, 0);
    const list = (await run(['clients', 'list']));
    assert.match(list.out, new RegExp(`${clientId}\\terp\\tdisabled\\tcore.user.read core.user.write`));
    assert.ok(!list.out.includes(firstSecret));
  });
});
