import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dialects } from '../../test/support/databases.ts';
import type { Db } from '../db/index.ts';
import { createTransferAccounts, type TransferAccounts } from './accounts.service.ts';
import type { DefenceSettings } from './account.types.ts';
import { sharedTestKey, silentLog, testClock, type TestClock } from './test-support.ts';

const password = 'correct horse battery staple';
const signed = { verified: true };
const unsigned = { verified: false, signed: false };

let sequence = 0;
/** A fresh address per test, so bans and failure counts of one test never touch another. */
function nextAddress(): string {
  sequence += 1;
  return `198.51.100.${sequence}`;
}

for (const dialect of dialects()) {
  describe(`SFTP authentication on ${dialect.name}`, { skip: dialect.skip }, () => {
    let db: Db;
    let drop: () => Promise<void>;
    before(async () => {
      ({ db, drop } = await dialect.create());
    });
    after(async () => drop?.());

    function service(clock: TestClock = testClock(), defence: Partial<DefenceSettings> = {}): TransferAccounts {
      return createTransferAccounts({ db, clock: clock.now, log: silentLog, defence });
    }

    async function events(transfer: TransferAccounts, username: string) {
      return (await transfer.auditEvents({ username })).reverse();
    }

    describe('policies', () => {
      it('password: the right password logs in, a wrong one and any key do not', async () => {
        const transfer = service();
        const ed = sharedTestKey('ed25519');
        await transfer.create({ username: 'pw-only', password, sshKeys: [ed.line], authPolicy: 'password' }, 'test');
        const address = nextAddress();
        const ok = await transfer.authenticatePassword('PW-Only', password, address);
        assert.equal(ok.ok, true);
        assert.ok(ok.ok && ok.account.username === 'pw-only' && ok.methodsLeft.length === 0);
        assert.deepEqual(await transfer.authenticatePassword('pw-only', 'wrong password!!', address), { ok: false });
        assert.deepEqual(await transfer.authenticatePublicKey('pw-only', ed.offered, address, signed), { ok: false });
      });

      it('publickey: a signed registered key logs in; the unsigned query only says whether the key would do', async () => {
        const transfer = service();
        const ed = sharedTestKey('ed25519');
        const other = sharedTestKey('ecdsa-256');
        await transfer.create({ username: 'key-only', sshKeys: [ed.line] }, 'test');
        const address = nextAddress();
        assert.deepEqual(await transfer.authenticatePublicKey('key-only', ed.offered, address, unsigned), { ok: false, keyAcceptable: true });
        assert.deepEqual(await transfer.authenticatePublicKey('key-only', other.offered, address, unsigned), { ok: false, keyAcceptable: false });
        const ok = await transfer.authenticatePublicKey('key-only', ed.offered, address, signed);
        assert.ok(ok.ok);
        assert.deepEqual(ok.methodsLeft, []);
        assert.equal(ok.account.authPolicy, 'publickey');
        assert.deepEqual(await transfer.authenticatePassword('key-only', password, address), { ok: false });
        const failures = (await events(transfer, 'key-only')).filter((e) => e.event === 'login_failed');
        assert.equal(failures.length, 1, 'queries are neither audited nor counted; the password attempt is');
      });

      it('publickey: a signature that does not verify is a counted failure', async () => {
        const transfer = service();
        const ed = sharedTestKey('ed25519');
        await transfer.create({ username: 'bad-sig', sshKeys: [ed.line] }, 'test');
        assert.deepEqual(await transfer.authenticatePublicKey('bad-sig', ed.offered, nextAddress(), { verified: false, signed: true }), { ok: false });
        const [failure] = await events(transfer, 'bad-sig').then((list) => list.filter((e) => e.event === 'login_failed'));
        assert.equal(failure?.detail?.reason, 'bad_signature');
      });

      it('password-or-publickey: either logs in', async () => {
        const transfer = service();
        const rsa = sharedTestKey('rsa-2048');
        await transfer.create({ username: 'either', password, sshKeys: [rsa.line] }, 'test');
        const address = nextAddress();
        assert.equal((await transfer.authenticatePassword('either', password, address)).ok, true);
        const byKey = await transfer.authenticatePublicKey('either', { algo: 'rsa-sha2-512', data: rsa.offered.data }, address, signed);
        assert.ok(byKey.ok && byKey.methodsLeft.length === 0);
      });

      it('publickey+password: the key is a partial success, then the password completes it; the password alone never does', async () => {
        const transfer = service();
        const ed = sharedTestKey('ed25519');
        await transfer.create({ username: 'both', password, sshKeys: [ed.line], authPolicy: 'publickey+password' }, 'test');
        const address = nextAddress();
        assert.deepEqual(await transfer.authenticatePassword('both', password, address), { ok: false }, 'password first is refused');
        const keyStep = await transfer.authenticatePublicKey('both', ed.offered, address, signed);
        assert.ok(keyStep.ok);
        assert.deepEqual(keyStep.methodsLeft, ['password']);
        assert.deepEqual(await transfer.authenticatePassword('both', 'wrong password!!', address, { afterPublicKey: true }), { ok: false });
        const done = await transfer.authenticatePassword('both', password, address, { afterPublicKey: true });
        assert.ok(done.ok && done.methodsLeft.length === 0);
        const trail = (await events(transfer, 'both')).filter((e) => e.event !== 'account_created');
        assert.deepEqual(
          trail.map((e) => [e.event, e.outcome, e.method, e.detail?.reason ?? null]),
          [
            ['login_failed', 'failure', 'publickey+password', 'publickey_first'],
            ['login', 'partial', 'publickey', null],
            ['login_failed', 'failure', 'publickey+password', 'bad_password'],
          ],
        );
      });
    });

    describe('failures that look alike', () => {
      it('unknown user, disabled account, removed key and wrong password all answer the same, each audited with its reason', async () => {
        const transfer = service(testClock(), { threshold: 1000 });
        const ed = sharedTestKey('ed25519');
        await transfer.create({ username: 'alike', password, sshKeys: [ed.line] }, 'test');
        await transfer.create({ username: 'alike-off', password, sshKeys: [ed.line] }, 'test');
        await transfer.setDisabled('alike-off', true, 'test');
        await transfer.create({ username: 'alike-revoked', password, sshKeys: [ed.line] }, 'test');
        await transfer.removeKey('alike-revoked', (await transfer.listKeys('alike-revoked'))[0]!.fingerprint, 'test');
        const address = nextAddress();
        const answers = [
          await transfer.authenticatePassword('nobody-here', password, address),
          await transfer.authenticatePassword('alike-off', password, address),
          await transfer.authenticatePassword('alike', 'wrong password!!', address),
          await transfer.authenticatePublicKey('nobody-here', ed.offered, address, signed),
          await transfer.authenticatePublicKey('alike-off', ed.offered, address, signed),
          await transfer.authenticatePublicKey('alike-revoked', ed.offered, address, signed),
        ];
        for (const answer of answers) assert.deepEqual(answer, { ok: false });
        const reasons = (await transfer.auditEvents({ limit: 50 }))
          .filter((e) => e.event === 'login_failed' && e.address === address)
          .map((e) => e.detail?.reason)
          .reverse();
        assert.deepEqual(reasons, ['unknown_user', 'disabled', 'bad_password', 'unknown_user', 'disabled', 'unknown_key']);
      });

      it('takes as long for an unknown user as for a wrong password (both run argon2)', async () => {
        const transfer = service(testClock(), { threshold: 1000 });
        await transfer.create({ username: 'timing', password }, 'test');
        const address = nextAddress();
        const time = async (username: string) => {
          const started = process.hrtime.bigint();
          await transfer.authenticatePassword(username, 'wrong password!!', address);
          return Number(process.hrtime.bigint() - started) / 1e6;
        };
        await time('no-such-user'); // first call makes the dummy hash
        const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
        const known: number[] = [];
        const unknown: number[] = [];
        for (let i = 0; i < 5; i++) {
          known.push(await time('timing'));
          unknown.push(await time('no-such-user'));
        }
        assert.ok(median(unknown) > median(known) * 0.3, `unknown ${median(unknown)} ms vs known ${median(known)} ms`);
      });

      it('a disabled account can log in again once enabled', async () => {
        const transfer = service();
        await transfer.create({ username: 'toggled', password, disabled: true }, 'test');
        const address = nextAddress();
        assert.deepEqual(await transfer.authenticatePassword('toggled', password, address), { ok: false });
        await transfer.setDisabled('toggled', false, 'test');
        assert.equal((await transfer.authenticatePassword('toggled', password, address)).ok, true);
      });
    });

    describe('brute-force defence', () => {
      it('bans the address at the threshold; checkAddress refuses it and even the right password fails; lifting unbans', async () => {
        const clock = testClock();
        const transfer = service(clock);
        await transfer.create({ username: 'target', password }, 'test');
        const address = nextAddress();
        assert.deepEqual(await transfer.checkAddress(address), { allowed: true });
        for (let i = 0; i < 4; i++) await transfer.authenticatePassword('target', `wrong password ${i}`, address);
        assert.deepEqual(await transfer.checkAddress(address), { allowed: true }, 'four failures are not yet five');
        await transfer.authenticatePassword('target', 'wrong password 5', address);
        assert.deepEqual(await transfer.checkAddress(address), { allowed: false, reason: 'banned' });
        assert.deepEqual(await transfer.checkAddress(`::ffff:${address}`), { allowed: false, reason: 'banned' }, 'the IPv4-mapped form too');
        assert.deepEqual(await transfer.authenticatePassword('target', password, address), { ok: false });
        assert.deepEqual(await transfer.checkAddress(nextAddress()), { allowed: true }, 'other addresses are not affected');

        const [ban] = (await transfer.listBans()).filter((b) => b.address === address);
        assert.ok(ban);
        assert.match(ban.reason, /5 failed logins from this address within 300 s/);
        assert.equal(ban.until.getTime() - ban.bannedAt.getTime(), 900_000);
        const banEvents = (await transfer.auditEvents({ limit: 100 })).filter((e) => e.event === 'ban' && e.address === address);
        assert.equal(banEvents.length, 1);

        await transfer.liftBan(address, 'test');
        assert.deepEqual(await transfer.checkAddress(address), { allowed: true });
        assert.equal((await transfer.authenticatePassword('target', password, address)).ok, true);
      });

      it('failures older than the window do not count', async () => {
        const clock = testClock();
        const transfer = service(clock);
        await transfer.create({ username: 'slow-typer', password }, 'test');
        const address = nextAddress();
        for (let i = 0; i < 4; i++) await transfer.authenticatePassword('slow-typer', 'wrong password!!', address);
        clock.advance(301);
        for (let i = 0; i < 4; i++) await transfer.authenticatePassword('slow-typer', 'wrong password!!', address);
        assert.deepEqual(await transfer.checkAddress(address), { allowed: true });
      });

      it('a ban ends by itself after the ban time', async () => {
        const clock = testClock();
        const transfer = service(clock, { threshold: 2, windowSeconds: 60, banSeconds: 120 });
        const address = nextAddress();
        await transfer.authenticatePassword('whoever', 'wrong password!!', address);
        await transfer.authenticatePassword('whoever', 'wrong password!!', address);
        assert.deepEqual(await transfer.checkAddress(address), { allowed: false, reason: 'banned' });
        clock.advance(119);
        assert.equal((await transfer.checkAddress(address)).allowed, false);
        clock.advance(2);
        assert.deepEqual(await transfer.checkAddress(address), { allowed: true });
        assert.ok(!(await transfer.listBans()).some((b) => b.address === address), 'expired bans are not listed');
      });

      it('counts failures per account too: many addresses guessing one account get banned', async () => {
        const transfer = service();
        await transfer.create({ username: 'popular', password }, 'test');
        const addresses = Array.from({ length: 5 }, nextAddress);
        for (const address of addresses) await transfer.authenticatePassword('popular', 'wrong password!!', address);
        assert.deepEqual(await transfer.checkAddress(addresses[4]!), { allowed: false, reason: 'banned' });
        assert.deepEqual(await transfer.checkAddress(addresses[0]!), { allowed: true }, 'earlier addresses failed only once each');
        const [ban] = (await transfer.listBans()).filter((b) => b.address === addresses[4]);
        assert.match(ban?.reason ?? '', /5 failed logins for account popular/);
      });

      it('bans are in the database: another service instance (another node) sees them', async () => {
        const address = nextAddress();
        const nodeA = service(testClock(), { threshold: 1 });
        await nodeA.authenticatePassword('ghost', 'wrong password!!', address);
        assert.deepEqual(await service().checkAddress(address), { allowed: false, reason: 'banned' });
      });
    });

    describe('allowed networks', () => {
      it('lets in only addresses inside the account networks, IPv4 and IPv6; an empty list lets in any', async () => {
        const transfer = service(testClock(), { threshold: 1000 });
        await transfer.create({ username: 'office', password, allowedNetworks: ['10.0.0.0/8', '2001:db8::/32'] }, 'test');
        await transfer.create({ username: 'anywhere', password }, 'test');
        assert.equal((await transfer.authenticatePassword('office', password, '10.1.2.3')).ok, true);
        assert.equal((await transfer.authenticatePassword('office', password, '::ffff:10.1.2.3')).ok, true);
        assert.equal((await transfer.authenticatePassword('office', password, '2001:db8:5::7')).ok, true);
        assert.deepEqual(await transfer.authenticatePassword('office', password, '192.0.2.1'), { ok: false });
        assert.deepEqual(await transfer.authenticatePassword('office', password, '2001:db9::1'), { ok: false });
        assert.equal((await transfer.authenticatePassword('anywhere', password, '192.0.2.1')).ok, true);

        const office = await transfer.get('office');
        assert.equal(transfer.accountNetworksAllow(office, '10.200.0.1'), true);
        assert.equal(transfer.accountNetworksAllow(office, '172.16.0.1'), false);
        const refused = (await events(transfer, 'office')).filter((e) => e.event === 'login_failed');
        assert.deepEqual(refused.map((e) => e.detail?.reason), ['network_not_allowed', 'network_not_allowed']);
      });
    });

    describe('audit and last login', () => {
      it('records every login with address and method: failures at once, the session start through recordLogin', async () => {
        const transfer = service();
        const ed = sharedTestKey('ed25519');
        await transfer.create({ username: 'audited', password, sshKeys: [ed.line] }, 'test');
        const address = nextAddress();
        await transfer.authenticatePassword('audited', 'wrong password!!', `::ffff:${address}`);
        const result = await transfer.authenticatePublicKey('audited', ed.offered, address, signed);
        assert.ok(result.ok);
        await transfer.recordLogin(result.account, address, 'publickey', { fingerprint: result.keyFingerprint ?? null });
        await transfer.audit({ event: 'upload', username: 'audited', accountId: result.account.id, address, detail: { path: '/Incoming/CCW/a.csv', bytes: 10 } });

        const trail = (await events(transfer, 'audited')).filter((e) => e.event !== 'account_created');
        assert.deepEqual(
          trail.map((e) => [e.event, e.outcome, e.address, e.method]),
          [
            ['login_failed', 'failure', address, 'password'],
            ['login', 'success', address, 'publickey'],
            ['upload', 'success', address, null],
          ],
        );
        assert.equal(trail[1]?.detail?.fingerprint, result.keyFingerprint);
        assert.deepEqual(trail[2]?.detail, { path: '/Incoming/CCW/a.csv', bytes: 10 });
        const account = await transfer.get('audited');
        assert.equal(account.lastLoginAddress, address);
        assert.ok(account.lastLoginAt instanceof Date);
      });

      it('never stores a password in the audit trail or the failure counts', async () => {
        const transfer = service();
        const secret = 'do-not-store-this-secret';
        await transfer.authenticatePassword('leak-check', secret, nextAddress());
        const rows = [
          ...(await db.kysely.selectFrom('transfer_audit_events').selectAll().execute()),
          ...(await db.kysely.selectFrom('transfer_login_failures').selectAll().execute()),
        ];
        assert.ok(!JSON.stringify(rows).includes(secret));
      });
    });
  });
}
