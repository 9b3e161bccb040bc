import path from 'node:path';
import { z } from 'zod';
import { providerUrlProblem } from './http/sso/urls.ts';

const portSchema = z.coerce.number().int().min(0).max(65535);

const roleNames = ['sftp', 'http', 'worker'] as const;
export type RoleName = (typeof roleNames)[number];

const envSchema = z.object({
  WORKGATE_DATA_DIR: z.string().min(1).default('./data'),
  WORKGATE_DATABASE_URL: z
    .string()
    .refine((v) => v.startsWith('postgres://') || v.startsWith('postgresql://') || v.startsWith('sqlite:'), {
      message: 'must start with postgres://, postgresql:// or sqlite:',
    })
    .optional(),
  WORKGATE_HOST: z.string().min(1).default('0.0.0.0'),
  WORKGATE_HTTP_PORT: portSchema.default(8080),
  WORKGATE_SFTP_PORT: portSchema.default(2222),
  WORKGATE_ADMIN_API_KEY: z
    .string()
    .regex(/^[A-Za-z0-9_-]{40,128}$/, 'must be 40 to 128 characters of letters, digits, "-" or "_"')
    .optional(),
  WORKGATE_RATE_LIMIT_PER_SECOND: z.coerce.number().positive().max(100_000).default(25),
  WORKGATE_RATE_LIMIT_BURST: z.coerce.number().int().positive().max(100_000).default(20),
  WORKGATE_RATE_LIMIT_ADMIN_KEY: z.enum(['on', 'off']).default('off'),
  WORKGATE_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  WORKGATE_ROLES: z.string().default('sftp,http,worker'),
  WORKGATE_TRUST_PROXY: z.enum(['true', 'false']).default('false'),
  WORKGATE_WORKFORCE_ROLES: z
    .string()
    .refine((v) => v.split(',').every((r) => r.trim().length <= 100), { message: 'each role name must be at most 100 characters' })
    .default('Engaging Manager,Hiring Manager,Program Manager,Admin'),
  WORKGATE_SYNC_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(500),
  WORKGATE_SFTP_BAN_THRESHOLD: z.coerce.number().int().min(1).max(1000).default(5),
  WORKGATE_SFTP_BAN_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
  WORKGATE_SFTP_BAN_SECONDS: z.coerce.number().int().min(1).max(31_536_000).default(900),
  WORKGATE_PGP_PASSPHRASE: z.string().max(1024, 'must be at most 1024 characters').optional(),
  WORKGATE_PGP_KEY_TYPE: z.enum(['ecc', 'rsa4096']).default('ecc'),
  WORKGATE_FULL_FEED_HOLD_PERCENT: z.coerce.number().min(0).max(100).default(20),
  WORKGATE_FEED_SWEEP_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  WORKGATE_FEED_STALE_SECONDS: z.coerce.number().int().min(2).max(3600).default(120),
  WORKGATE_PGP_MAX_PLAINTEXT_BYTES: z.coerce.number().int().min(1024).max(2 ** 50).default(10 * 2 ** 30),
  WORKGATE_PUBLIC_URL: z
    .string()
    .max(2048)
    .refine((v) => providerUrlProblem(v) === undefined && new URL(v).pathname === '/', { message: 'must be an https URL without a path (http only on 127.0.0.0/8 or ::1)' })
    .optional(),
  WORKGATE_SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(1440).default(30),
  WORKGATE_SESSION_MAX_HOURS: z.coerce.number().int().min(1).max(720).default(12),
  WORKGATE_SSO_CLOCK_SKEW_SECONDS: z.coerce.number().int().min(0).max(300).default(60),
  WORKGATE_SHUTDOWN_GRACE_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
});

export interface Config {
  dataDir: string;
  database: { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };
  host: string;
  httpPort: number;
  sftpPort: number;
  adminApiKey: string | undefined;
  rateLimit: { perSecond: number; burst: number; appliesToAdminKey: boolean };
  logLevel: string;
  roles: RoleName[];
  trustProxy: boolean;
  /** Workforce role names (comma-separated in WORKGATE_WORKFORCE_ROLES); "Engaging Manager" is always one of them. */
  workforceRoles: string[];
  /** How often an idle sync applier looks for events committed by other nodes (its own node wakes it at once). */
  syncPollMs: number;
  /** How long SIGTERM waits for in-flight work before the process exits anyway. */
  shutdownGraceSeconds: number;
  /** SFTP brute-force defence: `threshold` failed logins within `windowSeconds` ban the address for `banSeconds`. */
  sftpDefence: { threshold: number; windowSeconds: number; banSeconds: number };
  /** Workgate's own PGP keys; the passphrase is never logged (undefined: keys protected by file permissions only). */
  pgp: { passphrase: string | undefined; keyType: 'ecc' | 'rsa4096'; maxPlaintextBytes: number };
  /** Feeds: a Full file that would deactivate more than holdPercent of active records is held; the sweep finds work others left. */
  feeds: { holdPercent: number; sweepSeconds: number; staleSeconds: number };
  /** Where browsers reach Workgate (WORKGATE_PUBLIC_URL); unset: http://127.0.0.1:<port>, for trying it out on one machine. */
  publicUrl: string | undefined;
  /** Sign-in of people: session timeouts and the clock difference accepted from identity providers. */
  sso: { idleSeconds: number; absoluteSeconds: number; clockSkewSeconds: number };
}

/** Variables whose values are never echoed, not even in a configuration error. */
const secretVariables = new Set(['WORKGATE_PGP_PASSPHRASE']);

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Reads and validates the whole configuration at once, so every bad value is reported together. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message} (got ${secretVariables.has(String(issue.path[0])) ? 'a hidden value' : JSON.stringify(env[String(issue.path[0])])})`),
    );
  }
  const e = parsed.data;
  const roles = parseRoles(e.WORKGATE_ROLES);
  const dataDir = path.resolve(e.WORKGATE_DATA_DIR);
  const url = e.WORKGATE_DATABASE_URL;
  return {
    dataDir,
    database:
      url === undefined
        ? { kind: 'sqlite', file: path.join(dataDir, 'workgate.db') }
        : url.startsWith('sqlite:')
          ? { kind: 'sqlite', file: path.resolve(url.slice('sqlite:'.length)) }
          : { kind: 'postgres', url },
    host: e.WORKGATE_HOST,
    httpPort: e.WORKGATE_HTTP_PORT,
    sftpPort: e.WORKGATE_SFTP_PORT,
    adminApiKey: e.WORKGATE_ADMIN_API_KEY,
    rateLimit: {
      perSecond: e.WORKGATE_RATE_LIMIT_PER_SECOND,
      burst: e.WORKGATE_RATE_LIMIT_BURST,
      appliesToAdminKey: e.WORKGATE_RATE_LIMIT_ADMIN_KEY === 'on',
    },
    logLevel: e.WORKGATE_LOG_LEVEL,
    roles,
    trustProxy: e.WORKGATE_TRUST_PROXY === 'true',
    workforceRoles: e.WORKGATE_WORKFORCE_ROLES.split(',').map((r) => r.trim()).filter(Boolean),
    syncPollMs: e.WORKGATE_SYNC_POLL_MS,
    shutdownGraceSeconds: e.WORKGATE_SHUTDOWN_GRACE_SECONDS,
    sftpDefence: {
      threshold: e.WORKGATE_SFTP_BAN_THRESHOLD,
      windowSeconds: e.WORKGATE_SFTP_BAN_WINDOW_SECONDS,
      banSeconds: e.WORKGATE_SFTP_BAN_SECONDS,
    },
    pgp: {
      passphrase: e.WORKGATE_PGP_PASSPHRASE === '' ? undefined : e.WORKGATE_PGP_PASSPHRASE,
      keyType: e.WORKGATE_PGP_KEY_TYPE,
      maxPlaintextBytes: e.WORKGATE_PGP_MAX_PLAINTEXT_BYTES,
    },
    feeds: { holdPercent: e.WORKGATE_FULL_FEED_HOLD_PERCENT, sweepSeconds: e.WORKGATE_FEED_SWEEP_SECONDS, staleSeconds: e.WORKGATE_FEED_STALE_SECONDS },
    publicUrl: e.WORKGATE_PUBLIC_URL === undefined ? undefined : new URL(e.WORKGATE_PUBLIC_URL).origin,
    sso: {
      idleSeconds: e.WORKGATE_SESSION_IDLE_MINUTES * 60,
      absoluteSeconds: e.WORKGATE_SESSION_MAX_HOURS * 3600,
      clockSkewSeconds: e.WORKGATE_SSO_CLOCK_SKEW_SECONDS,
    },
  };
}

export function parseRoles(value: string): RoleName[] {
  const names = value.split(',').map((r) => r.trim()).filter(Boolean);
  const unknown = names.filter((n) => !(roleNames as readonly string[]).includes(n));
  if (unknown.length > 0 || names.length === 0) {
    throw new ConfigError([`WORKGATE_ROLES: unknown role ${JSON.stringify(unknown.join(','))}; choose from ${roleNames.join(', ')}`]);
  }
  return [...new Set(names)] as RoleName[];
}
