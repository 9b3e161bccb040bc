import fs from 'node:fs/promises';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InvalidArgumentError, type Command } from 'commander';
import { openInputFile } from './byte-source.ts';
import type { AccountPgpKeys, CustomerKeyInfo } from './customer-keys.service.ts';
import { keyPurposes, maxPublicKeyBytes, type KeyPurpose } from './key-inspection.ts';
import type { WorkgateKeyInfo } from './key-ring.ts';
import type { PgpService } from './pgp.service.ts';

export interface PgpCliDeps {
  /** Runs `work` with the PGP service over the migrated database, closing everything afterwards. */
  withPgp<T>(work: (pgp: PgpService) => Promise<T>): Promise<T>;
}

// Output goes to stdout as bytes (armored keys, ciphertext, plaintext); messages to stderr.
const out = (text: string) => process.stdout.write(`${text}\n`);
const note = (text: string) => process.stderr.write(`${text}\n`);

function purposeOption(value: string): KeyPurpose {
  if (!(keyPurposes as readonly string[]).includes(value)) throw new InvalidArgumentError(`choose ${keyPurposes.join(' or ')}`);
  return value as KeyPurpose;
}

function onOff(value: string): boolean {
  if (value !== 'on' && value !== 'off') throw new InvalidArgumentError('choose on or off');
  return value === 'on';
}

function keyLine(key: WorkgateKeyInfo): string {
  return [key.fingerprint, key.state.padEnd(9), key.algorithm.padEnd(16), key.createdAt.toISOString(), key.retiredAt?.toISOString() ?? ''].join('  ').trimEnd();
}

function customerKeyLine(label: string, key: CustomerKeyInfo | null): string {
  if (!key) return `${label}: none`;
  const expiry = key.expiresAt ? `expires ${key.expiresAt.toISOString().slice(0, 10)}` : 'no expiry';
  return `${label}: ${key.fingerprint} ${key.algorithm}${key.bits ? ` ${key.bits} bits` : ''}, ${expiry}${key.userId ? `, ${key.userId}` : ''}`;
}

function showAccount(keys: AccountPgpKeys): void {
  out(`SFTP account ${keys.username}`);
  out(customerKeyLine('  encryption key', keys.encryptionKey));
  out(customerKeyLine('  signing key   ', keys.signingKey));
  out(`  require signed inbound: ${keys.requireSignedInbound ? 'on' : 'off'}`);
}

async function readKeyFile(file: string): Promise<Uint8Array> {
  const stat = await fs.stat(file);
  if (stat.size > maxPublicKeyBytes) throw new Error(`${file} is ${stat.size} bytes; a public key file is at most ${maxPublicKeyBytes}`);
  return fs.readFile(file);
}

/** Reads the whole plaintext and drops it: the first pass that proves integrity before anything is shown. */
function discard(): Writable {
  return new Writable({ write: (_chunk, _encoding, done) => done() });
}

async function decryptToStdout(pgp: PgpService, file: string, options: { from?: string; singlePass?: boolean }): Promise<void> {
  const request = options.from === undefined ? {} : { from: options.from };
  if (!options.singlePass) {
    // Plaintext of a classic message is authenticated only at its end: check the whole file first.
    const check = pgp.decrypt(openInputFile(file), request);
    await pipeline(check.plaintext, discard());
  }
  const run = pgp.decrypt(openInputFile(file), request);
  await pipeline(run.plaintext, process.stdout, { end: false });
  const outcome = await run.outcome;
  note(`decrypted with key ${outcome.decryptedWith}${outcome.signer ? `; good signature by ${outcome.signer.fingerprint || outcome.signer.keyId}` : ''}`);
}

export function registerPgpCommands(program: Command, deps: PgpCliDeps): void {
  const pgp = program.command('pgp').description("Workgate's PGP keys, customers' keys, encrypt and decrypt");
  const run = (work: (service: PgpService) => Promise<void>) => deps.withPgp(work);

  pgp.command('public-key').description("print Workgate's published public key (armored); its fingerprint goes to stderr").action(() =>
    run(async (service) => {
      const key = await service.keys.published();
      process.stdout.write(key.armored.endsWith('\n') ? key.armored : `${key.armored}\n`);
      note(`fingerprint: ${key.fingerprint}`);
    }),
  );
  pgp.command('keys').description("list Workgate's keys: fingerprint, state, algorithm, created, retired").action(() =>
    run(async (service) => {
      for (const key of await service.keys.list()) out(keyLine(key));
    }),
  );
  pgp.command('rotate').description('make a new key the published one; older keys keep decrypting until retired').action(() =>
    run(async (service) => {
      out(`published: ${keyLine(await service.keys.rotate())}`);
    }),
  );
  pgp.command('retire <fingerprint>').description('stop decrypting with an older key (not the published one)').action((fingerprint: string) =>
    run(async (service) => {
      out(`retired: ${keyLine(await service.keys.retire(fingerprint))}`);
    }),
  );
  registerCustomerCommands(pgp, run);
  registerStreamCommands(pgp, run);
}

function registerCustomerCommands(pgp: Command, run: (work: (service: PgpService) => Promise<void>) => Promise<void>): void {
  pgp
    .command('set-customer-key <user> <file>')
    .description("set or replace an SFTP account's customer key from a public key file (armored or binary)")
    .option('--purpose <purpose>', 'encrypt: outbound files are encrypted for it; sign: inbound signatures are checked with it', purposeOption, 'encrypt')
    .option('--require-signed-inbound <on|off>', 'whether inbound files must be signed with the signing key', onOff)
    .action((user: string, file: string, options: { purpose: KeyPurpose; requireSignedInbound?: boolean }) =>
      run(async (service) => {
        const key = await readKeyFile(file);
        const input = options.purpose === 'encrypt' ? { encryptionKey: key } : { signingKey: key };
        const policy = options.requireSignedInbound === undefined ? {} : { requireSignedInbound: options.requireSignedInbound };
        showAccount(await service.customers.update(user, { ...input, ...policy }, 'cli'));
      }),
    );
  pgp.command('show-customer-key <user>').description("show an SFTP account's customer keys and signature policy").action((user: string) =>
    run(async (service) => showAccount(await service.customers.get(user))),
  );
  pgp
    .command('remove-customer-key <user>')
    .description("remove an SFTP account's customer key (both keys and the policy without --purpose)")
    .option('--purpose <purpose>', 'remove only this one: encrypt or sign', purposeOption)
    .action((user: string, options: { purpose?: KeyPurpose }) =>
      run(async (service) => {
        if (options.purpose === undefined) await service.customers.remove(user);
        else await service.customers.update(user, options.purpose === 'encrypt' ? { encryptionKey: null } : { signingKey: null, requireSignedInbound: false }, 'cli');
        showAccount(await service.customers.get(user));
      }),
    );
}

function registerStreamCommands(pgp: Command, run: (work: (service: PgpService) => Promise<void>) => Promise<void>): void {
  pgp
    .command('encrypt <file>')
    .description("encrypt (and sign) a file for an SFTP account's customer key, to stdout")
    .requiredOption('--for <user>', 'the SFTP account')
    .option('--armor', 'ASCII armor instead of binary')
    .option('--no-sign', "do not sign with Workgate's key")
    .action((file: string, options: { for: string; armor?: boolean; sign: boolean }) =>
      run(async (service) => {
        const encrypted = service.encrypt(openInputFile(file), { for: options.for, armor: options.armor === true, sign: options.sign });
        await pipeline(encrypted, process.stdout, { end: false });
      }),
    );
  pgp
    .command('decrypt <file>')
    .description('decrypt a file sent to Workgate, to stdout; the whole file is checked first, so nothing unauthenticated is printed')
    .option('--from <user>', "check the signature against this SFTP account's signing key and policy")
    .option('--single-pass', 'print while decrypting (faster; an integrity failure is then reported only at the end)')
    .action((file: string, options: { from?: string; singlePass?: boolean }) => run((service) => decryptToStdout(service, file, options)));
}
