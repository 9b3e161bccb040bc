import fs from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import type { Config } from '../config.ts';
import type { Db } from '../db/index.ts';
import { createLogger } from '../log.ts';
import type { TransferAccountDetails } from './account.types.ts';
import { createTransferAccounts, type TransferAccounts } from './accounts.service.ts';
import { authPolicies } from './folders.ts';
import { passwordMaxLength } from './password-policy.ts';

/** cli.ts's helper: runs the work against the migrated database and closes it. */
export type WithDatabase = <T>(work: (db: Db, cfg: Config) => Promise<T>) => Promise<T>;

const maxPasswordBytes = passwordMaxLength * 4;
const maxKeyFileBytes = 64 * 1024;

const actor = (): string => `cli:${process.env.USER ?? process.env.USERNAME ?? 'unknown'}`.slice(0, 100);

/** Command output goes to stdout (console is for cli.ts alone); secrets only where the command says it prints them once. */
const print = (text: string): void => {
  process.stdout.write(`${text}\n`);
};

const commaList = (value: string): string[] => value.split(',').map((item) => item.trim()).filter(Boolean);

function wholeNumber(value: string): number {
  if (!/^\d{1,15}$/.test(value)) throw new InvalidArgumentError('must be a whole number');
  return Number(value);
}

function policy(value: string): string {
  if (!(authPolicies as readonly string[]).includes(value)) throw new InvalidArgumentError(`choose from ${authPolicies.join(', ')}`);
  return value;
}

/** The key lines of a .pub (or authorized_keys) file: blank lines and # comments skipped. */
function readKeyLines(file: string): string[] {
  const size = fs.statSync(file).size;
  if (size > maxKeyFileBytes) throw new Error(`${file} is larger than ${maxKeyFileBytes} bytes: not a public key file`);
  return fs
    .readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/** Typed at a terminal: nothing is echoed. Ctrl-C aborts. */
function readHiddenLine(prompt: string): Promise<string> {
  const input = process.stdin;
  process.stderr.write(prompt);
  input.setRawMode(true);
  input.resume();
  return new Promise((resolve, reject) => {
    let typed = '';
    const finish = (error?: Error) => {
      input.setRawMode(false);
      input.pause();
      input.off('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (chunk: Buffer) => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n') return finish();
        if (char === '\u0003') return finish(new Error('aborted'));
        if (char === '\u007f' || char === '\b') typed = [...typed].slice(0, -1).join('');
        else if (Buffer.byteLength(typed) > maxPasswordBytes) return finish(new Error('password is too long'));
        else typed += char;
      }
    };
    input.on('data', onData);
  });
}

/** The password from standard input: piped (one trailing newline dropped) or typed without echo. Never printed. */
export async function readPasswordFromStdin(): Promise<string> {
  const password = process.stdin.isTTY ? await readHiddenLine('Password: ') : await readPipedPassword();
  if (password === '') throw new Error('no password on standard input');
  return password;
}

async function readPipedPassword(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxPasswordBytes + 2) throw new Error(`password on standard input is longer than ${maxPasswordBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

function describe(account: TransferAccountDetails): string {
  const keys = account.sshKeys.length;
  return [
    account.username,
    account.disabled ? 'disabled' : 'enabled',
    account.authPolicy,
    account.folders.join(','),
    `${keys} key${keys === 1 ? '' : 's'}`,
    account.hasPassword ? 'password set' : 'no password',
    `last login ${account.lastLoginAt ? `${account.lastLoginAt.toISOString()} from ${account.lastLoginAddress ?? '?'}` : 'never'}`,
  ].join('\t');
}

function printGenerated(password: string | undefined): void {
  if (password !== undefined) print(`password: ${password}\n(the password is shown only now)`);
}

interface CreateOptions {
  passwordStdin?: boolean;
  sshKey?: string[];
  folders?: string[];
  authPolicy?: string;
  maxSessions?: number;
  quotaBytes?: number;
  allowedNetworks?: string[];
}

/** `workgate accounts ...`: SFTP accounts from the command line. Returns the group so others can add to it. */
export function registerAccountsCommands(program: Command, withDatabase: WithDatabase): Command {
  const run = <T>(work: (transfer: TransferAccounts) => Promise<T>) =>
    withDatabase((db, cfg) => work(createTransferAccounts({ db, clock: () => new Date(), log: createLogger('warn'), defence: cfg.sftpDefence })));
  const accounts = program.command('accounts').description('SFTP accounts: credentials, SSH keys, folders');

  accounts
    .command('create <user>')
    .description('create an account; without --password-stdin or --ssh-key a password is generated and printed once')
    .option('--password-stdin', 'read the password from standard input')
    .option('--ssh-key <file>', 'a public key file (.pub); repeatable', (file: string, previous: string[] = []) => [...previous, file])
    .option('--folders <list>', 'comma-separated feed folders (default: all)', commaList)
    .option('--auth-policy <policy>', authPolicies.join(' | '), policy)
    .option('--max-sessions <n>', 'concurrent sessions (default 5)', wholeNumber)
    .option('--quota-bytes <n>', 'storage quota in bytes (default: none)', wholeNumber)
    .option('--allowed-networks <list>', 'comma-separated CIDR ranges the account may connect from (default: any)', commaList)
    .action(async (user: string, options: CreateOptions) => {
      const password = options.passwordStdin ? await readPasswordFromStdin() : undefined;
      const sshKeys = (options.sshKey ?? []).flatMap(readKeyLines);
      await run(async (transfer) => {
        const { account, generatedPassword } = await transfer.create(
          { username: user, password, sshKeys, authPolicy: options.authPolicy, folders: options.folders, maxSessions: options.maxSessions, quotaBytes: options.quotaBytes, allowedNetworks: options.allowedNetworks },
          actor(),
        );
        print(`created ${describe(account)}`);
        for (const key of account.sshKeys) print(`key ${key.fingerprint} (${key.type}, ${key.bits} bits)${key.comment ? ` ${key.comment}` : ''}`);
        printGenerated(generatedPassword);
      });
    });

  accounts
    .command('reset-password <user>')
    .description('set a new password; without --password-stdin one is generated and printed once')
    .option('--password-stdin', 'read the password from standard input')
    .action(async (user: string, options: { passwordStdin?: boolean }) => {
      const password = options.passwordStdin ? await readPasswordFromStdin() : undefined;
      await run(async (transfer) => {
        const { generatedPassword } = await transfer.resetPassword(user, password, actor());
        print(`password of ${user.toLowerCase()} reset`);
        printGenerated(generatedPassword);
      });
    });

  accounts
    .command('add-key <user> <file>')
    .description('add the public key in FILE (one OpenSSH line, e.g. id_ed25519.pub)')
    .action(async (user: string, file: string) => {
      const lines = readKeyLines(file);
      if (lines.length !== 1) throw new Error(`${file} holds ${lines.length} keys; give a file with exactly one`);
      await run(async (transfer) => {
        const key = await transfer.addKey(user, lines[0] as string, actor());
        print(`added ${key.fingerprint} (${key.type}, ${key.bits} bits)${key.comment ? ` ${key.comment}` : ''}`);
      });
    });

  accounts
    .command('remove-key <user> <fingerprint>')
    .description('remove a key by its SHA256: fingerprint; it stops authenticating at once')
    .action(async (user: string, fingerprint: string) => {
      await run(async (transfer) => {
        await transfer.removeKey(user, fingerprint, actor());
        print(`removed ${fingerprint}`);
      });
    });

  accounts
    .command('list')
    .description('list accounts (never their secrets)')
    .action(async () => {
      await run(async (transfer) => {
        for (const account of await transfer.list()) print(describe(account));
      });
    });

  for (const [action, disabled] of [['disable', true], ['enable', false]] as const) {
    accounts
      .command(`${action} <user>`)
      .description(disabled ? 'refuse every login of the account' : 'allow the account to log in again')
      .action(async (user: string) => {
        await run(async (transfer) => print(describe(await transfer.setDisabled(user, disabled, actor()))));
      });
  }
  return accounts;
}
