import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { startTestApi, type TestApi } from '../../test/support/api.ts';
import { dialects } from '../../test/support/databases.ts';
import { sharedTestKey } from './test-support.ts';

interface AccountJson {
  id: number;
  username: string;
  'auth-policy': string;
  'has-password': boolean;
  'ssh-keys': KeyJson[];
  folders: string[];
  'max-sessions': number;
  'quota-bytes': number | null;
  'allowed-networks': string[];
  disabled: boolean;
  'generated-password'?: string;
}

interface KeyJson {
  type: string;
  bits: number;
  fingerprint: string;
  comment: string | null;
  'removed-at': string | null;
}

const password = 'correct horse battery staple';
const base = '/api/admin/sftp-accounts';

function errors(response: LightMyRequestResponse): string[] {
  const body = JSON.parse(response.body) as { errors: Record<string, string[]> };
  return Object.values(body.errors).flat();
}

for (const dialect of dialects()) {
  describe(`SFTP admin API on ${dialect.name}`, { skip: dialect.skip }, () => {
    let api: TestApi;
    before(async () => {
      api = await startTestApi(dialect);
    });
    after(async () => api?.close());

    const post = (url: string, payload?: Record<string, unknown>) => api.call({ method: 'POST', url, ...(payload ? { payload } : {}) });
    const get = (url: string, headers: Record<string, string> = {}) => api.call({ method: 'GET', url, headers });

    it('needs a credential, and the workgate.admin scope on every route', async () => {
      const reader = await api.auth.createApiKey('reader', ['core.user.read', 'core.integration.write']);
      const asReader = { 'x-coupa-api-key': reader.key };
      const routes: Array<[string, string]> = [
        ['GET', base],
        ['POST', base],
        ['GET', `${base}/x`],
        ['PUT', `${base}/x`],
        ['POST', `${base}/x/disable`],
        ['POST', `${base}/x/enable`],
        ['POST', `${base}/x/reset-password`],
        ['GET', `${base}/x/keys`],
        ['POST', `${base}/x/keys`],
        ['DELETE', `${base}/x/keys/SHA256%3Aabc`],
        ['GET', `${base}/x/audit-events`],
        ['GET', '/api/admin/sftp-audit-events'],
        ['GET', '/api/admin/sftp-bans'],
        ['DELETE', '/api/admin/sftp-bans/192.0.2.1'],
      ];
      for (const [method, url] of routes) {
        const forbidden = await api.app.inject({ method: method as 'GET', url, headers: asReader, payload: method === 'GET' || method === 'DELETE' ? undefined : {} });
        assert.equal(forbidden.statusCode, 403, `${method} ${url}: ${forbidden.body}`);
        assert.match(forbidden.body, /missing scope workgate\.admin/);
      }
      assert.equal((await api.app.inject({ method: 'GET', url: base })).statusCode, 401);
    });

    it('creates, shows and lists an account; never a password hash', async () => {
      const created = await post(base, { username: 'Acme', password, folders: ['CCW', 'Users'], 'max-sessions': 3, 'allowed-networks': ['10.0.0.0/8'] });
      assert.equal(created.statusCode, 201, created.body);
      const account = api.json<AccountJson>(created);
      assert.equal(account.username, 'acme');
      assert.deepEqual(account.folders, ['CCW', 'Users']);
      assert.equal(account['max-sessions'], 3);
      assert.deepEqual(account['allowed-networks'], ['10.0.0.0/8']);
      assert.equal(account['has-password'], true);
      assert.equal(account['generated-password'], undefined);
      assert.doesNotMatch(created.body, /argon2|password-hash|correct horse/);

      const shown = await get(`${base}/ACME`);
      assert.equal(shown.statusCode, 200);
      assert.equal(api.json<AccountJson>(shown).id, account.id);
      const listed = api.json<AccountJson[]>(await get(base));
      assert.ok(listed.some((a) => a.username === 'acme'));
      assert.doesNotMatch((await get(base)).body, /argon2/);
    });

    it('renders XML and reads XML bodies with lists', async () => {
      const xml =
        '<?xml version="1.0"?><sftp-account><username>xml-user</username><password>' +
        password +
        '</password><folders type="array"><folder>Lookups</folder></folders><quota-bytes type="integer">5000</quota-bytes></sftp-account>';
      const created = await api.call({ method: 'POST', url: base, payload: xml, headers: { 'content-type': 'application/xml', accept: 'application/xml' } });
      assert.equal(created.statusCode, 201, created.body);
      assert.match(created.body, /<sftp-account>/);
      assert.match(created.body, /<folders type="array">\s*<folder>Lookups<\/folder>\s*<\/folders>/);
      assert.match(created.body, /<quota-bytes type="integer">5000<\/quota-bytes>/);
      const shown = await get(`${base}/xml-user`, { accept: 'application/xml' });
      assert.match(shown.body, /<username>xml-user<\/username>/);
    });

    it('answers bad input with 422 under sftp-account, naming what is wrong', async () => {
      const bad = await post(base, { username: 'bad', password: 'short', folders: ['Nope'] });
      assert.equal(bad.statusCode, 422);
      assert.deepEqual(Object.keys(JSON.parse(bad.body).errors), ['sftp-account']);
      assert.deepEqual(errors(bad), [
        'Password is too short (minimum is 12 characters, got 5)',
        'Folder "Nope" is not a feed folder; choose from CCW, Users, AccountTypes, Accounts, LookupValues, Lookups',
      ]);
      await post(base, { username: 'taken', password });
      assert.deepEqual(errors(await post(base, { username: 'TAKEN', password })), ['Username "taken" has already been taken']);
      assert.equal((await post(base, { username: 'x', password, 'password-hash': 'x' })).statusCode, 400, 'unknown elements are refused');
      assert.equal((await get(`${base}/nobody`)).statusCode, 404);
    });

    it('updates folders, limits and policy with PUT; the name cannot change', async () => {
      await post(base, { username: 'updatable', password });
      const put = (payload: Record<string, unknown>) => api.call({ method: 'PUT', url: `${base}/updatable`, payload });
      const updated = await put({ folders: ['Accounts'], 'max-sessions': 1, 'quota-bytes': 1048576, 'auth-policy': 'password', username: 'updatable' });
      assert.equal(updated.statusCode, 200, updated.body);
      const account = api.json<AccountJson>(updated);
      assert.deepEqual([account.folders, account['max-sessions'], account['quota-bytes']], [['Accounts'], 1, 1048576]);
      assert.equal(api.json<AccountJson>(await put({ 'quota-bytes': null }))['quota-bytes'], null);
      const renamed = await put({ username: 'other' });
      assert.equal(renamed.statusCode, 422);
      assert.deepEqual(errors(renamed), ['Username cannot be changed']);
      assert.deepEqual(errors(await put({ 'auth-policy': 'publickey' })), ['Auth policy publickey needs at least one SSH key: add one first']);
    });

    it('disables and enables', async () => {
      await post(base, { username: 'toggle', password });
      assert.equal(api.json<AccountJson>(await post(`${base}/toggle/disable`)).disabled, true);
      assert.equal(api.json<AccountJson>(await get(`${base}/toggle`)).disabled, true);
      assert.equal(api.json<AccountJson>(await post(`${base}/toggle/enable`)).disabled, false);
    });

    it('shows a generated password exactly once, uncached; a given password is never echoed', async () => {
      const created = await post(base, { username: 'fresh' });
      assert.equal(created.statusCode, 201);
      const first = api.json<AccountJson>(created)['generated-password'];
      assert.match(first ?? '', /^[A-Za-z0-9_-]{24}$/);
      assert.equal(created.headers['cache-control'], 'no-store');

      const reset = await post(`${base}/fresh/reset-password`);
      assert.equal(reset.statusCode, 200, reset.body);
      const generated = api.json<AccountJson>(reset)['generated-password'];
      assert.match(generated ?? '', /^[A-Za-z0-9_-]{24}$/);
      assert.notEqual(generated, first);
      const again = await get(`${base}/fresh`);
      assert.ok(!again.body.includes(generated!) && !again.body.includes('generated-password'));
      assert.ok(!(await get(base)).body.includes(generated!));
      assert.equal((await api.transfer.authenticatePassword('fresh', generated!, '192.0.2.50')).ok, true);

      const chosen = await post(`${base}/fresh/reset-password`, { password: 'my own long passphrase' });
      assert.equal(chosen.statusCode, 200);
      assert.ok(!chosen.body.includes('my own long passphrase') && !chosen.body.includes('generated-password'));
      const weak = await post(`${base}/fresh/reset-password`, { password: 'fresh' });
      assert.equal(weak.statusCode, 422);
      assert.deepEqual(errors(weak), ['Password is too short (minimum is 12 characters, got 5)']);
    });

    it('adds, lists and removes SSH keys; an RSA-1024 key is refused with 422 naming its size', async () => {
      await post(base, { username: 'keyed', password });
      const ed = sharedTestKey('ed25519');
      const added = await post(`${base}/keyed/keys`, { 'public-key': ed.line });
      assert.equal(added.statusCode, 201, added.body);
      const key = api.json<KeyJson>(added);
      assert.deepEqual([key.type, key.bits, key.comment], ['ssh-ed25519', 256, 'test-ed25519']);
      assert.match(key.fingerprint, /^SHA256:[A-Za-z0-9+/]{43}$/);

      const weak = await post(`${base}/keyed/keys`, { 'public-key': sharedTestKey('rsa-1024').line });
      assert.equal(weak.statusCode, 422);
      assert.deepEqual(errors(weak), ['RSA key of 1024 bits refused: at least 2048 bits are required']);
      assert.equal((await post(`${base}/keyed/keys`, {})).statusCode, 422);

      assert.deepEqual(api.json<KeyJson[]>(await get(`${base}/keyed/keys`)).map((k) => k.fingerprint), [key.fingerprint]);
      const url = `${base}/keyed/keys/${encodeURIComponent(key.fingerprint)}`;
      assert.equal((await api.call({ method: 'DELETE', url })).statusCode, 204);
      assert.deepEqual(api.json<KeyJson[]>(await get(`${base}/keyed/keys`)), []);
      const history = api.json<KeyJson[]>(await get(`${base}/keyed/keys?include_removed=true`));
      assert.equal(history.length, 1);
      assert.ok(history[0]?.['removed-at']);
      assert.equal((await api.call({ method: 'DELETE', url })).statusCode, 404);
    });

    it('lists the account audit events, newest first', async () => {
      await post(base, { username: 'watched', password });
      await api.transfer.authenticatePassword('watched', 'wrong password!!', '192.0.2.60');
      const response = await get(`${base}/watched/audit-events?limit=1`);
      assert.equal(response.statusCode, 200, response.body);
      const events = api.json<Array<{ event: string; address: string; method: string; detail: { reason: string } }>>(response);
      assert.deepEqual(
        events.map((e) => [e.event, e.address, e.method, e.detail.reason]),
        [['login_failed', '192.0.2.60', 'password', 'bad_password']],
      );
      assert.equal((await get(`${base}/watched/audit-events?limit=0`)).statusCode, 400);
    });

    it("lists every account's audit events, filtered by event and time", async () => {
      await post(base, { username: 'second', password });
      await api.transfer.authenticatePassword('second', 'wrong password!!', '192.0.2.61');
      await api.transfer.authenticatePassword('second', password, '192.0.2.61');
      const failed = api.json<Array<{ event: string; username: string }>>(await get('/api/admin/sftp-audit-events?event=login_failed'));
      assert.deepEqual(
        failed.map((e) => [e.event, e.username]),
        [['login_failed', 'second'], ['login_failed', 'watched']],
        'both accounts, newest first, only failed logins',
      );
      assert.deepEqual(api.json<unknown[]>(await get(`/api/admin/sftp-audit-events?event=login_failed&since=${new Date(Date.now() + 60_000).toISOString()}`)), []);
      assert.ok(api.json<unknown[]>(await get('/api/admin/sftp-audit-events?since=2020-01-01T00:00:00Z&limit=50')).length >= 4);
      for (const bad of ['event=nope', 'since=yesterday', 'limit=0']) {
        const response = await get(`/api/admin/sftp-audit-events?${bad}`);
        assert.equal(response.statusCode, 400, `${bad}: ${response.body}`);
      }
    });

    it('lists bans and lifts them, IPv6 addresses url-encoded', async () => {
      for (const address of ['203.0.113.7', '2001:db8::7']) {
        for (let i = 0; i < 5; i++) await api.transfer.authenticatePassword('intruder', 'guess guess guess', address);
      }
      const bans = api.json<Array<{ address: string; reason: string; until: string }>>(await get('/api/admin/sftp-bans'));
      assert.deepEqual(bans.map((b) => b.address).sort(), ['2001:db8::7', '203.0.113.7']);
      assert.equal((await api.call({ method: 'DELETE', url: `/api/admin/sftp-bans/${encodeURIComponent('2001:DB8:0::7')}` })).statusCode, 204);
      assert.equal((await api.call({ method: 'DELETE', url: '/api/admin/sftp-bans/203.0.113.7' })).statusCode, 204);
      assert.deepEqual(api.json<unknown[]>(await get('/api/admin/sftp-bans')), []);
      assert.equal((await api.call({ method: 'DELETE', url: '/api/admin/sftp-bans/203.0.113.7' })).statusCode, 404);
      assert.deepEqual(await api.transfer.checkAddress('203.0.113.7'), { allowed: true });
    });
  });
}
