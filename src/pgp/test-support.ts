import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as openpgp from 'openpgp';
import { pino } from 'pino';
import type { Db } from '../db/index.ts';
import { openPgpService, type PgpService, type PgpSettings } from './pgp.service.ts';

/** Helpers for this folder's tests only. */
export const silentLog = pino({ level: 'silent' });

export const gpgPath = '/usr/bin/gpg';
/** Why gpg tests are skipped here, or undefined when gpg runs. */
export const gpgSkip: string | undefined = fs.existsSync(gpgPath) ? undefined : `${gpgPath} is missing: the GnuPG interoperability tests need Debian's gpg (apt-get install gnupg)`;

export interface GpgResult {
  stdout: Buffer;
  stderr: string;
}

export interface GpgHome {
  home: string;
  run(args: string[], input?: Buffer | string): Promise<GpgResult>;
  close(): void;
}

/** A throw-away GNUPGHOME (short path: gpg-agent's socket must fit) with its own agent, killed on close. */
export function createGpgHome(): GpgHome {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'wg-gpg-'));
  fs.chmodSync(home, 0o700);
  const env = { ...process.env, GNUPGHOME: home };
  async function run(args: string[], input?: Buffer | string): Promise<GpgResult> {
    const child = spawn(gpgPath, ['--batch', '--no-tty', '--pinentry-mode', 'loopback', '--passphrase', '', '--trust-model', 'always', ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // gpg may exit before reading all of stdin (a refused input): EPIPE must not become an uncaught error.
    child.stdin.on('error', (error) => (stderr += `\nstdin: ${error.message}`));
    child.stdin.end(input ?? '');
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    });
    if (code !== 0) throw new Error(`gpg ${args.join(' ')} exited ${code}: ${stderr}`);
    return { stdout: Buffer.concat(stdout), stderr };
  }
  return {
    home,
    run,
    close() {
      spawnSync('gpgconf', ['--kill', 'all'], { env });
      // The agent may still be removing its sockets as it exits.
      fs.rmSync(home, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    },
  };
}

/** Makes a key in the gpg home: RSA 3072 or curve25519 (ed25519 + cv25519); returns its fingerprint. */
export async function gpgGenerateKey(gpg: GpgHome, type: 'rsa3072' | 'curve25519', email: string): Promise<string> {
  const uid = `Customer <${email}>`;
  if (type === 'rsa3072') {
    await gpg.run(['--quick-generate-key', uid, 'rsa3072', 'sign,encrypt', 'never']);
  } else {
    await gpg.run(['--quick-generate-key', uid, 'ed25519', 'sign', 'never']);
  }
  const listed = (await gpg.run(['--with-colons', '--list-keys', email])).stdout.toString();
  const fingerprint = /^fpr:+([0-9A-F]+):/m.exec(listed)?.[1];
  if (!fingerprint) throw new Error(`no fingerprint for ${email}`);
  if (type === 'curve25519') await gpg.run(['--quick-add-key', fingerprint, 'cv25519', 'encr', 'never']);
  return fingerprint;
}

/** Collects a stream's bytes (small test data only). */
export async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  await pipeline(stream, new Writable({ write: (chunk: Buffer, _encoding, done) => (chunks.push(chunk), done()) }));
  return Buffer.concat(chunks);
}

/** `bytes` in pieces of `size` (the last shorter), each a view at an odd offset of a larger buffer. */
export function piecesOf(bytes: Uint8Array, size: number): Readable {
  const pieces: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) {
    const piece = bytes.subarray(at, at + size);
    const padded = Buffer.alloc(piece.length + 3);
    padded.set(piece, 1);
    pieces.push(padded.subarray(1, 1 + piece.length));
  }
  return Readable.from(pieces);
}

export function bytesOf(...parts: Array<Buffer | string>): Readable {
  return Readable.from(parts.map((part) => Buffer.from(part)));
}

/** An account row as the transfer module would have made it (the PGP module only reads its id). */
export async function insertAccount(db: Db, username: string): Promise<number> {
  const now = new Date().toISOString();
  const row = await db.kysely
    .insertInto('transfer_accounts')
    .values({
      username,
      password_hash: null,
      auth_policy: 'publickey',
      folders: '[]',
      max_sessions: 2,
      quota_bytes: null,
      allowed_networks: '[]',
      input_encoding: 'utf-8',
      disabled: false,
      created_at: now,
      updated_at: now,
      created_by: 'test',
      updated_by: 'test',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

export function findAccountIdIn(db: Db) {
  return async (username: string) => {
    const row = await db.kysely.selectFrom('transfer_accounts').select('id').where('username', '=', username).executeTakeFirst();
    return row === undefined ? undefined : Number(row.id);
  };
}

export interface TestPgp {
  pgp: PgpService;
  dataDir: string;
  close(): void;
}

export async function openTestPgp(db: Db, settings: Partial<PgpSettings> = {}, dataDir?: string): Promise<TestPgp> {
  const dir = dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'wg-pgp-'));
  const pgp = await openPgpService({
    db,
    dataDir: dir,
    settings: { passphrase: undefined, keyType: 'ecc', maxPlaintextBytes: 64 * 1024 * 1024, ...settings },
    findAccountId: findAccountIdIn(db),
    log: silentLog,
  });
  return { pgp, dataDir: dir, close: () => dataDir === undefined && fs.rmSync(dir, { recursive: true, force: true }) };
}

/** A customer's key pair made by openpgp (fast); `options` tweak it into the bad keys the tests need. */
export async function customerKey(options: Partial<Parameters<typeof openpgp.generateKey>[0]> = {}) {
  const generated = await openpgp.generateKey({ userIDs: [{ name: 'Customer', email: 'it@customer.example' }], format: 'object', ...options });
  return { privateKey: generated.privateKey, publicKey: generated.publicKey, armored: generated.publicKey.armor() };
}
