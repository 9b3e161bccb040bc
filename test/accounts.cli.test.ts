import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTransferAccounts, type TransferAccounts } from '../src/transfer/index.ts';
import { sharedTestKey, silentLog } from '../src/transfer/test-support.ts';
import { dialects, type TestDatabase } from './support/databases.ts';

const cli = path.resolve(import.meta.dirname, '../src/cli.ts');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Each command is a process start (about a second): the full set runs on SQLite, the first test on PostgreSQL too. */
for (const dialect of dialects()) {
  describe(`workgate accounts (CLI) on ${dialect.name}`, { skip: dialect.skip }, () => {
    let database: TestDatabase;
    let dataDir: string;
    let transfer: TransferAccounts;
    before(async () => {
      database = await dialect.create();
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'workgate-cli-'));
      transfer = createTransferAccounts({ db: database.db, clock: () => new Date(), log: silentLog });
    });
    after(async () => {
      await database?.drop();
      if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    });

    function workgate(args: string[], stdin = ''): Run {
      const result = spawnSync(process.execPath, [cli, 'accounts', ...args], {
        input: stdin,
        encoding: 'utf8',
        env: { PATH: process.env.PATH, WORKGATE_DATA_DIR: dataDir, WORKGATE_DATABASE_URL: database.url, WORKGATE_LOG_LEVEL: 'warn' },
        timeout: 60_000,
      });
      return { status: result.status, stdout: result.stdout, stderr: result.stderr };
    }

    function succeeds(args: string[], stdin = ''): string {
      const run = workgate(args, stdin);
      assert.equal(run.status, 0, `workgate accounts ${args.join(' ')}: ${run.stderr}`);
      return run.stdout;
    }

    it('creates an account with the password read from stdin, printing it nowhere', async () => {
      const secret = 'piped in, never shown';
      const out = succeeds(['create', 'Acme', '--password-stdin', '--folders', 'CCW,Users'], `${secret}\n`);
      assert.match(out, /^created acme\tenabled\tpassword\tCCW,Users\t0 keys\tpassword set/);
      assert.ok(!out.includes(secret));
      assert.equal((await transfer.authenticatePassword('acme', secret, '192.0.2.1')).ok, true, 'the trailing newline is not part of it');
      assert.equal((await transfer.get('acme')).createdBy?.startsWith('cli:'), true);
      assert.match(succeeds(['list']), /^acme\tenabled\tpassword\tCCW,Users/m);
    });

    if (dialect.name !== 'sqlite') return;

    it('generates a password when none is piped in and prints it once; list never shows it', async () => {
      const out = succeeds(['create', 'generated']);
      const generated = /^password: (\S+)$/m.exec(out)?.[1];
      assert.match(generated ?? '', /^[A-Za-z0-9_-]{24}$/);
      assert.match(out, /shown only now/);
      assert.ok(!succeeds(['list']).includes(generated!));
      assert.equal((await transfer.authenticatePassword('generated', generated!, '192.0.2.2')).ok, true);
    });

    it('refuses a weak password saying why, with exit status 1', () => {
      const run = workgate(['create', 'weak', '--password-stdin'], 'short\n');
      assert.equal(run.status, 1);
      assert.match(run.stderr, /Password is too short \(minimum is 12 characters, got 5\)/);
      assert.ok(!run.stdout.includes('short'));
    });

    it('creates a key-only account, adds and removes keys, refusing RSA-1024', async () => {
      const ed = sharedTestKey('ed25519');
      const out = succeeds(['create', 'robot', '--ssh-key', ed.file, '--auth-policy', 'publickey']);
      assert.match(out, /created robot\tenabled\tpublickey\t.*1 key\tno password/);
      assert.match(out, /key SHA256:\S+ \(ssh-ed25519, 256 bits\) test-ed25519/);

      const weak = workgate(['add-key', 'robot', sharedTestKey('rsa-1024').file]);
      assert.equal(weak.status, 1);
      assert.match(weak.stderr, /RSA key of 1024 bits refused/);

      const added = succeeds(['add-key', 'robot', sharedTestKey('ecdsa-256').file]);
      const fingerprint = /^added (SHA256:\S+) \(ecdsa-sha2-nistp256, 256 bits\)/.exec(added)?.[1];
      assert.ok(fingerprint, added);
      assert.match(succeeds(['remove-key', 'robot', fingerprint]), /^removed SHA256:/);
      assert.deepEqual((await transfer.listKeys('robot')).map((k) => k.type), ['ssh-ed25519']);
      assert.equal(workgate(['remove-key', 'robot', fingerprint]).status, 1, 'already removed');
    });

    it('resets a password from stdin, or generates one', async () => {
      succeeds(['create', 'rotate', '--password-stdin'], 'the first passphrase\n');
      assert.match(succeeds(['reset-password', 'rotate', '--password-stdin'], 'the second passphrase\n'), /^password of rotate reset\n$/);
      assert.equal((await transfer.authenticatePassword('rotate', 'the second passphrase', '192.0.2.3')).ok, true);
      const generated = /^password: (\S+)$/m.exec(succeeds(['reset-password', 'rotate']))?.[1];
      assert.equal((await transfer.authenticatePassword('rotate', generated ?? '', '192.0.2.3')).ok, true);
    });

    it('disables and enables an account, and lists accounts', async () => {
      succeeds(['create', 'switch', '--password-stdin'], 'switch passphrase\n');
      assert.match(succeeds(['disable', 'switch']), /^switch\tdisabled/);
      assert.equal((await transfer.get('switch')).disabled, true);
      assert.match(succeeds(['enable', 'switch']), /^switch\tenabled/);
      const listed = succeeds(['list']).trim().split('\n').map((line) => line.split('\t')[0]);
      assert.deepEqual(listed, ['acme', 'generated', 'robot', 'rotate', 'switch']);
    });
  });
}
