import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dialects } from '../support/databases.ts';
import { TestBrowser } from './support/browser.ts';
import { makeKeyPair, startSamlIdp, type SamlIdp } from './support/saml-idp.ts';
import { startSsoWorkgate, type SsoWorkgate } from './support/workgate.ts';

const keys = makeKeyPair('admin-api-idp');

for (const dialect of dialects()) {
  describe(`identity-provider and OAuth-client admin API on ${dialect.name}`, { skip: dialect.skip }, () => {
    let wg: SsoWorkgate;
    let idp: SamlIdp;

    before(async () => {
      wg = await startSsoWorkgate(dialect);
      idp = await startSamlIdp({ spMetadataUrl: `${wg.url}/auth/acme/metadata`, keys });
    });
    after(async () => {
      await wg?.close();
      await idp?.close();
    });

    const errors = (json: unknown) => JSON.stringify(json);

    it('adds a SAML provider from metadata XML, shows what to give the IdP, changes, disables and removes it', async () => {
      const created = await wg.api('/api/admin/sso/providers', { method: 'POST', body: { name: 'acme', kind: 'saml', 'metadata-xml': idp.metadata(), fallback: 'email' } });
      assert.equal(created.status, 201, created.text);
      const body = created.json as Record<string, unknown>;
      assert.equal(body['idp-entity-id'], idp.entityId);
      assert.equal(body['sp-entity-id'], `${wg.url}/auth/acme/metadata`);
      assert.equal(body['acs-url'], `${wg.url}/auth/acme/acs`);
      assert.equal(body.fallback, 'email');
      assert.equal((await wg.api('/api/admin/sso/providers', { method: 'POST', body: { name: 'acme', kind: 'saml', 'metadata-xml': idp.metadata() } })).status, 409);
      const disabled = await wg.api('/api/admin/sso/providers/acme', { method: 'PUT', body: { enabled: false } });
      assert.equal((disabled.json as Record<string, unknown>).enabled, false);
      const page = await new TestBrowser().request(`${wg.url}/auth/acme/login`);
      assert.equal(page.status, 403);
      assert.match(page.body, /disabled/);
      assert.equal((await wg.api('/api/admin/sso/providers/acme', { method: 'DELETE' })).status, 204);
      assert.equal((await wg.api('/api/admin/sso/providers/acme')).status, 404);
      const events = (await wg.api('/api/admin/sso/audit-events?limit=5')).json as Array<{ event: string }>;
      assert.deepEqual(events.slice(0, 3).map((e) => e.event), ['provider_removed', 'sign_in_refused', 'provider_updated']);
    });

    it('refuses provider URLs that are not https, except on loopback, and bad names, claims and fallbacks', async () => {
      const cases: Array<[Record<string, unknown>, RegExp]> = [
        [{ name: 'x1', kind: 'oidc', issuer: 'http://idp.example.com', 'client-id': 'a', 'client-secret': 'b' }, /must be https/],
        [{ name: 'x2', kind: 'oidc', issuer: 'http://10.0.0.1', 'client-id': 'a', 'client-secret': 'b' }, /must be https/],
        [{ name: 'x3', kind: 'saml', 'idp-entity-id': 'urn:x', 'sso-url': 'http://idp.example.com/sso', certificate: keys.cert }, /must be https/],
        [{ name: 'local', kind: 'saml', 'metadata-xml': '<x/>' }, /reserved/],
        [{ name: 'Bad Name', kind: 'saml', 'metadata-xml': '<x/>' }, /lower-case/],
        [{ name: 'x4', kind: 'saml', 'metadata-xml': '<!DOCTYPE x [<!ENTITY a "b">]><x/>' }, /DOCTYPE/],
        [{ name: 'x5', kind: 'saml', 'metadata-xml': idp.metadata(), fallback: 'anything' }, /fallback must be one of/],
        [{ name: 'x6', kind: 'oidc', issuer: 'https://idp.example.com', 'client-id': 'a', 'client-secret': 'b', claim: 'bad claim!' }, /claim must be/],
        [{ name: 'x7', kind: 'ldap' }, /kind must be oidc or saml/],
      ];
      for (const [body, message] of cases) {
        const answer = await wg.api('/api/admin/sso/providers', { method: 'POST', body });
        assert.equal(answer.status, 422, `${JSON.stringify(body).slice(0, 80)}: ${answer.text}`);
        assert.match(errors(answer.json), message);
      }
      const unreachable = await wg.api('/api/admin/sso/providers', { method: 'POST', body: { name: 'x8', kind: 'oidc', issuer: 'http://127.0.0.1:9', 'client-id': 'a', 'client-secret': 'b' } });
      assert.notEqual(unreachable.status, 201, 'a loopback issuer is accepted as a URL, but it must answer discovery');
      assert.match(unreachable.text, /discovery of http:\/\/127\.0\.0\.1:9 failed: fetch failed: bad port/, 'the cause, not only "fetch failed"');
      const notAnIssuer = await wg.api('/api/admin/sso/providers', { method: 'POST', body: { name: 'x10', kind: 'oidc', issuer: `${idp.url}/realms/none`, 'client-id': 'a', 'client-secret': 'b' } });
      assert.equal(notAnIssuer.status, 422);
      assert.match(notAnIssuer.text, /discovery of .*\/realms\/none failed: unexpected HTTP response status code: HTTP 404/);
      assert.equal((await wg.api('/api/admin/sso/providers', { method: 'POST', body: { name: 'x9', kind: 'saml', 'idp-entity-id': 'urn:x', 'sso-url': 'http://[::1]:9/sso', certificate: keys.cert } })).status, 201);
    });

    it('manages OAuth clients: create (secret once), list (no secret), rotate, set scopes, disable', async () => {
      const created = await wg.api('/api/admin/oauth-clients', { method: 'POST', body: { name: 'erp', scopes: 'core.user.read core.accounting.read' } });
      assert.equal(created.status, 201, created.text);
      const client = created.json as Record<string, string | string[]>;
      const clientId = String(client['client-id']);
      const firstSecret = String(client['client-secret']);
      const token = (secret: string) =>
        fetch(`${wg.url}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret }) });
      assert.equal((await token(firstSecret)).status, 200);
      const listed = await wg.api('/api/admin/oauth-clients');
      assert.ok(!listed.text.includes(firstSecret) && !listed.text.includes('secret'), 'the list never shows a secret');
      const rotated = await wg.api(`/api/admin/oauth-clients/${clientId}/rotate-secret`, { method: 'POST' });
      const secondSecret = String((rotated.json as Record<string, string>)['client-secret']);
      assert.notEqual(secondSecret, firstSecret);
      assert.equal((await token(firstSecret)).status, 401);
      assert.equal((await token(secondSecret)).status, 200);
      const scoped = await wg.api(`/api/admin/oauth-clients/${clientId}/scopes`, { method: 'PUT', body: { scopes: ['core.user.write'] } });
      assert.deepEqual((scoped.json as Record<string, unknown>).scopes, ['core.user.write']);
      assert.equal((await wg.api(`/api/admin/oauth-clients/${clientId}/scopes`, { method: 'PUT', body: { scopes: ['no.such.scope'] } })).status, 422);
      const disabled = await wg.api(`/api/admin/oauth-clients/${clientId}/disable`, { method: 'POST' });
      assert.equal((disabled.json as Record<string, unknown>).active, false);
      assert.equal((await token(secondSecret)).status, 401);
      assert.equal((await wg.api('/api/admin/oauth-clients/wg-unknown/disable', { method: 'POST' })).status, 404);
    });

    it('answers GET /api/me for a program too (no reach), and needs workgate.admin for the admin routes', async () => {
      const me = await wg.api('/api/me');
      assert.equal((me.json as Record<string, unknown>).kind, 'api-key');
      assert.deepEqual((me.json as Record<string, unknown>).reach, []);
      const created = (await wg.api('/api/admin/oauth-clients', { method: 'POST', body: { name: 'reader', scopes: ['core.user.read'] } })).json as Record<string, string>;
      const issued = await fetch(`${wg.url}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'client_credentials', client_id: created['client-id']!, client_secret: created['client-secret']! }) });
      const { access_token: accessToken } = (await issued.json()) as { access_token: string };
      const refused = await fetch(`${wg.url}/api/admin/sso/providers`, { headers: { authorization: `Bearer ${accessToken}` } });
      assert.equal(refused.status, 403);
      assert.equal((await fetch(`${wg.url}/api/me`)).status, 401);
    });
  });
}
