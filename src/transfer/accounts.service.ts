import type { Logger } from 'pino';
import { Problems } from '../core/validation.ts';
import { isoNow, toBool, type Db } from '../db/index.ts';
import { hashSecret } from '../http/auth/secrets.ts';
import { NotFoundError, ValidationError } from '../shared/errors.ts';
import {
  accountResource,
  checkKeys,
  checkNewAccount,
  checkPassword,
  checkSettings,
  lookupUsername,
  maxKeysPerAccount,
  policyNeedsKey,
  policyNeedsPassword,
  type AccountSettings,
} from './account-input.ts';
import { foldersColumn, toDetails, toKeyInfo } from './account-rows.ts';
import { createAccountsRepo, type AccountChanges, type AccountRow, type NewAccountRow, type NewSshKeyRow } from './accounts.repo.ts';
import {
  defaultDefenceSettings,
  type Ban,
  type DefenceSettings,
  type GeneratedPassword,
  type NewTransferAccount,
  type SshKeyInfo,
  type TransferAccountDetails,
  type TransferAccountPatch,
} from './account.types.ts';
import { createAuditLog, type AuditDetail, type AuditEventName, type AuditQuery } from './audit.ts';
import { createAuthenticator } from './authenticate.ts';
import { createLoginDefence } from './login-defence.ts';
import { normalizeAddress } from './networks.ts';
import { generatePassword } from './password-policy.ts';
import type { ParsedSshKey } from './ssh-keys.ts';

export interface TransferAccountsDeps {
  db: Db;
  clock: () => Date;
  log: Logger;
  /** Brute-force defence; defaults: 5 failures in 300 s ban the address for 900 s. */
  defence?: Partial<DefenceSettings>;
}

/** Who made an admin change, e.g. `api:api-key:workgate-admin` or `cli`. */
export type Actor = string;

function newAccountRow(username: string, settings: AccountSettings, passwordHash: string | null, actor: Actor, now: string): NewAccountRow {
  return {
    username,
    password_hash: passwordHash,
    auth_policy: settings.authPolicy,
    folders: foldersColumn(settings.folders),
    max_sessions: settings.maxSessions,
    quota_bytes: settings.quotaBytes,
    allowed_networks: JSON.stringify(settings.allowedNetworks),
    input_encoding: settings.inputEncoding,
    disabled: settings.disabled,
    last_login_at: null,
    last_login_address: null,
    created_at: now,
    updated_at: now,
    created_by: actor,
    updated_by: actor,
  };
}

function settingsColumns(settings: Partial<AccountSettings>): AccountChanges {
  const columns: AccountChanges = {};
  if (settings.authPolicy !== undefined) columns.auth_policy = settings.authPolicy;
  if (settings.folders !== undefined) columns.folders = foldersColumn(settings.folders);
  if (settings.maxSessions !== undefined) columns.max_sessions = settings.maxSessions;
  if (settings.quotaBytes !== undefined) columns.quota_bytes = settings.quotaBytes;
  if (settings.allowedNetworks !== undefined) columns.allowed_networks = JSON.stringify(settings.allowedNetworks);
  if (settings.inputEncoding !== undefined) columns.input_encoding = settings.inputEncoding;
  if (settings.disabled !== undefined) columns.disabled = settings.disabled;
  return columns;
}

const keyColumns = (key: ParsedSshKey, now: string): NewSshKeyRow => ({
  algorithm: key.type,
  bits: key.bits,
  fingerprint: key.fingerprint,
  public_key: key.publicKey,
  comment: key.comment,
  created_at: now,
});

/**
 * SFTP accounts: what admins do (API and CLI) and what the SFTP server asks during a connection.
 * One service, so both meet the same rules.
 */
export function createTransferAccounts(deps: TransferAccountsDeps) {
  const { db, clock, log } = deps;
  const repo = createAccountsRepo(db);
  const auditLog = createAuditLog({ db, clock, log });
  const defence = createLoginDefence({ db, clock, settings: { ...defaultDefenceSettings, ...deps.defence } });
  const authenticator = createAuthenticator({ repo, defence, audit: auditLog, clock, log });

  async function findRow(username: string): Promise<AccountRow> {
    const name = lookupUsername(username);
    const row = name === undefined ? undefined : await repo.findByUsername(name);
    if (!row) throw new NotFoundError('SFTP account', username.slice(0, 80));
    return row;
  }

  async function details(row: AccountRow): Promise<TransferAccountDetails> {
    return toDetails(row, await repo.keysOf([row.id]));
  }

  function adminEvent(event: AuditEventName, row: Pick<AccountRow, 'id' | 'username'>, actor: Actor, detail: AuditDetail = {}): Promise<void> {
    return auditLog.record({ event, username: row.username, accountId: row.id, method: 'admin', detail: { actor, ...detail } });
  }

  async function insertUnique(username: string, insert: () => Promise<number>): Promise<number> {
    try {
      return await insert();
    } catch (error) {
      if (!db.adapter.isUniqueViolation(error)) throw error;
      throw new ValidationError(accountResource, [{ field: 'username', message: `Username "${username}" has already been taken` }]);
    }
  }

  /** Creates an account; where its policy needs a password and none was given, one is generated and returned once. */
  async function create(input: NewTransferAccount, actor: Actor): Promise<GeneratedPassword & { account: TransferAccountDetails }> {
    const problems = new Problems(accountResource);
    const { username, password, keys, settings } = checkNewAccount(problems, input);
    if (policyNeedsKey(settings.authPolicy) && keys.length === 0) {
      problems.add('ssh-keys', `Auth policy ${settings.authPolicy} needs at least one SSH key`);
    }
    if (problems.count === 0 && (await repo.findByUsername(username))) problems.add('username', `Username "${username}" has already been taken`);
    problems.throwIfAny();
    const generated = password === undefined && policyNeedsPassword(settings.authPolicy, keys.length) ? generatePassword() : undefined;
    const secret = password ?? generated;
    const passwordHash = secret === undefined ? null : await hashSecret(secret);
    const now = isoNow(clock);
    const id = await insertUnique(username, () => repo.insertWithKeys(newAccountRow(username, settings, passwordHash, actor, now), keys.map((key) => keyColumns(key, now))));
    await adminEvent('account_created', { id, username }, actor, { policy: settings.authPolicy, keys: keys.length });
    const account = await details(await findRow(username));
    return generated === undefined ? { account } : { account, generatedPassword: generated };
  }

  async function list(): Promise<TransferAccountDetails[]> {
    const rows = await repo.list();
    const keys = await repo.keysOf(rows.map((row) => row.id));
    return rows.map((row) => toDetails(row, keys.filter((key) => key.account_id === row.id)));
  }

  async function get(username: string): Promise<TransferAccountDetails> {
    return details(await findRow(username));
  }

  /** Changes settings; a policy the account could not log in with (no password, no key) is refused. */
  async function update(username: string, patch: TransferAccountPatch, actor: Actor): Promise<TransferAccountDetails> {
    const row = await findRow(username);
    const problems = new Problems(accountResource);
    const settings = checkSettings(problems, patch);
    if (settings.authPolicy !== undefined) await checkPolicyFits(problems, row, settings.authPolicy);
    problems.throwIfAny();
    await repo.update(row.id, { ...settingsColumns(settings), updated_at: isoNow(clock), updated_by: actor });
    await adminEvent(eventFor(row, settings), row, actor, { changed: Object.keys(settings).join(',') });
    return get(row.username);
  }

  async function checkPolicyFits(problems: Problems, row: AccountRow, policy: AccountSettings['authPolicy']): Promise<void> {
    const keys = await repo.countActiveKeys(row.id);
    if (policyNeedsKey(policy) && keys === 0) problems.add('auth-policy', `Auth policy ${policy} needs at least one SSH key: add one first`);
    if (policyNeedsPassword(policy, keys) && row.password_hash === null) {
      problems.add('auth-policy', `Auth policy ${policy} needs a password: reset the password first`);
    }
  }

  function eventFor(row: AccountRow, settings: Partial<AccountSettings>): AuditEventName {
    if (settings.disabled === undefined || settings.disabled === toBool(row.disabled)) return 'account_updated';
    return settings.disabled ? 'account_disabled' : 'account_enabled';
  }

  function setDisabled(username: string, disabled: boolean, actor: Actor): Promise<TransferAccountDetails> {
    return update(username, { disabled }, actor);
  }

  /** Sets the given password, or generates one and returns it (the only time it is ever shown). */
  async function resetPassword(username: string, password: string | undefined, actor: Actor): Promise<GeneratedPassword> {
    const row = await findRow(username);
    if (password !== undefined) {
      const problems = new Problems(accountResource);
      checkPassword(problems, row.username, password);
      problems.throwIfAny();
    }
    const generated = password === undefined ? generatePassword() : undefined;
    const passwordHash = await hashSecret(password ?? (generated as string));
    await repo.update(row.id, { password_hash: passwordHash, updated_at: isoNow(clock), updated_by: actor });
    await adminEvent('password_reset', row, actor, { generated: generated !== undefined });
    return generated === undefined ? {} : { generatedPassword: generated };
  }

  async function addKey(username: string, authorizedKeysLine: string, actor: Actor): Promise<SshKeyInfo> {
    const row = await findRow(username);
    const problems = new Problems(accountResource);
    const [key] = checkKeys(problems, [authorizedKeysLine]);
    problems.throwIfAny();
    const parsed = key as ParsedSshKey;
    if (await repo.findActiveKey(row.id, parsed.fingerprint)) problems.add('ssh-keys', `SSH key ${parsed.fingerprint} is already on this account`);
    else if ((await repo.countActiveKeys(row.id)) >= maxKeysPerAccount) problems.add('ssh-keys', `SSH keys: at most ${maxKeysPerAccount} per account`);
    problems.throwIfAny();
    const now = isoNow(clock);
    await repo.addKey(row.id, keyColumns(parsed, now));
    await adminEvent('key_added', row, actor, { fingerprint: parsed.fingerprint, type: parsed.type, bits: parsed.bits });
    const [info] = (await repo.keysOf([row.id])).filter((k) => k.fingerprint === parsed.fingerprint).map(toKeyInfo);
    return info as SshKeyInfo;
  }

  async function listKeys(username: string, options: { includeRemoved?: boolean } = {}): Promise<SshKeyInfo[]> {
    const row = await findRow(username);
    return (await repo.keysOf([row.id], options)).map(toKeyInfo);
  }

  /** Marks the key removed (the row stays, for the record); it no longer authenticates. */
  async function removeKey(username: string, fingerprint: string, actor: Actor): Promise<void> {
    const row = await findRow(username);
    const removed = fingerprint.length <= 100 && (await repo.markKeyRemoved(row.id, fingerprint, isoNow(clock)));
    if (!removed) throw new NotFoundError('SSH key', `${fingerprint.slice(0, 100)} of ${row.username}`);
    await adminEvent('key_removed', row, actor, { fingerprint });
  }

  async function liftBan(address: string, actor: Actor): Promise<void> {
    const normalized = normalizeAddress(address);
    if (normalized === undefined || !(await defence.liftBan(normalized))) throw new NotFoundError('SFTP ban of', address.slice(0, 64));
    await auditLog.record({ event: 'ban_lifted', address: normalized, method: 'admin', detail: { actor } });
  }

  return {
    create,
    list,
    get,
    update,
    setDisabled,
    resetPassword,
    addKey,
    listKeys,
    removeKey,
    listBans: (): Promise<Ban[]> => defence.listBans(),
    liftBan,
    auditEvents: (query: AuditQuery = {}) => auditLog.list(query),
    ...authenticator,
    /** For the SFTP server: file operations, refused paths, session limits. */
    audit: auditLog.record,
  };
}

export type TransferAccounts = ReturnType<typeof createTransferAccounts>;
