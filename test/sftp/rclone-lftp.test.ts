import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeKey, run, startSftpHarness, tool, type SftpHarness } from './support.ts';

const rclone = tool('rclone', 'rclone');
const lftp = tool('lftp', 'lftp');
const ssh = tool('ssh', 'openssh-client');
const sha = (data: Buffer) => crypto.createHash('sha256').update(data).digest('hex');

describe('other real clients against workgate serve', () => {
  let harness: SftpHarness;
  let work: string;
  let accountId: number;
  const key = makeKey('ed25519');

  before(async () => {
    harness = await startSftpHarness();
    await harness.createAccount({ username: 'acme', 'ssh-keys': [key.publicLine], 'auth-policy': 'password-or-publickey', folders: ['CCW', 'Users'] });
    accountId = (await harness.api('GET', '/api/admin/sftp-accounts/acme')).body.id;
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'workgate-clients-'));
  });
  after(async () => {
    await harness.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it("rclone's sftp backend uploads, lists, downloads and deletes; an upload into Outgoing fails", { skip: rclone.skip }, async () => {
    const hostKeys = (await harness.api('GET', '/api/admin/sftp-host-keys')).body as Array<{ 'public-key': string }>;
    const knownHosts = path.join(work, 'known_hosts');
    fs.writeFileSync(knownHosts, hostKeys.map((k) => `[127.0.0.1]:${harness.port} ${k['public-key']}\n`).join(''));
    const remote = `:sftp,host=127.0.0.1,port=${harness.port},user=acme,key_file=${key.file},shell_type=none,disable_hashcheck=true,known_hosts_file=${knownHosts}:`;
    const rc = (...args: string[]) => run('rclone', ['--config', '/dev/null', '--retries', '1', '--low-level-retries', '1', ...args], { timeoutMs: 60_000 });
    const data = crypto.randomBytes(1_500_000);
    fs.writeFileSync(path.join(work, 'accounts.csv'), data);
    const up = await rc('copyto', path.join(work, 'accounts.csv'), `${remote}/Incoming/Users/accounts.csv`);
    assert.equal(up.code, 0, up.stderr);
    const file = harness.received.find((f) => f.name === 'accounts.csv')!;
    assert.deepEqual([file.folder, file.size, file.sha256], ['Users', data.length, sha(data)]);
    const listed = await rc('lsf', `${remote}/Incoming/Users`);
    assert.equal(listed.stdout, 'accounts.csv\n', listed.stderr);
    assert.equal((await rc('lsf', `${remote}/`)).stdout, 'Archive/\nIncoming/\nOutgoing/\n');
    await harness.workgate.files.writeOutgoing(accountId, 'Users', 'accounts.csv.result.csv', data);
    const down = await rc('copyto', `${remote}/Outgoing/Users/accounts.csv.result.csv`, path.join(work, 'result.csv'));
    assert.equal(down.code, 0, down.stderr);
    assert.equal(sha(fs.readFileSync(path.join(work, 'result.csv'))), sha(data));
    assert.equal((await rc('deletefile', `${remote}/Outgoing/Users/accounts.csv.result.csv`)).code, 0);
    assert.equal((await rc('lsf', `${remote}/Outgoing/Users`)).stdout, '');
    const refused = await rc('copyto', path.join(work, 'accounts.csv'), `${remote}/Outgoing/Users/x.csv`);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /permission denied/i);
  });

  it('lftp puts under a temporary name, renames, lists, gets and removes; a put into Outgoing fails', { skip: lftp.skip ?? ssh.skip }, async () => {
    const data = crypto.randomBytes(700_000);
    fs.writeFileSync(path.join(work, 'ccw.csv'), data);
    await harness.workgate.files.writeOutgoing(accountId, 'CCW', 'ccw.csv.result.csv', Buffer.from('Line,Key,Outcome,Message\n'));
    const connect = `ssh -a -x -i ${key.file} -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o IdentitiesOnly=yes -o LogLevel=ERROR`;
    const script = [
      `set sftp:connect-program "${connect}"`,
      'set net:max-retries 1',
      'set net:timeout 15',
      'set cmd:fail-exit no',
      `open -u acme, -p ${harness.port} sftp://127.0.0.1`,
      'cd /Incoming/CCW',
      'put ccw.csv -o ccw.csv.part',
      'mv ccw.csv.part ccw.csv',
      'cls -1',
      'get /Outgoing/CCW/ccw.csv.result.csv -o lftp-result.csv',
      'rm /Outgoing/CCW/ccw.csv.result.csv',
      'put ccw.csv -o /Outgoing/CCW/nope.csv',
      'cls -1 /Outgoing/CCW',
      'bye',
    ].join('; ');
    const result = await run('lftp', ['-c', script], { cwd: work, timeoutMs: 60_000 });
    assert.match(result.stdout, /^ccw\.csv$/m, result.stderr);
    assert.match(result.stderr, /(Access failed|permission denied).*nope\.csv/i);
    assert.doesNotMatch(result.stdout, /nope\.csv|result\.csv/);
    assert.equal(fs.readFileSync(path.join(work, 'lftp-result.csv'), 'utf8'), 'Line,Key,Outcome,Message\n');
    const file = harness.received.find((f) => f.name === 'ccw.csv')!;
    assert.deepEqual([file.folder, file.sha256], ['CCW', sha(data)]);
  });
});
