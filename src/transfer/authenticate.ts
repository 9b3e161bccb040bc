import crypto from 'node:crypto';
import type { Logger } from 'pino';
import { toBool } from '../db/index.ts';
import { hashSecret, verifySecret } from '../http/auth/secrets.ts';
import { lookupUsername, usernameMaxLength } from './account-input.ts';
import { toAccount } from './account-rows.ts';
import type { AccountRow, AccountsRepo } from './accounts.repo.ts';
import type { AddressCheck, AuthResult, LoginMethod, TransferAccount } from './account.types.ts';
import type { AuditDetail, AuditLog } from './audit.ts';
import type { AuthPolicy } from './folders.ts';
import type { LoginDefence } from './login-defence.ts';
import { addressKey, networksAllow } from './networks.ts';
import { passwordMaxLength } from './password-policy.ts';
import { fingerprintOf, maxAuthorizedKeyLineLength, offeredKeyMatches } from './ssh-keys.ts';

export interface AuthenticatorDeps {
  repo: AccountsRepo;
  defence: LoginDefence;
  audit: AuditLog;
  clock: () => Date;
  log: Logger;
}

/** What the client offered: ssh2's `ctx.key`. */
export interface OfferedKey {
  algo: string;
  data: Buffer;
}

export interface PublicKeyProof {
  /** The signature was present and checked against the offered key. */
  verified: boolean;
  /** A signature was sent at all; default: the same as `verified` (false = ssh2's unsigned query). */
  signed?: boolean;
}

/** Why an attempt failed: recorded in the audit event only, never told to the client. */
type FailureReason =
  | 'banned'
  | 'unknown_user'
  | 'disabled'
  | 'method_not_allowed'
  | 'network_not_allowed'
  | 'publickey_first'
  | 'bad_password'
  | 'unknown_key'
  | 'bad_signature';

interface Attempt {
  /** The name as given, lower-cased and cut: what audit and failure counts record. */
  username: string;
  address: string;
  row: AccountRow | undefined;
  banned: boolean;
}

const methodsOf: Record<AuthPolicy, ReadonlyArray<'password' | 'publickey'>> = {
  password: ['password'],
  publickey: ['publickey'],
  'password-or-publickey': ['password', 'publickey'],
  'publickey+password': ['publickey', 'password'],
};

/** ~4 KB covers the longest password the policy allows (1024 characters of up to 4 bytes). */
const maxPasswordBytes = passwordMaxLength * 4;

export function createAuthenticator(deps: AuthenticatorDeps) {
  const { repo, defence, audit, log } = deps;
  let dummyHash: Promise<string> | undefined;
  /** Unknown users and accounts without a password are verified against this, so they take as long as a real account. */
  const dummy = () => (dummyHash ??= hashSecret(crypto.randomBytes(24).toString('base64url')));

  async function checkAddress(address: string): Promise<AddressCheck> {
    void dummy(); // ready before the first password arrives
    return (await defence.activeBan(address)) ? { allowed: false, reason: 'banned' } : { allowed: true };
  }

  async function begin(rawUsername: string, rawAddress: string): Promise<Attempt> {
    const username = rawUsername.replace(/\p{Cc}/gu, '').toLowerCase().slice(0, usernameMaxLength);
    const address = addressKey(rawAddress);
    const [row, ban] = await Promise.all([repo.findByUsername(lookupUsername(rawUsername) ?? ''), defence.activeBan(address)]);
    return { username, address, row, banned: ban !== undefined };
  }

  /** The reasons that do not depend on the credential, in the order an admin would look for them. */
  function refusal(attempt: Attempt, method: 'password' | 'publickey'): FailureReason | undefined {
    const row = attempt.row;
    if (attempt.banned) return 'banned';
    if (!row) return 'unknown_user';
    if (toBool(row.disabled)) return 'disabled';
    const account = toAccount(row);
    if (!methodsOf[account.authPolicy].includes(method)) return 'method_not_allowed';
    if (!networksAllow(account.allowedNetworks, attempt.address)) return 'network_not_allowed';
    return undefined;
  }

  /** Audits and counts the failure (a banned address's attempts are audited, not counted again), banning at the threshold. */
  async function fail(attempt: Attempt, method: LoginMethod, reason: FailureReason, detail: AuditDetail = {}): Promise<AuthResult> {
    const { username, address, row } = attempt;
    await audit.record({ event: 'login_failed', outcome: 'failure', username, accountId: row?.id ?? null, address, method, detail: { reason, ...detail } });
    if (reason === 'banned') return { ok: false };
    const { ban } = await defence.recordFailure(address, username);
    if (ban) {
      log.warn({ address, until: ban.until.toISOString() }, 'SFTP address banned after failed logins');
      await audit.record({ event: 'ban', outcome: 'refused', username, address, detail: { reason: ban.reason, until: ban.until.toISOString() } });
    }
    return { ok: false };
  }

  /**
   * A password attempt. For the publickey+password policy it is the second step: pass `afterPublicKey`
   * once this connection's key step succeeded for the same username.
   */
  async function authenticatePassword(username: string, password: string, address: string, options: { afterPublicKey?: boolean } = {}): Promise<AuthResult> {
    const attempt = await begin(username, address);
    const matches = await passwordMatches(attempt.row, password);
    const bothSteps = attempt.row?.auth_policy === 'publickey+password';
    const method: LoginMethod = bothSteps ? 'publickey+password' : 'password';
    const keyStepMissing: FailureReason | undefined = bothSteps && !options.afterPublicKey ? 'publickey_first' : undefined;
    const reason = refusal(attempt, 'password') ?? keyStepMissing ?? (matches ? undefined : 'bad_password');
    if (reason || !attempt.row) return fail(attempt, method, reason ?? 'unknown_user');
    return { ok: true, account: toAccount(attempt.row), methodsLeft: [] };
  }

  /** Always exactly one argon2 run: against the dummy hash when there is no account or it has no password. */
  async function passwordMatches(row: AccountRow | undefined, password: string): Promise<boolean> {
    const own = row?.password_hash ?? null;
    const fits = Buffer.byteLength(password) <= maxPasswordBytes;
    const verified = await verifySecret(fits ? password : '', own ?? (await dummy()));
    return verified && fits && own !== null;
  }

  /**
   * A public key attempt. ssh2 first asks without a signature (`signed: false`): the answer is only
   * `keyAcceptable`, nothing is counted or audited. The signed attempt is the login.
   */
  async function authenticatePublicKey(username: string, key: OfferedKey, address: string, proof: PublicKeyProof): Promise<AuthResult> {
    const attempt = await begin(username, address);
    const fingerprint = key.data.length <= maxAuthorizedKeyLineLength ? fingerprintOf(key.data) : 'oversized';
    const stored = await repo.findActiveKey(attempt.row?.id ?? 0, fingerprint);
    const keyMatches = stored !== undefined && offeredKeyMatches({ type: stored.algorithm, publicKey: stored.public_key }, key);
    const refused = refusal(attempt, 'publickey') ?? (keyMatches ? undefined : 'unknown_key');
    if (!(proof.signed ?? proof.verified)) return { ok: false, keyAcceptable: refused === undefined };
    const reason = refused ?? (proof.verified ? undefined : 'bad_signature');
    if (reason || !attempt.row) return fail(attempt, 'publickey', reason ?? 'unknown_user', { fingerprint });
    const account = toAccount(attempt.row);
    if (account.authPolicy !== 'publickey+password') return { ok: true, account, methodsLeft: [], keyFingerprint: fingerprint };
    await audit.record({ event: 'login', outcome: 'partial', username: account.username, accountId: account.id, address: attempt.address, method: 'publickey', detail: { fingerprint } });
    return { ok: true, account, methodsLeft: ['password'], keyFingerprint: fingerprint };
  }

  /** The session is established: remembers when and from where, and audits the login. */
  async function recordLogin(account: TransferAccount, address: string, method: LoginMethod, detail?: AuditDetail): Promise<void> {
    const now = deps.clock().toISOString();
    await repo.update(account.id, { last_login_at: now, last_login_address: addressKey(address) });
    await audit.record({ event: 'login', outcome: 'success', username: account.username, accountId: account.id, address, method, ...(detail ? { detail } : {}) });
  }

  return {
    checkAddress,
    authenticatePassword,
    authenticatePublicKey,
    recordLogin,
    accountNetworksAllow: (account: TransferAccount, address: string) => networksAllow(account.allowedNetworks, address),
  };
}
