import type { Logger } from 'pino';
import ssh2, { type AuthContext, type AuthenticationType } from 'ssh2';
import type { AuthResult, LoginMethod, TransferAccount } from '../account.types.ts';
import type { AuditEventInput } from '../audit.ts';
import type { OfferedKey, PublicKeyProof } from '../authenticate.ts';
import { isWeakUserKeySignature } from './algorithms.ts';
import type { LiveSession, SessionRegistry } from './session-registry.ts';

/** What the SFTP server needs from the accounts service (src/transfer/index.ts explains the order of calls). */
export interface SftpAccounts {
  checkAddress(address: string): Promise<{ allowed: boolean }>;
  authenticatePassword(username: string, password: string, address: string, options?: { afterPublicKey?: boolean }): Promise<AuthResult>;
  authenticatePublicKey(username: string, key: OfferedKey, address: string, proof: PublicKeyProof): Promise<AuthResult & { keyFingerprint?: string }>;
  recordLogin(account: TransferAccount, address: string, method: LoginMethod, detail?: Record<string, string>): Promise<void>;
  audit(event: AuditEventInput): Promise<void>;
}

/** One connection's login state. */
export interface LoginState {
  sessionId: string;
  address: string;
  log: Logger;
  /** Set when the key step of publickey+password succeeded, for that username. */
  keyStepFor?: { username: string; fingerprint: string | undefined };
  account?: TransferAccount;
  live?: LiveSession;
  failures: number;
  /** The connection closed (possibly while its login was still being settled). */
  closed?: boolean;
}

export interface AuthDeps {
  accounts: SftpAccounts;
  registry: SessionRegistry;
  /** Failed attempts after which the connection is closed; default 6 (OpenSSH's MaxAuthTries). */
  maxAttempts?: number;
}

const offeredMethods: AuthenticationType[] = ['publickey', 'password'];

type Decision = { accept: true } | { accept: false; methods?: AuthenticationType[]; partial?: boolean };
const refuse: Decision = { accept: false };

/**
 * ssh2's `authentication` handler: asks the accounts service (which counts, audits and bans failures),
 * verifies public key signatures, refuses SHA-1 RSA and DSA signatures, then applies the session limit
 * (over every node's sessions).
 */
export function createAuthHandler(deps: AuthDeps, state: LoginState, disconnect: () => void) {
  const maxAttempts = deps.maxAttempts ?? 6;
  return (ctx: AuthContext): void => {
    decide(ctx).then(
      (decision) => {
        if (decision.accept) return ctx.accept();
        if (ctx.method !== 'none' && !decision.partial && ++state.failures >= maxAttempts) disconnect();
        ctx.reject(decision.methods ?? offeredMethods, decision.partial ?? false);
      },
      (error: unknown) => {
        state.log.error({ err: error, method: ctx.method }, 'authentication failed with an error');
        ctx.reject(offeredMethods);
      },
    );
  };

  async function decide(ctx: AuthContext): Promise<Decision> {
    if (ctx.service !== 'ssh-connection' || ctx.username.length === 0 || ctx.username.length > 256) return refuse;
    if (ctx.method === 'password') {
      const afterPublicKey = state.keyStepFor?.username === ctx.username;
      const result = await deps.accounts.authenticatePassword(ctx.username, ctx.password, state.address, { afterPublicKey });
      return settle(result, afterPublicKey ? 'publickey+password' : 'password', afterPublicKey ? state.keyStepFor?.fingerprint : undefined);
    }
    if (ctx.method === 'publickey') return publicKey(ctx);
    return refuse;
  }

  async function publicKey(ctx: Extract<AuthContext, { method: 'publickey' }>): Promise<Decision> {
    if (isWeakUserKeySignature(ctx.key.algo, ctx.hashAlgo)) {
      state.log.info({ algo: ctx.key.algo }, 'refused a SHA-1 RSA or DSA public key signature');
      return refuse;
    }
    const key = { algo: ctx.key.algo, data: ctx.key.data };
    if (!ctx.signature || !ctx.blob) {
      const query = await deps.accounts.authenticatePublicKey(ctx.username, key, state.address, { verified: false, signed: false });
      return !query.ok && query.keyAcceptable ? { accept: true } : refuse;
    }
    const verified = verifySignature(ctx.key.data, ctx.blob, ctx.signature, ctx.hashAlgo);
    const result = await deps.accounts.authenticatePublicKey(ctx.username, key, state.address, { verified, signed: true });
    if (result.ok && result.methodsLeft.length > 0) {
      state.keyStepFor = { username: ctx.username, fingerprint: result.keyFingerprint };
      return { accept: false, methods: ['password'], partial: true };
    }
    return settle(result, 'publickey', result.keyFingerprint);
  }

  /** Proven credentials: the session limit, then the login is recorded. */
  async function settle(result: AuthResult, method: LoginMethod, fingerprint: string | undefined): Promise<Decision> {
    if (!result.ok) return refuse;
    const { account } = result;
    const live = await deps.registry.tryOpen(account, state.address, state.sessionId);
    if (live && state.closed) {
      await deps.registry.close(live.id);
      return refuse;
    }
    if (!live) {
      await deps.accounts.audit({
        event: 'session_limit',
        outcome: 'refused',
        username: account.username,
        accountId: account.id,
        address: state.address,
        method,
        detail: { maxSessions: account.maxSessions },
      });
      state.log.info({ username: account.username, maxSessions: account.maxSessions }, 'session limit reached: login refused');
      return refuse;
    }
    state.account = account;
    state.live = live;
    await deps.accounts.recordLogin(account, state.address, method, fingerprint ? { fingerprint } : undefined);
    state.log.info({ username: account.username, method }, 'logged in');
    return { accept: true };
  }
}

function verifySignature(keyBlob: Buffer, blob: Buffer, signature: Buffer, hashAlgo: string | undefined): boolean {
  const key = ssh2.utils.parseKey(keyBlob);
  if (key instanceof Error) return false;
  try {
    return key.verify(blob, signature, hashAlgo) === true;
  } catch {
    return false;
  }
}
