import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dialects } from '../../test/support/databases.ts';
import type { Db } from '../db/index.ts';
import { NotFoundError, ValidationError } from '../shared/errors.ts';
import { createTransferAccounts, type TransferAccounts } from './accounts.service.ts';
import { feedFolders } from './folders.ts';
import { sharedTestKey, silentLog, testClock } from './test-support.ts';

const password = 'correct horse battery staple';

/** Runs `work`, expecting a ValidationError under sftp-account; returns its messages. */
async function problems(work: Promise<unknown>): Promise<string[]> {
  let messages: string[] = [];
  await assert.rejects(work, (error: unknown) => {
    assert.ok(error instanceof ValidationError, `expected ValidationError, got ${String(error)}`);
    assert.equal(error.resource, 'sftp-account');
    messages = error.problems.map((p) => p.message);
    return true;
  });
  return messages;
}

for (const dialect of dialects()) {
  describe(`SFTP accounts service on ${dialect.name}`, { skip: dialect.skip }, () => {
    let db: Db;
    let drop: () => Promise<void>;
    let transfer: TransferAccounts;
    before(async () => {
      ({ db, drop } = await dialect.create());
      transfer = createTransferAccounts({ db, clock: testClock().now, log: silentLog });
    });
    after(async () => drop?.());

    describe('create', () => {
      it('stores the name lower-case, all folders and 5 sessions by default, and only an argon2id hash', async () => {
        const { account, generatedPassword } = await transfer.create({ username: 'Acme.Upload', password }, 'admin');
        assert.equal(generatedPassword, undefined);
        assert.equal(account.username, 'acme.upload');
        assert.deepEqual(account.folders, [...feedFolders]);
        assert.equal(account.maxSessions, 5);
        assert.equal(account.quotaBytes, null);
        assert.deepEqual(account.allowedNetworks, []);
        assert.equal(account.authPolicy, 'password');
        assert.equal(account.inputEncoding, 'utf-8');
        assert.equal(account.disabled, false);
        assert.equal(account.hasPassword, true);
        assert.equal(account.createdBy, 'admin');
        assert.ok(!('passwordHash' in account) && !JSON.stringify(account).includes('argon2'));
        const row = await db.kysely.selectFrom('transfer_accounts').selectAll().where('username', '=', 'acme.upload').executeTakeFirstOrThrow();
        assert.match(row.password_hash ?? '', /^\$argon2id\$v=19\$/);
        assert.ok(!JSON.stringify(row).includes(password));
        assert.deepEqual(JSON.parse(row.folders).slice(0, 2), ['/Incoming/CCW', '/Outgoing/CCW'], 'stored as virtual folder paths');
      });

      it('refuses a second account whose name differs only in case', async () => {
        await transfer.create({ username: 'dupe', password }, 'admin');
        assert.deepEqual(await problems(transfer.create({ username: 'DUPE', password }, 'admin')), ['Username "dupe" has already been taken']);
      });

      it('generates a password where the policy needs one and none was given, and returns it once', async () => {
        const { account, generatedPassword } = await transfer.create({ username: 'generated' }, 'admin');
        assert.match(generatedPassword ?? '', /^[A-Za-z0-9_-]{24}$/);
        assert.equal(account.hasPassword, true);
        assert.ok(!JSON.stringify(await transfer.get('generated')).includes(generatedPassword!));
        assert.equal((await transfer.authenticatePassword('generated', generatedPassword!, '192.0.2.1')).ok, true);
      });

      it('takes keys alone as the publickey policy, with no password', async () => {
        const ed = sharedTestKey('ed25519');
        const { account, generatedPassword } = await transfer.create({ username: 'keys-only', sshKeys: [ed.line] }, 'admin');
        assert.equal(generatedPassword, undefined);
        assert.equal(account.authPolicy, 'publickey');
        assert.equal(account.hasPassword, false);
        assert.deepEqual(
          account.sshKeys.map((k) => [k.type, k.bits, k.comment]),
          [['ssh-ed25519', 256, 'test-ed25519']],
        );
      });

      it('checks every rule at once and names what is wrong', async () => {
        const messages = await problems(
          transfer.create(
            {
              username: '-bad name',
              password: 'short',
              folders: ['CCW', 'Invoices'],
              maxSessions: 0,
              quotaBytes: -1,
              allowedNetworks: ['10.0.0.0/33'],
              authPolicy: 'telepathy',
              inputEncoding: 'ebcdic',
            },
            'admin',
          ),
        );
        assert.deepEqual(messages, [
          'Username "-bad name" may only hold a-z, 0-9, ".", "_" and "-", and must start with a letter or digit',
          'Password is too short (minimum is 12 characters, got 5)',
          'Auth policy "telepathy" is not one of password, publickey, password-or-publickey, publickey+password',
          'Folder "Invoices" is not a feed folder; choose from CCW, Users, AccountTypes, Accounts, LookupValues, Lookups',
          'Max sessions must be a whole number from 1 to 100',
          'Quota bytes must be a whole number of bytes of at least 1, or null for no quota',
          'Allowed network "10.0.0.0/33" has a prefix length outside 0..32',
          'Input encoding "ebcdic" is not one of utf-8, windows-1252, iso-8859-1',
        ]);
      });

      it('refuses a blank or too long name, an empty folder list, the name as password, and a key policy without keys', async () => {
        assert.deepEqual(await problems(transfer.create({ username: ' ', password }, 'admin')), ["Username can't be blank"]);
        assert.deepEqual(await problems(transfer.create({ username: 'a'.repeat(65), password }, 'admin')), ['Username is too long (maximum is 64 characters)']);
        assert.match((await problems(transfer.create({ username: 'nofolders', password, folders: [] }, 'admin')))[0]!, /Folders must name at least one/);
        assert.deepEqual(await problems(transfer.create({ username: 'samesame12345', password: 'SameSame12345' }, 'admin')), ['Password must not be the user name']);
        assert.deepEqual(await problems(transfer.create({ username: 'nokeys', authPolicy: 'publickey' }, 'admin')), ['Auth policy publickey needs at least one SSH key']);
      });

      it('accepts folder names in any case and keeps them in feed order', async () => {
        const { account } = await transfer.create({ username: 'folders', password, folders: ['users', 'CCW', 'ccw'] }, 'admin');
        assert.deepEqual(account.folders, ['CCW', 'Users']);
      });
    });

    describe('update', () => {
      it('changes folders, limits, networks and encoding, and keeps the rest', async () => {
        await transfer.create({ username: 'changing', password }, 'admin');
        const updated = await transfer.update(
          'Changing',
          { folders: ['Lookups'], maxSessions: 2, quotaBytes: 10_000_000_000, allowedNetworks: ['192.0.2.0/24', '2001:DB8::/32'], inputEncoding: 'Windows-1252' },
          'other-admin',
        );
        assert.deepEqual(updated.folders, ['Lookups']);
        assert.equal(updated.maxSessions, 2);
        assert.equal(updated.quotaBytes, 10_000_000_000);
        assert.deepEqual(updated.allowedNetworks, ['192.0.2.0/24', '2001:db8::/32']);
        assert.equal(updated.inputEncoding, 'windows-1252');
        assert.equal(updated.authPolicy, 'password');
        assert.equal(updated.updatedBy, 'other-admin');
        assert.equal((await transfer.update('changing', { quotaBytes: null }, 'admin')).quotaBytes, null);
      });

      it('refuses a policy the account could not log in with', async () => {
        await transfer.create({ username: 'policy-change', password }, 'admin');
        assert.deepEqual(await problems(transfer.update('policy-change', { authPolicy: 'publickey' }, 'admin')), [
          'Auth policy publickey needs at least one SSH key: add one first',
        ]);
        await transfer.addKey('policy-change', sharedTestKey('ed25519').line, 'admin');
        assert.equal((await transfer.update('policy-change', { authPolicy: 'publickey+password' }, 'admin')).authPolicy, 'publickey+password');
        await transfer.create({ username: 'no-password', sshKeys: [sharedTestKey('ed25519').line] }, 'admin');
        assert.deepEqual(await problems(transfer.update('no-password', { authPolicy: 'password' }, 'admin')), [
          'Auth policy password needs a password: reset the password first',
        ]);
      });

      it('is NotFound for an unknown or malformed name', async () => {
        await assert.rejects(transfer.update('nobody', { maxSessions: 1 }, 'admin'), NotFoundError);
        await assert.rejects(transfer.get('../etc/passwd'), NotFoundError);
      });

      it('disables and enables, auditing each with the actor', async () => {
        await transfer.create({ username: 'switch', password }, 'admin');
        assert.equal((await transfer.setDisabled('switch', true, 'ops')).disabled, true);
        assert.equal((await transfer.setDisabled('switch', false, 'ops')).disabled, false);
        const trail = (await transfer.auditEvents({ username: 'switch' })).map((e) => [e.event, e.detail?.actor]);
        assert.deepEqual(trail, [
          ['account_enabled', 'ops'],
          ['account_disabled', 'ops'],
          ['account_created', 'admin'],
        ]);
      });
    });

    describe('passwords', () => {
      it('resets to a given password: the old one stops working', async () => {
        await transfer.create({ username: 'rotating', password }, 'admin');
        assert.deepEqual(await transfer.resetPassword('rotating', 'a brand new passphrase', 'admin'), {});
        assert.deepEqual(await transfer.authenticatePassword('rotating', password, '192.0.2.2'), { ok: false });
        assert.equal((await transfer.authenticatePassword('rotating', 'a brand new passphrase', '192.0.2.2')).ok, true);
      });

      it('generates one when none is given, and refuses a weak one saying why', async () => {
        await transfer.create({ username: 'reset-me', password }, 'admin');
        const { generatedPassword } = await transfer.resetPassword('reset-me', undefined, 'admin');
        assert.match(generatedPassword ?? '', /^[A-Za-z0-9_-]{24}$/);
        assert.equal((await transfer.authenticatePassword('reset-me', generatedPassword!, '192.0.2.3')).ok, true);
        assert.deepEqual(await problems(transfer.resetPassword('reset-me', 'RESET-ME', 'admin')), ['Password is too short (minimum is 12 characters, got 8)']);
        assert.deepEqual(await problems(transfer.resetPassword('reset-me', 'x'.repeat(1025), 'admin')), ['Password is too long (maximum is 1024 characters)']);
      });
    });

    describe('SSH keys', () => {
      it('adds a key with its type, bits, fingerprint and comment; refuses the same key twice and a weak one', async () => {
        await transfer.create({ username: 'keyring', password }, 'admin');
        const ecdsa = sharedTestKey('ecdsa-384');
        const info = await transfer.addKey('keyring', ecdsa.line, 'admin');
        assert.deepEqual([info.type, info.bits, info.comment, info.removedAt], ['ecdsa-sha2-nistp384', 384, 'test-ecdsa-384', null]);
        assert.match(info.fingerprint, /^SHA256:/);
        assert.match((await problems(transfer.addKey('keyring', ecdsa.line, 'admin')))[0]!, /is already on this account/);
        assert.deepEqual(await problems(transfer.addKey('keyring', sharedTestKey('rsa-1024').line, 'admin')), [
          'RSA key of 1024 bits refused: at least 2048 bits are required',
        ]);
        assert.deepEqual((await transfer.listKeys('keyring')).map((k) => k.fingerprint), [info.fingerprint]);
      });

      it('removing marks the key removed, keeps the row, and the key stops authenticating', async () => {
        const ed = sharedTestKey('ed25519');
        await transfer.create({ username: 'revoking', sshKeys: [ed.line] }, 'admin');
        const [key] = await transfer.listKeys('revoking');
        assert.ok(key);
        assert.equal((await transfer.authenticatePublicKey('revoking', ed.offered, '192.0.2.4', { verified: true })).ok, true);
        await transfer.removeKey('revoking', key.fingerprint, 'admin');
        assert.deepEqual(await transfer.listKeys('revoking'), []);
        const all = await transfer.listKeys('revoking', { includeRemoved: true });
        assert.equal(all.length, 1);
        assert.ok(all[0]?.removedAt instanceof Date);
        assert.deepEqual(await transfer.authenticatePublicKey('revoking', ed.offered, '192.0.2.4', { verified: true }), { ok: false });
        await assert.rejects(transfer.removeKey('revoking', key.fingerprint, 'admin'), NotFoundError);
        const re = await transfer.addKey('revoking', ed.line, 'admin');
        assert.equal(re.fingerprint, key.fingerprint, 'a removed key can be added again');
        assert.equal((await transfer.listKeys('revoking', { includeRemoved: true })).length, 2);
      });
    });

    describe('audit events', () => {
      it('pages newest first with limit and before', async () => {
        await transfer.create({ username: 'paged', password }, 'admin');
        for (let i = 0; i < 4; i++) await transfer.audit({ event: 'download', username: 'paged', detail: { n: i } });
        const first = await transfer.auditEvents({ username: 'PAGED', limit: 2 });
        assert.deepEqual(first.map((e) => e.detail?.n), [3, 2]);
        const next = await transfer.auditEvents({ username: 'paged', limit: 2, before: first[1]!.id });
        assert.deepEqual(next.map((e) => e.detail?.n), [1, 0]);
      });
    });
  });
}
