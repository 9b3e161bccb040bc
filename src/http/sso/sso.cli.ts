import fs from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import type { Config } from '../../config.ts';
import { createCoreService } from '../../core/index.ts';
import type { Db } from '../../db/index.ts';
import { createLogger } from '../../log.ts';
import { maxMetadataBytes } from './saml-metadata.ts';
import type { ProviderInfo } from './provider.types.ts';
import { createSsoService, type SsoService } from './sso.service.ts';

/** cli.ts's helper: runs the work against the migrated database and closes it. */
export type WithDatabase = <T>(work: (db: Db, cfg: Config) => Promise<T>) => Promise<T>;

const maxStdinBytes = 4096;
const actor = (): string => `cli:${process.env.USER ?? process.env.USERNAME ?? 'unknown'}`.slice(0, 100);
const print = (text: string): void => {
  process.stdout.write(`${text}\n`);
};

/** One secret from standard input (a pipe or a file, not echoed anywhere); the trailing newline is dropped. */
async function readStdinSecret(what: string): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    size += (chunk as Buffer).length;
    if (size > maxStdinBytes) throw new Error(`${what} on standard input is longer than ${maxStdinBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  const value = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  if (value.length === 0) throw new Error(`give the ${what} on standard input`);
  return value;
}

/** IdP metadata from a file, with an error naming the file (not the system call) when it cannot be read. */
function readMetadataFile(file: string): string {
  try {
    if (fs.statSync(file).size > maxMetadataBytes) throw new Error(`it is larger than ${maxMetadataBytes} bytes`);
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : (error as Error).message;
    throw new Error(`cannot read the metadata file ${file}: ${why}`, { cause: error });
  }
}

function fallback(value: string): string {
  if (!['none', 'email', 'login'].includes(value)) throw new InvalidArgumentError('choose from none, email, login');
  return value;
}

/** The SSO service for a command: the same rules as the server, over the command's database. */
export function ssoForCli(db: Db, cfg: Config): SsoService {
  return createSsoService({
    db,
    clock: () => new Date(),
    log: createLogger('warn', process.stderr),
    core: createCoreService({ db }),
    settings: {
      publicUrl: () => cfg.publicUrl ?? `http://127.0.0.1:${cfg.httpPort}`,
      session: { idleSeconds: cfg.sso.idleSeconds, absoluteSeconds: cfg.sso.absoluteSeconds },
      clockSkewSeconds: cfg.sso.clockSkewSeconds,
    },
  });
}

function describe(sso: SsoService, p: ProviderInfo): string {
  const s = p.settings;
  const state = p.enabled ? 'enabled' : 'disabled';
  if (s.kind === 'oidc') return `${p.name}\toidc\t${state}\tissuer=${s.issuer}\tclient_id=${s.clientId}\tclaim=${s.claim}\tfallback=${s.fallback}\tredirect_uri=${sso.redirectUri(p.name)}`;
  const urls = sso.spUrls(p.name);
  return `${p.name}\tsaml\t${state}\tidp=${s.idpEntityId}\tclaim=${s.claim}\tfallback=${s.fallback}\tsp_metadata=${urls.entityId}\tacs=${urls.acsUrl}`;
}

export function registerSsoCommands(program: Command, withDatabase: WithDatabase): void {
  const withSso = (work: (sso: SsoService) => Promise<void>) => withDatabase((db, cfg) => work(ssoForCli(db, cfg)));
  const sso = program.command('sso').description('identity providers for the sign-in of people (OpenID Connect, SAML 2.0)');

  sso
    .command('add-oidc <name>')
    .description('add an OpenID Connect provider; the client secret is read from standard input')
    .requiredOption('--issuer <url>', 'issuer URL (https; http only on 127.0.0.0/8 or ::1)')
    .requiredOption('--client-id <id>', 'client id registered at the provider')
    .requiredOption('--client-secret-stdin', 'read the client secret from standard input')
    .option('--claim <claim>', 'id_token claim matched to the user sso-identifier', 'sub')
    .option('--fallback <how>', 'when no sso-identifier matches: none, email or login', fallback, 'none')
    .option('--scopes <list>', 'scopes to request', 'openid email profile')
    .action(async (name: string, o: { issuer: string; clientId: string; claim: string; fallback: string; scopes: string }) => {
      const clientSecret = await readStdinSecret('client secret');
      await withSso(async (s) => {
        const added = await s.providers.addOidc({ name, issuer: o.issuer, clientId: o.clientId, clientSecret, claim: o.claim, fallback: o.fallback, scopes: o.scopes }, actor());
        print(describe(s, added));
      });
    });

  sso
    .command('add-saml <name>')
    .description('add a SAML 2.0 provider from its metadata (a file or an https URL)')
    .requiredOption('--metadata <file-or-url>', 'IdP metadata XML file, or its URL')
    .option('--claim <attribute>', 'attribute matched to the user sso-identifier, or nameid', 'nameid')
    .option('--fallback <how>', 'when no sso-identifier matches: none, email or login', fallback, 'none')
    .action(async (name: string, o: { metadata: string; claim: string; fallback: string }) => {
      const isUrl = /^https?:\/\//i.test(o.metadata);
      const source = isUrl ? { metadataUrl: o.metadata } : { metadataXml: readMetadataFile(o.metadata) };
      await withSso(async (s) => print(describe(s, await s.providers.addSaml({ name, ...source, claim: o.claim, fallback: o.fallback }, actor()))));
    });

  sso
    .command('list')
    .description('list identity providers and the URLs to give them (never secrets)')
    .action(async () => withSso(async (s) => (await s.providers.list()).forEach((p) => print(describe(s, p)))));

  for (const [verb, enabled] of [['enable', true], ['disable', false]] as const) {
    sso
      .command(`${verb} <name>`)
      .description(`${verb} an identity provider`)
      .action(async (name: string) => withSso(async (s) => print(describe(s, await s.providers.update(name, { enabled }, actor())))));
  }

  sso
    .command('remove <name>')
    .description('remove an identity provider (sessions it opened stay until they end)')
    .action(async (name: string) => withSso(async (s) => s.providers.remove(name, actor())));

  registerAdminCommands(program, withSso);
}

function registerAdminCommands(program: Command, withSso: (work: (sso: SsoService) => Promise<void>) => Promise<void>): void {
  const admin = program.command('admin').description('local break-glass admins of the console (for first setup, or when the identity provider fails)');
  admin
    .command('create <login>')
    .description('create a local admin; the password (12 characters or more) is read from standard input')
    .requiredOption('--password-stdin', 'read the password from standard input')
    .action(async (login: string) => {
      const password = await readStdinSecret('password');
      await withSso(async (s) => {
        await s.localAdmins.create(login, password, actor());
        print(`local admin ${login} created; sign in at /auth/local/login`);
      });
    });
  for (const [verb, method] of [['disable', 'disable'], ['enable', 'enable']] as const) {
    admin
      .command(`${verb} <login>`)
      .description(`${verb} a local admin (its open sessions end within a minute)`)
      .action(async (login: string) => withSso(async (s) => {
        await s.localAdmins[method](login, actor());
        print(`local admin ${login} ${verb}d`);
      }));
  }
  admin
    .command('list')
    .description('list local admins')
    .action(async () => withSso(async (s) => (await s.localAdmins.list()).forEach((a) => print(`${a.login}\t${a.disabled ? 'disabled' : 'active'}\tlast sign-in ${a.lastLoginAt?.toISOString() ?? 'never'}`))));
}
