import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeKey, openSshSftp, run, startSftpHarness, tool, type SftpHarness } from './support.ts';

const sftp = tool('sftp', 'openssh-client');
const sha = (data: Buffer) => crypto.createHash('sha256').update(data).digest('hex');

describe('OpenSSH sftp against workgate serve', { skip: sftp.skip }, () => {
  let harness: SftpHarness;
  let work: string;
  const key = makeKey('ed25519');

  before(async () => {
    harness = await startSftpHarness();
    await harness.createAccount({ username: 'acme', 'ssh-keys': [key.publicLine], 'auth-policy': 'publickey', folders: ['CCW', 'Users'] });
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'workgate-openssh-'));
  });
  after(async () => {
    await harness.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('puts, lists, renames, removes, gets, and is refused a put into Outgoing, in batch mode with a key', async () => {
    const data = crypto.randomBytes(3 * 1024 * 1024 + 17);
    fs.writeFileSync(path.join(work, 'users.csv'), data);
    fs.writeFileSync(path.join(work, 'small.csv'), 'a,b\n');
    await harness.workgate.files.writeOutgoing((await harness.api('GET', '/api/admin/sftp-accounts/acme')).body.id, 'CCW', 'result.csv', Buffer.from('Line,Key\n'));
    const batch = [
      'pwd',
      'cd /Incoming/CCW',
      'put users.csv',
      'put small.csv small.csv.filepart',
      'rename small.csv.filepart small.csv',
      'put small.csv scratch.part',
      'rm scratch.part',
      'ls -l',
      'get /Outgoing/CCW/result.csv result.csv',
      'rm /Outgoing/CCW/result.csv',
      'ls /Archive/Incoming/Users',
      '-put small.csv /Outgoing/CCW/small.csv',
      '-rm users.csv',
      'cd /',
      'ls',
    ].join('\n');
    const result = await openSshSftp(harness.port, 'acme', key.file, `${batch}\n`, [], work);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Remote working directory: \//);
    assert.match(result.stdout, /-r--r--r--.* 3145745 .* users\.csv/);
    assert.match(result.stdout, /small\.csv\n/);
    assert.doesNotMatch(result.stdout, /^-.* scratch\.part$/m);
    assert.match(result.stdout, /Archive\s+Incoming\s+Outgoing/);
    assert.match(result.stderr, /dest open "\/Outgoing\/CCW\/small\.csv": Permission denied/);
    assert.match(result.stderr, /remote delete \/Incoming\/CCW\/users\.csv: Permission denied/);
    assert.equal(fs.readFileSync(path.join(work, 'result.csv'), 'utf8'), 'Line,Key\n');
    const users = harness.received.find((f) => f.name === 'users.csv')!;
    assert.deepEqual([users.folder, users.size, users.sha256], ['CCW', data.length, sha(data)]);
    assert.deepEqual(harness.received.map((f) => f.name).sort(), ['small.csv', 'users.csv']);
    const events = (await harness.auditEvents('acme')).map((e) => `${e.event}:${e.outcome}`);
    for (const expected of ['login:success', 'upload:success', 'rename:success', 'delete:success', 'download:success', 'path_refused:refused']) {
      assert.ok(events.includes(expected), `${expected} in ${events.join(' ')}`);
    }
  });

  it('moves a 72 MiB file up and down: the record holds sha256sum\'s digest, the download is identical', async () => {
    const size = 72 * 1024 * 1024 + 4099;
    const local = path.join(work, 'big.csv');
    fs.writeFileSync(local, crypto.randomBytes(size));
    const accountId = (await harness.api('GET', '/api/admin/sftp-accounts/acme')).body.id as number;
    await harness.workgate.files.writeOutgoing(accountId, 'CCW', 'big-result.csv', fs.createReadStream(local));
    const batch = ['put big.csv /Incoming/Users/big.csv', 'get /Outgoing/CCW/big-result.csv back.csv'].join('\n');
    const result = await openSshSftp(harness.port, 'acme', key.file, `${batch}\n`, [], work);
    assert.equal(result.code, 0, result.stderr);
    const digest = (await run('sha256sum', [local])).stdout.split(' ')[0];
    const record = harness.received.find((f) => f.name === 'big.csv')!;
    assert.deepEqual([record.folder, record.size, record.sha256], ['Users', size, digest]);
    assert.equal((await run('sha256sum', [path.join(work, 'back.csv')])).stdout.split(' ')[0], digest);
  });

  it('shows the host key fingerprints the admin API and the CLI give', async () => {
    const keyscan = await run('ssh-keyscan', ['-p', String(harness.port), '-t', 'ed25519,rsa', '127.0.0.1']);
    const fingerprints = await run('ssh-keygen', ['-l', '-f', '-'], { input: keyscan.stdout });
    const api = await harness.api('GET', '/api/admin/sftp-host-keys');
    assert.equal(api.status, 200);
    const listed = (api.body as Array<{ type: string; bits: number; fingerprint: string }>).map((k) => k.fingerprint).sort();
    const seen = [...fingerprints.stdout.matchAll(/SHA256:\S+/g)].map((m) => m[0]).sort();
    assert.deepEqual(seen, listed);
    assert.deepEqual((api.body as Array<{ type: string; bits: number }>).map((k) => `${k.type}/${k.bits}`), ['ssh-ed25519/256', 'ssh-rsa/3072']);
    const cli = await run(process.execPath, ['src/cli.ts', 'accounts', 'host-keys'], { env: { WORKGATE_DATA_DIR: harness.dataDir } });
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepEqual([...cli.stdout.matchAll(/SHA256:\S+/g)].map((m) => m[0]).sort(), listed);
    for (const name of ['ssh_host_ed25519_key', 'ssh_host_rsa_key']) assert.equal(fs.statSync(path.join(harness.dataDir, 'sftp', name)).mode & 0o777, 0o600);
  });

  it('refuses a client that offers only old algorithms', async () => {
    const legacy = [
      ['-o', 'KexAlgorithms=diffie-hellman-group14-sha1,diffie-hellman-group1-sha1,diffie-hellman-group-exchange-sha1'],
      ['-o', 'HostKeyAlgorithms=ssh-rsa,ssh-dss'],
      ['-o', 'Ciphers=aes128-cbc,aes256-cbc,3des-cbc'],
      ['-o', 'Ciphers=aes128-ctr', '-o', 'MACs=hmac-sha1,hmac-md5'],
    ];
    for (const options of legacy) {
      const result = await openSshSftp(harness.port, 'acme', key.file, 'ls /\n', options);
      assert.notEqual(result.code, 0, options.join(' '));
      assert.match(result.stderr, /no matching|Connection closed|kex_exchange_identification|Unable to negotiate|bad/i, options.join(' '));
    }
    const modern = await openSshSftp(harness.port, 'acme', key.file, 'ls /\n', ['-o', 'KexAlgorithms=curve25519-sha256', '-o', 'Ciphers=chacha20-poly1305@openssh.com']);
    assert.equal(modern.code, 0, modern.stderr);
  });

  it('refuses an RSA key signing with SHA-1 (ssh-rsa), accepts it with rsa-sha2-512', async () => {
    const rsa = makeKey('rsa');
    await harness.createAccount({ username: 'rsa-user', 'ssh-keys': [rsa.publicLine], 'auth-policy': 'publickey' });
    const sha1 = await openSshSftp(harness.port, 'rsa-user', rsa.file, 'ls /\n', ['-o', 'PubkeyAcceptedAlgorithms=ssh-rsa']);
    assert.notEqual(sha1.code, 0);
    const sha2 = await openSshSftp(harness.port, 'rsa-user', rsa.file, 'ls /\n', ['-o', 'PubkeyAcceptedAlgorithms=rsa-sha2-512']);
    assert.equal(sha2.code, 0, sha2.stderr);
  });
});
