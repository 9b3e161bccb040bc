import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import ssh2 from 'ssh2';
import { dialects } from '../support/databases.ts';
import { connectSsh2, makeKey, PASSWORD, sftpCall, startSftpHarness, statusOf, type SftpHarness, type Ssh2Session } from './support.ts';

const { STATUS_CODE, OPEN_MODE } = ssh2.utils.sftp;
const sha = (data: Buffer) => crypto.createHash('sha256').update(data).digest('hex');
const password = (username: string, localAddress = '127.0.0.1', secret = PASSWORD) => ({ username, password: secret, localAddress });

async function loginFails(port: number, config: Parameters<typeof connectSsh2>[0]): Promise<string> {
  try {
    const session = await connectSsh2({ port, ...config });
    session.end();
    return 'logged in';
  } catch (error) {
    return (error as Error).message;
  }
}

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

for (const dialect of dialects()) {
  describe(`ssh2 client against workgate serve on ${dialect.name}`, { skip: dialect.skip }, () => {
    let harness: SftpHarness;
    let alice: Ssh2Session;
    const key = makeKey('ed25519');

    before(async () => {
      harness = await startSftpHarness({ dialect });
      await harness.createAccount({ username: 'alice', 'auth-policy': 'password', folders: ['CCW', 'Users'] });
      alice = await connectSsh2({ port: harness.port, ...password('alice') });
    });
    after(async () => {
      alice?.end();
      await harness.close();
    });

    it('uploads and downloads with password authentication, with 256 KiB writes advertised by limits@openssh.com', async () => {
      const internals = alice.sftp as unknown as { _maxWriteLen: number; _maxReadLen: number; maxOpenHandles: number };
      assert.deepEqual([internals._maxWriteLen, internals._maxReadLen, internals.maxOpenHandles], [256 * 1024, 255 * 1024, 256]);
      const data = crypto.randomBytes(2 * 1024 * 1024 + 5);
      await sftpCall<void>((cb) => alice.sftp.writeFile('/Incoming/CCW/data.csv', data, cb));
      const file = harness.received.at(-1)!;
      assert.deepEqual([file.name, file.size, file.sha256], ['data.csv', data.length, sha(data)]);
      const accountId = (await harness.api('GET', '/api/admin/sftp-accounts/alice')).body.id as number;
      await harness.workgate.files.writeOutgoing(accountId, 'CCW', 'back.csv', data);
      const back = await sftpCall<Buffer>((cb) => alice.sftp.readFile('/Outgoing/CCW/back.csv', cb));
      assert.equal(sha(back), sha(data));
      assert.equal(await sftpCall<string>((cb) => alice.sftp.realpath('.', cb)), '/');
      assert.equal(await sftpCall<string>((cb) => alice.sftp.realpath('Incoming/CCW/../Users', cb)), '/Incoming/Users');
    });

    it('refuses every path trick with permission denied and audits it as path_refused', async () => {
      const s = alice.sftp;
      const refusedBefore = (await harness.auditEvents('alice')).filter((e) => e.event === 'path_refused').length;
      const tricks: Array<[string, () => Promise<unknown>]> = [
        ['../ above the root', () => sftpCall((cb) => s.stat('../etc/passwd', cb))],
        ['/../.. above the root', () => sftpCall((cb) => s.open('/../../etc/passwd', 'r', cb))],
        ['host path', () => sftpCall((cb) => s.stat('/etc/passwd', cb))],
        ['host directory', () => sftpCall((cb) => s.readdir('/etc', cb))],
        ['sibling prefix', () => sftpCall((cb) => s.open('/Incoming/CCWx/a.csv', 'w', cb))],
        ['folder not given', () => sftpCall((cb) => s.readdir('/Incoming/Accounts', cb))],
        ['backslashes', () => sftpCall((cb) => s.stat('\\..\\..\\etc\\passwd', cb))],
        ['backslash inside', () => sftpCall((cb) => s.open('/Incoming/CCW\\..\\..\\..\\etc\\passwd', 'r', cb))],
        ['NUL', () => sftpCall((cb) => s.open('/Incoming/CCW/a.csv\u0000.txt', 'w', cb))],
        ['control character', () => sftpCall((cb) => s.open('/Incoming/CCW/a\u0007.csv', 'w', cb))],
        ['name over 255 bytes', () => sftpCall((cb) => s.open(`/Incoming/CCW/${'n'.repeat(256)}`, 'w', cb))],
        ['path over 1024 bytes', () => sftpCall((cb) => s.stat(`/Incoming/CCW/${'./'.repeat(510)}x`, cb))],
        ['subdirectory', () => sftpCall((cb) => s.open('/Incoming/CCW/sub/a.csv', 'w', cb))],
        ['mkdir', () => sftpCall((cb) => s.mkdir('/Incoming/CCW/sub', cb))],
        ['rmdir', () => sftpCall((cb) => s.rmdir('/Incoming/CCW', cb))],
        ['symlink', () => sftpCall((cb) => s.symlink('/etc/passwd', '/Incoming/CCW/link', cb))],
        ['readlink', () => sftpCall((cb) => s.readlink('/Incoming/CCW/data.csv', cb))],
        ['write into Outgoing', () => sftpCall((cb) => s.open('/Outgoing/CCW/x.csv', 'w', cb))],
        ['write into Archive', () => sftpCall((cb) => s.open('/Archive/Incoming/CCW/x.csv', 'w', cb))],
        ['write at the root', () => sftpCall((cb) => s.open('/x.csv', 'w', cb))],
        ['rename out of the folder', () => sftpCall((cb) => s.rename('/Incoming/CCW/data.csv', '/Outgoing/CCW/data.csv', cb))],
        ['setstat of the mode', () => sftpCall((cb) => s.setstat('/Incoming/CCW/data.csv', { mode: 0o777 }, cb))],
        ['read in Incoming', () => sftpCall((cb) => s.open('/Incoming/CCW/data.csv', 'r', cb))],
      ];
      for (const [name, request] of tricks) assert.equal(await statusOf(request()), STATUS_CODE.PERMISSION_DENIED, name);
      const refused = (await harness.auditEvents('alice')).filter((e) => e.event === 'path_refused');
      assert.equal(refused.length - refusedBefore, tricks.length);
      assert.ok(refused.every((e) => typeof e.detail?.reason === 'string'));
      assert.deepEqual((await sftpCall<Array<{ filename: string }>>((cb) => s.readdir('/', cb))).map((e) => e.filename).sort(), ['Archive', 'Incoming', 'Outgoing']);
    });

    it('refuses a wrong password, an unknown user, a revoked key and a disabled account', async () => {
      await harness.createAccount({ username: 'bob', 'ssh-keys': [key.publicLine], 'auth-policy': 'publickey' });
      await harness.createAccount({ username: 'carol', 'auth-policy': 'password' });
      const bobWithKey = { username: 'bob', privateKey: key.privateKey, localAddress: '127.0.0.2' };
      (await connectSsh2({ port: harness.port, ...bobWithKey })).end();
      const fingerprint = (await harness.api('GET', '/api/admin/sftp-accounts/bob/keys')).body[0].fingerprint as string;
      assert.equal((await harness.api('DELETE', `/api/admin/sftp-accounts/bob/keys/${encodeURIComponent(fingerprint)}`)).status, 204);
      assert.equal((await harness.api('POST', '/api/admin/sftp-accounts/carol/disable')).status, 200);
      assert.match(await loginFails(harness.port, password('alice', '127.0.0.2', 'not the password')), /authentication methods failed/);
      assert.match(await loginFails(harness.port, password('nobody', '127.0.0.2')), /authentication methods failed/);
      assert.match(await loginFails(harness.port, bobWithKey), /authentication methods failed/);
      assert.match(await loginFails(harness.port, password('carol', '127.0.0.2')), /authentication methods failed/);
      const reasons = (await harness.auditEvents('carol')).filter((e) => e.event === 'login_failed').map((e) => e.detail?.reason);
      assert.deepEqual(reasons, ['disabled']);
    });

    it("refuses a login from outside the account's allowed networks", async () => {
      await harness.createAccount({ username: 'gina', 'auth-policy': 'password', 'allowed-networks': ['127.0.0.6/32'] });
      assert.equal(await loginFails(harness.port, password('gina', '127.0.0.6')), 'logged in');
      assert.match(await loginFails(harness.port, password('gina', '127.0.0.7')), /authentication methods failed/);
      const refused = (await harness.auditEvents('gina')).filter((e) => e.event === 'login_failed').map((e) => e.detail?.reason);
      assert.deepEqual(refused, ['network_not_allowed']);
    });

    it('logs in with a key then a password for the publickey+password policy, and not with either alone', async () => {
      await harness.createAccount({ username: 'frank', 'ssh-keys': [key.publicLine], 'auth-policy': 'publickey+password' });
      const both = await connectSsh2({ port: harness.port, username: 'frank', privateKey: key.privateKey, password: PASSWORD, authHandler: ['publickey', 'password'], localAddress: '127.0.0.5' });
      both.end();
      assert.match(await loginFails(harness.port, { username: 'frank', privateKey: key.privateKey, authHandler: ['publickey'], localAddress: '127.0.0.5' }), /authentication methods failed/);
      assert.match(await loginFails(harness.port, { username: 'frank', password: PASSWORD, authHandler: ['password'], localAddress: '127.0.0.5' }), /authentication methods failed/);
      const logins = (await harness.auditEvents('frank')).filter((e) => e.event === 'login');
      assert.ok(logins.some((e) => e.outcome === 'success' && e.method === 'publickey+password'));
    });

    it('bans an address after repeated failures: even the right password fails, new connections are dropped', async () => {
      for (let i = 0; i < 5; i++) await loginFails(harness.port, password('alice', '127.0.0.3', 'wrong'));
      assert.match(await loginFails(harness.port, password('alice', '127.0.0.3')), /authentication methods failed|ECONNRESET|Connection lost|Timed out/i);
      const bans = await harness.api('GET', '/api/admin/sftp-bans');
      assert.ok((bans.body as Array<{ address: string }>).some((b) => b.address === '127.0.0.3'));
      assert.match(await loginFails(harness.port, password('alice', '127.0.0.3')), /ECONNRESET|Connection lost|Timed out/i);
      assert.equal(await loginFails(harness.port, password('alice', '127.0.0.4')), 'logged in');
    });

    it('refuses a sixth concurrent session and audits it; the sessions API lists the five', async () => {
      await harness.createAccount({ username: 'dave', 'auth-policy': 'password', 'max-sessions': 5 });
      const sessions = await Promise.all(Array.from({ length: 5 }, () => connectSsh2({ port: harness.port, ...password('dave') })));
      try {
        assert.match(await loginFails(harness.port, password('dave')), /authentication methods failed/);
        assert.ok((await harness.auditEvents('dave')).some((e) => e.event === 'session_limit' && e.outcome === 'refused'));
        await sftpCall<void>((cb) => sessions[0]!.sftp.writeFile('/Incoming/CCW/one.csv', Buffer.alloc(1000, 1), cb));
        const listed = await harness.api('GET', '/api/admin/sftp-accounts/dave/sessions');
        assert.equal(listed.status, 200);
        assert.equal(listed.body.length, 5);
        assert.ok(listed.body.some((s: { 'bytes-in': number }) => s['bytes-in'] === 1000));
        assert.equal(listed.body[0].address, '127.0.0.1');
        const everyone = await harness.api('GET', '/api/admin/sftp-sessions');
        assert.equal(everyone.status, 200);
        assert.deepEqual(
          everyone.body.filter((s: { username: string }) => s.username === 'dave').length,
          5,
          'the sessions of every account, each with its account',
        );
        assert.equal(everyone.body[0].node, `${os.hostname()}:${harness.port}`, 'each session names the node holding it');
      } finally {
        for (const session of sessions) session.end();
      }
      await until(async () => (await harness.api('GET', '/api/admin/sftp-accounts/dave/sessions')).body.length === 0, 'sessions to end');
      (await connectSsh2({ port: harness.port, ...password('dave') })).end();
      assert.equal((await harness.api('GET', '/api/admin/sftp-accounts/nobody/sessions')).status, 404);
      const anonymous = await fetch(`${harness.httpUrl}/api/admin/sftp-host-keys`);
      assert.equal(anonymous.status, 401);
    });

    it('fails an upload over the quota with an SFTP error and leaves nothing', async () => {
      await harness.createAccount({ username: 'erin', 'auth-policy': 'password', 'quota-bytes': 100_000 });
      const erin = await connectSsh2({ port: harness.port, ...password('erin') });
      try {
        const before = harness.received.length;
        const status = await statusOf(sftpCall<void>((cb) => erin.sftp.writeFile('/Incoming/CCW/big.csv', crypto.randomBytes(150_000), cb)));
        assert.equal(status, STATUS_CODE.FAILURE);
        assert.equal(harness.received.length, before);
        assert.deepEqual(await sftpCall<unknown[]>((cb) => erin.sftp.readdir('/Incoming/CCW', cb)), []);
        assert.deepEqual(fs.readdirSync(path.join(harness.dataDir, 'files', 'uploading')), []);
        assert.ok((await harness.auditEvents('erin')).some((e) => e.event === 'quota_exceeded'));
        await sftpCall<void>((cb) => erin.sftp.writeFile('/Incoming/CCW/small.csv', Buffer.alloc(50_000, 1), cb));
        assert.equal(harness.received.length, before + 1);
      } finally {
        erin.end();
      }
    });

    it('leaves no received record and no partial file when the client disconnects mid-upload', async () => {
      const session = await connectSsh2({ port: harness.port, ...password('alice') });
      const before = harness.received.length;
      const handle = await sftpCall<Buffer>((cb) => session.sftp.open('/Incoming/CCW/cut.csv', OPEN_MODE.WRITE | OPEN_MODE.CREAT | OPEN_MODE.TRUNC, cb));
      for (let i = 0; i < 8; i++) await sftpCall<void>((cb) => session.sftp.write(handle, Buffer.alloc(65_536, i), 0, 65_536, i * 65_536, cb));
      (session.client as unknown as { _sock: { destroy(): void } })._sock.destroy();
      const uploading = path.join(harness.dataDir, 'files', 'uploading');
      await until(() => fs.readdirSync(uploading).length === 0, 'the partial upload to be removed');
      assert.equal(harness.received.length, before);
      const listing = await sftpCall<Array<{ filename: string }>>((cb) => alice.sftp.readdir('/Incoming/CCW', cb));
      assert.ok(!listing.some((e) => e.filename === 'cut.csv'));
    });

    it('survives a malformed SFTP packet: only that channel closes', async () => {
      const session = await connectSsh2({ port: harness.port, ...password('alice') });
      const channel = await new Promise<ssh2.ClientChannel>((resolve, reject) => session.client.subsys('sftp', (error, stream) => (error ? reject(error) : resolve(stream))));
      const closed = new Promise<void>((resolve) => channel.on('close', () => resolve()));
      channel.resume();
      channel.write(Buffer.from([0, 0, 0, 5, 1, 0, 0, 0, 3]));
      channel.write(Buffer.from([0x7f, 0xff, 0xff, 0xff, 3]));
      await closed;
      const again = await sftpCall<ssh2.SFTPWrapper>((cb) => session.client.sftp(cb));
      assert.equal(await sftpCall<string>((cb) => again.realpath('.', cb)), '/');
      session.end();
      assert.equal(await loginFails(harness.port, password('alice')), 'logged in');
    });

    it('pages a folder of 10,000 files to the end', async () => {
      const dir = await harness.accountDir('alice', 'Outgoing', 'Users');
      fs.mkdirSync(dir, { recursive: true });
      for (let i = 0; i < 10_000; i++) fs.writeFileSync(path.join(dir, `result-${String(i).padStart(5, '0')}.csv`), '');
      const listing = await sftpCall<Array<{ filename: string }>>((cb) => alice.sftp.readdir('/Outgoing/Users', cb));
      assert.equal(listing.length, 10_000);
      assert.equal(new Set(listing.map((e) => e.filename)).size, 10_000);
    });

    it('reports in /healthz whether ssh2 uses its native crypto binding', async () => {
      const health = (await (await fetch(`${harness.httpUrl}/healthz`)).json()) as { sftp: { role: string; port: number; 'native-crypto': boolean } };
      assert.deepEqual(health.sftp, { role: 'running', port: harness.port, 'native-crypto': true });
    });
  });
}
