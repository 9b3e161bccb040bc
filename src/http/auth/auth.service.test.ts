import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dialects } from '../../../test/support/databases.ts';
import type { Db } from '../../db/index.ts';
import { AppError, ValidationError } from '../../shared/errors.ts';
import { adminApiKeyName } from './api-keys.ts';
import { createAuthService } from './auth.service.ts';
import { OAuthError } from './oauth.errors.ts';
import { scopes } from './scopes.ts';
import { sha256Hex } from './secrets.ts';
import { silentLog, testClock, type TestClock } from './test-support.ts';

const day = 86_400_000;

async function rejectsWith(promise: Promise<unknown>, oauthError: string, message?: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof OAuthError, `expected OAuthError, got ${String(error)}`);
    assert.equal(error.oauthError, oauthError);
    if (message) assert.match(error.message, message);
    return true;
  });
}

for (const dialect of dialects()) {
  describe(`auth service on ${dialect.name}`, { skip: dialect.skip }, () => {
    let db: Db;
    let drop: () => Promise<void>;
    before(async () => {
      const t = await dialect.create();
      db = t.db;
      drop = t.drop;
    });
    after(async () => drop?.());

    function service(clock: TestClock = testClock()) {
      return createAuthService({ db, clock: clock.now, log: silentLog });
    }

    describe('API keys', () => {
      it('creates a 40-character key, stores only its SHA-256 and prefix, and finds it again', async () => {
        const auth = service();
        const { id, key, prefix } = await auth.createApiKey('reporting', ['core.user.read', 'core.accounting.read']);
        assert.match(key, /^[A-Za-z0-9_-]{40}$/);
        assert.equal(prefix, key.slice(0, 8));
        const row = await db.kysely.selectFrom('auth_api_keys').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
        assert.equal(row.key_hash, sha256Hex(key));
        assert.equal(row.key_prefix, key.slice(0, 8));
        assert.ok(!Object.values(row).some((value) => typeof value === 'string' && value.includes(key)), 'the key itself is not stored');

        const principal = await auth.authenticateApiKey(key);
        assert.equal(principal?.kind, 'api-key');
        assert.equal(principal?.id, String(id));
        assert.equal(principal?.name, 'reporting');
        assert.deepEqual([...(principal?.scopes ?? [])].sort(), ['core.accounting.read', 'core.user.read']);
        assert.equal(principal?.rateLimited, true);
      });

      it('returns null for an unknown or malformed key', async () => {
        const auth = service();
        assert.equal(await auth.authenticateApiKey('x'.repeat(40)), null);
        assert.equal(await auth.authenticateApiKey('short'), null);
        assert.equal(await auth.authenticateApiKey('has spaces in it, and is long enough to pass'), null);
      });

      it('refuses a taken name, the reserved admin name and unknown scopes', async () => {
        const auth = service();
        await auth.createApiKey('dupe', ['core.user.read']);
        await assert.rejects(auth.createApiKey('dupe', ['core.user.read']), (e: unknown) => e instanceof AppError && e.code === 'conflict');
        await assert.rejects(auth.createApiKey(adminApiKeyName, ['core.user.read']), (e: unknown) => e instanceof AppError && e.code === 'conflict');
        await assert.rejects(auth.createApiKey('bad', ['core.user.delete']), (e: unknown) => e instanceof ValidationError && /core\.user\.delete/.test(e.message));
        await assert.rejects(auth.createApiKey('none', []), ValidationError);
      });

      it('serves a hot key from the cache for its TTL, and writes last_used_at at most once a minute', async () => {
        const clock = testClock();
        const auth = service(clock);
        const { id, key } = await auth.createApiKey('hot', ['core.user.read']);
        const lastUsed = async () =>
          (await db.kysely.selectFrom('auth_api_keys').select('last_used_at').where('id', '=', id).executeTakeFirstOrThrow()).last_used_at;

        await auth.authenticateApiKey(key);
        const first = await lastUsed();
        assert.equal(new Date(first ?? 0).toISOString(), clock.now().toISOString());
        clock.advance(20_000);
        await auth.authenticateApiKey(key);
        assert.deepEqual(await lastUsed(), first, 'not written again within a minute');

        await db.kysely.updateTable('auth_api_keys').set({ active: false }).where('id', '=', id).execute();
        assert.ok(await auth.authenticateApiKey(key), 'a write by someone else is not seen while cached');
        clock.advance(31_000);
        assert.equal(await auth.authenticateApiKey(key), null, 'seen once the TTL runs out');

        await db.kysely.updateTable('auth_api_keys').set({ active: true }).where('id', '=', id).execute();
        clock.advance(30_000);
        await auth.authenticateApiKey(key);
        assert.equal(new Date((await lastUsed()) ?? 0).toISOString(), clock.now().toISOString(), 'written again after a minute');
      });

      it('forgets a disabled key at once (its own writes clear the cache)', async () => {
        const auth = service();
        const { id, key } = await auth.createApiKey('short-lived', ['core.user.read']);
        assert.ok(await auth.authenticateApiKey(key));
        await auth.disableApiKey(id);
        assert.equal(await auth.authenticateApiKey(key), null);
        const listed = (await auth.listApiKeys()).find((k) => k.id === id);
        assert.equal(listed?.active, false);
        assert.ok(!JSON.stringify(listed).includes(sha256Hex(key)), 'no hash in the listing');
      });
    });

    describe('admin API key', () => {
      const adminValue = 'A'.repeat(20) + 'b'.repeat(20) + '-_9';
      const adminRows = () => db.kysely.selectFrom('auth_api_keys').selectAll().where('name', '=', adminApiKeyName).execute();

      it('exists with every scope, unlimited, and is idempotent across restarts', async () => {
        await service().ensureAdminApiKey(adminValue);
        const [row] = await adminRows();
        await service().ensureAdminApiKey(adminValue);
        const rows = await adminRows();
        assert.equal(rows.length, 1);
        assert.equal(rows[0]?.id, row?.id);
        const principal = await service().authenticateApiKey(adminValue);
        assert.deepEqual([...(principal?.scopes ?? [])].sort(), [...scopes].sort());
        assert.equal(principal?.rateLimited, false);
      });

      it('is replaced when the value changes, and disabled when it is unset', async () => {
        const auth = service();
        await auth.ensureAdminApiKey(adminValue);
        assert.ok(await auth.authenticateApiKey(adminValue));
        const next = 'Z'.repeat(41);
        await auth.ensureAdminApiKey(next);
        assert.equal(await auth.authenticateApiKey(adminValue), null, 'the old value stops working');
        assert.ok(await auth.authenticateApiKey(next));
        assert.equal((await adminRows()).length, 1);
        await auth.ensureAdminApiKey(undefined);
        assert.equal(await auth.authenticateApiKey(next), null);
        await auth.ensureAdminApiKey(next);
        assert.ok(await auth.authenticateApiKey(next), 'set again, it works again');
      });

      it('refuses a value that is not a plausible key', async () => {
        await assert.rejects(service().ensureAdminApiKey('too-short'));
      });
    });

    describe('OAuth clients and tokens', () => {
      it('stores the secret as argon2id and never lists hashes', async () => {
        const auth = service();
        const { clientId, clientSecret } = await auth.createOAuthClient('erp', ['core.user.read']);
        const row = await db.kysely.selectFrom('auth_oauth_clients').selectAll().where('client_id', '=', clientId).executeTakeFirstOrThrow();
        assert.match(row.secret_hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
        assert.ok(!row.secret_hash.includes(clientSecret));
        const listed = (await auth.listOAuthClients()).find((c) => c.clientId === clientId);
        assert.deepEqual(Object.keys(listed ?? {}).sort(), ['active', 'clientId', 'createdAt', 'name', 'scopes', 'updatedAt']);
        assert.ok(!JSON.stringify(listed).includes('argon2'));
      });

      it('issues a 24-hour token for all the client scopes, storing only its hash; it expires by the clock', async () => {
        const clock = testClock();
        const auth = service(clock);
        const { clientId, clientSecret } = await auth.createOAuthClient('sync', ['core.user.read', 'core.user.write']);
        const issued = await auth.issueToken(clientId, clientSecret, undefined);
        assert.equal(issued.expiresIn, 86_400);
        assert.equal(issued.scope, 'core.user.read core.user.write');
        assert.match(issued.accessToken, /^[A-Za-z0-9_-]{43}$/);
        const row = await db.kysely.selectFrom('auth_oauth_tokens').selectAll().where('client_id', '=', clientId).executeTakeFirstOrThrow();
        assert.equal(row.token_hash, sha256Hex(issued.accessToken));
        assert.equal(new Date(row.expires_at).getTime(), clock.now().getTime() + day);

        const principal = await auth.authenticateBearer(issued.accessToken);
        assert.equal(principal?.kind, 'oauth-client');
        assert.equal(principal?.id, clientId);
        assert.equal(principal?.name, 'sync');
        assert.equal(principal?.rateLimited, true);
        clock.advance(day - 1000);
        assert.ok(await auth.authenticateBearer(issued.accessToken), 'valid just before expiry');
        clock.advance(1000);
        assert.equal(await auth.authenticateBearer(issued.accessToken), null, 'expired (even though cached a second ago)');
        assert.equal(await service(clock).authenticateBearer(issued.accessToken), null, 'expired from the database too');
      });

      it('grants a requested subset and refuses unknown or ungranted scopes by name', async () => {
        const auth = service();
        const { clientId, clientSecret } = await auth.createOAuthClient('narrow', ['core.user.read', 'core.accounting.read']);
        const issued = await auth.issueToken(clientId, clientSecret, ['core.accounting.read']);
        assert.equal(issued.scope, 'core.accounting.read');
        const principal = await auth.authenticateBearer(issued.accessToken);
        assert.deepEqual([...(principal?.scopes ?? [])], ['core.accounting.read']);
        await rejectsWith(auth.issueToken(clientId, clientSecret, ['core.user.write']), 'invalid_scope', /core\.user\.write/);
        await rejectsWith(auth.issueToken(clientId, clientSecret, ['core.user.read', 'nonsense']), 'invalid_scope', /nonsense/);
      });

      it('fails identically for an unknown client, a wrong secret and a disabled client', async () => {
        const auth = service();
        const { clientId, clientSecret } = await auth.createOAuthClient('locked', ['core.user.read']);
        const { accessToken } = await auth.issueToken(clientId, clientSecret, undefined);
        const messages: string[] = [];
        const capture = async (promise: Promise<unknown>) =>
          assert.rejects(promise, (e: unknown) => e instanceof OAuthError && e.oauthError === 'invalid_client' && messages.push(e.message) > 0);
        await capture(auth.issueToken('wg-unknown', clientSecret, undefined));
        await capture(auth.issueToken(clientId, `${clientSecret}x`, undefined));
        await capture(auth.issueToken(clientId, '', undefined));
        await auth.disableOAuthClient(clientId);
        await capture(auth.issueToken(clientId, clientSecret, undefined));
        assert.equal(new Set(messages).size, 1, 'one message for every failure');
        assert.equal(await auth.authenticateBearer(accessToken), null, 'tokens of a disabled client stop working');
      });

      it('rotating the secret invalidates the old secret and the tokens issued with it', async () => {
        const auth = service();
        const { clientId, clientSecret } = await auth.createOAuthClient('rotating', ['core.user.read']);
        const { accessToken } = await auth.issueToken(clientId, clientSecret, undefined);
        assert.ok(await auth.authenticateBearer(accessToken));
        const rotated = await auth.rotateOAuthClientSecret(clientId);
        assert.notEqual(rotated.clientSecret, clientSecret);
        await rejectsWith(auth.issueToken(clientId, clientSecret, undefined), 'invalid_client');
        assert.equal(await auth.authenticateBearer(accessToken), null);
        assert.ok(await auth.issueToken(clientId, rotated.clientSecret, undefined));
        await assert.rejects(auth.rotateOAuthClientSecret('wg-missing'), (e: unknown) => e instanceof AppError && e.code === 'not_found');
      });

      it('narrowing the client scopes narrows tokens already issued', async () => {
        const auth = service();
        const { clientId, clientSecret } = await auth.createOAuthClient('shrinking', ['core.user.read', 'core.user.write']);
        const { accessToken } = await auth.issueToken(clientId, clientSecret, undefined);
        await auth.setOAuthClientScopes(clientId, ['core.user.read']);
        const principal = await auth.authenticateBearer(accessToken);
        assert.deepEqual([...(principal?.scopes ?? [])], ['core.user.read']);
        assert.deepEqual((await auth.listOAuthClients()).find((c) => c.clientId === clientId)?.scopes, ['core.user.read']);
        await assert.rejects(auth.setOAuthClientScopes(clientId, ['core.user.nope']), ValidationError);
      });

      it('purges expired tokens when issuing new ones', async () => {
        const clock = testClock('2031-01-01T00:00:00.000Z');
        const auth = service(clock);
        const { clientId, clientSecret } = await auth.createOAuthClient('purging', ['core.user.read']);
        const old = await auth.issueToken(clientId, clientSecret, undefined);
        clock.advance(day + 60_000);
        await auth.issueToken(clientId, clientSecret, undefined);
        const hashes = await db.kysely.selectFrom('auth_oauth_tokens').select('token_hash').where('client_id', '=', clientId).execute();
        assert.equal(hashes.length, 1);
        assert.notEqual(hashes[0]?.token_hash, sha256Hex(old.accessToken));
      });
    });
  });
}
