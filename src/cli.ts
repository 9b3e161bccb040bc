import { Command, InvalidArgumentError } from 'commander';
import { findTransferAccountId, startWorkgate } from './app.ts';
import { ConfigError, loadConfig, parseRoles, type Config } from './config.ts';
import { migrateToLatest, openDatabase, type Db } from './db/index.ts';
import { createAuthService, isScope, scopes } from './http/auth/index.ts';
import { registerSsoCommands } from './http/sso/index.ts';
import { applyServerGcPolicy } from './gc-policy.ts';
import { createLogger } from './log.ts';
import { openPgpService, registerPgpCommands } from './pgp/index.ts';
import { registerFeedsCommands } from './feeds/index.ts';
import { registerSyncCommands } from './sync/index.ts';
import { registerAccountsCommands } from './transfer/index.ts';
import { registerHostKeysCommand } from './transfer/sftp/index.ts';

const program = new Command();
program.name('workgate').description('Integration gateway between Core and Workforce').showHelpAfterError();

function config(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
}

/** Runs a command against the migrated database, closing it afterwards whatever happens. */
async function withDatabase<T>(work: (db: Db, cfg: Config) => Promise<T>): Promise<T> {
  const cfg = config();
  const db = openDatabase(cfg.database);
  try {
    await migrateToLatest(db);
    return await work(db, cfg);
  } finally {
    await db.close();
  }
}

function scopeList(value: string): string[] {
  const list = value.split(/[\s,]+/).filter(Boolean);
  const unknown = list.filter((s) => !isScope(s));
  if (unknown.length) throw new InvalidArgumentError(`unknown scope ${unknown.join(', ')}; known: ${scopes.join(', ')}`);
  return list;
}

program
  .command('serve')
  .description('run the roles of this node (sftp, http, worker) until SIGTERM')
  .option('--roles <list>', 'comma-separated roles; default WORKGATE_ROLES or all')
  .action(async (options: { roles?: string }) => {
    const cfg = config();
    if (options.roles) cfg.roles = parseRoles(options.roles);
    applyServerGcPolicy();
    const log = createLogger(cfg.logLevel);
    const workgate = await startWorkgate(cfg, log);
    let stopping = false;
    const stop = async (signal: string) => {
      // Nothing is lost by not waiting: a feed file cut off is applied again at the next start (crash safety).
      if (stopping) {
        log.warn({ signal }, 'second signal: exiting now, in-flight work unfinished');
        process.exit(1);
      }
      stopping = true;
      log.info({ signal, graceSeconds: cfg.shutdownGraceSeconds }, 'shutting down: finishing in-flight work');
      const grace = setTimeout(() => {
        log.error({ graceSeconds: cfg.shutdownGraceSeconds }, 'in-flight work did not finish within the shutdown grace: exiting anyway');
        process.exit(1);
      }, cfg.shutdownGraceSeconds * 1000);
      grace.unref();
      try {
        await workgate.close();
        log.info('stopped');
        process.exit(0);
      } catch (error) {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      }
    };
    process.on('SIGTERM', () => void stop('SIGTERM'));
    process.on('SIGINT', () => void stop('SIGINT'));
  });

program
  .command('migrate')
  .description('apply pending database migrations (also done at every start)')
  .action(async () => {
    const cfg = config();
    const db = openDatabase(cfg.database);
    try {
      const { applied } = await migrateToLatest(db);
      console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
    } finally {
      await db.close();
    }
  });

const clients = program.command('clients').description('OAuth 2.0 clients of programs using the API');
clients
  .command('create <name>')
  .description('create a client; its secret is printed once')
  .requiredOption('--scopes <list>', `space- or comma-separated: ${scopes.join(' ')}`, scopeList)
  .action(async (name: string, options: { scopes: string[] }) => {
    await withDatabase(async (db) => {
      const auth = createAuthService({ db, clock: () => new Date(), log: createLogger('warn') });
      const created = await auth.createOAuthClient(name, options.scopes);
      console.log(`client_id:     ${created.clientId}\nclient_secret: ${created.clientSecret}\n(the secret is shown only now)`);
    });
  });
clients
  .command('list')
  .description('list clients (never their secrets)')
  .action(async () => {
    await withDatabase(async (db) => {
      const auth = createAuthService({ db, clock: () => new Date(), log: createLogger('warn') });
      for (const c of await auth.listOAuthClients()) {
        console.log(`${c.clientId}\t${c.name}\t${c.active ? 'active' : 'disabled'}\t${[...c.scopes].join(' ')}`);
      }
    });
  });
clients
  .command('rotate-secret <client-id>')
  .description('a new secret, printed once; the old one and the tokens issued with it stop working')
  .action(async (clientId: string) => {
    await withDatabase(async (db) => {
      const auth = createAuthService({ db, clock: () => new Date(), log: createLogger('warn') });
      const rotated = await auth.rotateOAuthClientSecret(clientId);
      console.log(`client_id:     ${rotated.clientId}\nclient_secret: ${rotated.clientSecret}\n(the secret is shown only now)`);
    });
  });
clients
  .command('set-scopes <client-id>')
  .description("replace a client's scopes (tokens already issued keep at most the new ones)")
  .requiredOption('--scopes <list>', `space- or comma-separated: ${scopes.join(' ')}`, scopeList)
  .action(async (clientId: string, options: { scopes: string[] }) => {
    await withDatabase(async (db) => {
      await createAuthService({ db, clock: () => new Date(), log: createLogger('warn') }).setOAuthClientScopes(clientId, options.scopes);
      console.log(`${clientId}: ${options.scopes.join(' ')}`);
    });
  });
clients
  .command('disable <client-id>')
  .description('disable a client and revoke its tokens')
  .action(async (clientId: string) => {
    await withDatabase(async (db) => {
      await createAuthService({ db, clock: () => new Date(), log: createLogger('warn') }).disableOAuthClient(clientId);
      console.log(`${clientId} disabled; its tokens are revoked`);
    });
  });

const apiKeys = program.command('api-keys').description('legacy X-COUPA-API-KEY keys');
apiKeys
  .command('create <name>')
  .description('create a 40-character key; printed once')
  .requiredOption('--scopes <list>', `space- or comma-separated: ${scopes.join(' ')}`, scopeList)
  .action(async (name: string, options: { scopes: string[] }) => {
    await withDatabase(async (db) => {
      const auth = createAuthService({ db, clock: () => new Date(), log: createLogger('warn') });
      const created = await auth.createApiKey(name, options.scopes, { rateLimited: true });
      console.log(`${created.key}\n(the key is shown only now)`);
    });
  });

/** SFTP accounts; the call returns the `accounts` group, for commands of the SFTP server such as `accounts host-keys`. */
registerHostKeysCommand(registerAccountsCommands(program, withDatabase), config);

registerSyncCommands(program, withDatabase);

registerSsoCommands(program, withDatabase);

// PGP commands print keys and data on stdout, so their log lines go to stderr.
registerPgpCommands(program, {
  withPgp: (work) =>
    withDatabase(async (db, cfg) =>
      work(await openPgpService({ db, dataDir: cfg.dataDir, settings: cfg.pgp, findAccountId: findTransferAccountId(db), log: createLogger('warn', process.stderr) })),
    ),
});

registerFeedsCommands(program, {
  withDatabase,
  withPgp: (work) =>
    withDatabase(async (db, cfg) =>
      work(await openPgpService({ db, dataDir: cfg.dataDir, settings: cfg.pgp, findAccountId: findTransferAccountId(db), log: createLogger('warn', process.stderr) })),
    ),
});

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
