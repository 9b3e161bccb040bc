import type { Problems } from '../core/validation.ts';
import { inputEncodings, type InputEncoding, type NewTransferAccount, type TransferAccountPatch } from './account.types.ts';
import { authPolicies, feedFolders, type AuthPolicy, type FeedFolder } from './folders.ts';
import { parseNetwork } from './networks.ts';
import { passwordProblems } from './password-policy.ts';
import { parseAuthorizedKey, type ParsedSshKey } from './ssh-keys.ts';

/** The element name validation errors are reported under: `{"errors":{"sftp-account":[...]}}`. */
export const accountResource = 'sftp-account';

export const usernameMaxLength = 64;
const usernamePattern = /^[a-z0-9][a-z0-9._-]*$/;
export const defaultMaxSessions = 5;
export const maxSessionsLimit = 100;
export const maxAllowedNetworks = 100;
/** Keys an account may hold at once (active ones). */
export const maxKeysPerAccount = 50;

/** Settings every account has; a patch carries any subset of them. */
export interface AccountSettings {
  authPolicy: AuthPolicy;
  folders: FeedFolder[];
  maxSessions: number;
  quotaBytes: number | null;
  allowedNetworks: string[];
  inputEncoding: InputEncoding;
  disabled: boolean;
}

export interface CheckedNewAccount {
  username: string;
  password: string | undefined;
  keys: ParsedSshKey[];
  settings: AccountSettings;
}

/** Usernames are kept lower-case, so lookups lower-case what they are given; undefined if it cannot be one. */
export function lookupUsername(raw: string): string | undefined {
  const username = raw.toLowerCase();
  return username.length <= usernameMaxLength && usernamePattern.test(username) ? username : undefined;
}

function checkUsername(problems: Problems, raw: unknown): string {
  if (typeof raw !== 'string' || !problems.required('username', 'Username', raw)) return '';
  const username = raw.trim().toLowerCase();
  if (username.length > usernameMaxLength) problems.add('username', `Username is too long (maximum is ${usernameMaxLength} characters)`);
  else if (!usernamePattern.test(username)) {
    problems.add('username', `Username "${username}" may only hold a-z, 0-9, ".", "_" and "-", and must start with a letter or digit`);
  }
  return username;
}

export function checkPassword(problems: Problems, username: string, password: string): void {
  for (const message of passwordProblems(username, password)) problems.add('password', message);
}

/** Parses each key line; every refused line is reported, naming its position when there are several. */
export function checkKeys(problems: Problems, lines: readonly string[]): ParsedSshKey[] {
  if (lines.length > maxKeysPerAccount) problems.add('ssh-keys', `SSH keys: at most ${maxKeysPerAccount} per account`);
  const keys: ParsedSshKey[] = [];
  lines.slice(0, maxKeysPerAccount).forEach((line, index) => {
    const parsed = parseAuthorizedKey(line);
    if (parsed.ok) keys.push(parsed.key);
    else problems.add('ssh-keys', lines.length > 1 ? `${parsed.problem} (key ${index + 1})` : parsed.problem);
  });
  const fingerprints = keys.map((key) => key.fingerprint);
  const repeated = fingerprints.find((fingerprint, index) => fingerprints.indexOf(fingerprint) !== index);
  if (repeated) problems.add('ssh-keys', `SSH key ${repeated} is given twice`);
  return keys;
}

function checkPolicy(problems: Problems, value: string): AuthPolicy {
  if ((authPolicies as readonly string[]).includes(value)) return value as AuthPolicy;
  problems.add('auth-policy', `Auth policy "${value.slice(0, 40)}" is not one of ${authPolicies.join(', ')}`);
  return 'password';
}

function checkFolders(problems: Problems, value: unknown): FeedFolder[] {
  const names = Array.isArray(value) ? value.map(String) : [];
  if (names.length === 0) problems.add('folders', `Folders must name at least one of ${feedFolders.join(', ')}`);
  const chosen = new Set<FeedFolder>();
  for (const name of names.slice(0, 50)) {
    const folder = feedFolders.find((f) => f.toLowerCase() === name.trim().toLowerCase());
    if (folder) chosen.add(folder);
    else problems.add('folders', `Folder "${name.slice(0, 60)}" is not a feed folder; choose from ${feedFolders.join(', ')}`);
  }
  return feedFolders.filter((folder) => chosen.has(folder));
}

function checkNetworks(problems: Problems, value: unknown): string[] {
  const list = Array.isArray(value) ? value.map(String) : [];
  if (list.length > maxAllowedNetworks) problems.add('allowed-networks', `Allowed networks: at most ${maxAllowedNetworks}`);
  const networks: string[] = [];
  for (const text of list.slice(0, maxAllowedNetworks)) {
    const parsed = parseNetwork(text);
    if (parsed.ok) networks.push(parsed.network);
    else problems.add('allowed-networks', `Allowed network ${parsed.problem}`);
  }
  return [...new Set(networks)];
}

function checkMaxSessions(problems: Problems, value: unknown): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 1 && value <= maxSessionsLimit) return value;
  problems.add('max-sessions', `Max sessions must be a whole number from 1 to ${maxSessionsLimit}`);
  return defaultMaxSessions;
}

function checkQuota(problems: Problems, value: unknown): number | null {
  if (value === null) return null;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 1) return value;
  problems.add('quota-bytes', 'Quota bytes must be a whole number of bytes of at least 1, or null for no quota');
  return null;
}

function checkEncoding(problems: Problems, value: unknown): InputEncoding {
  const lower = String(value).toLowerCase();
  const encoding = inputEncodings.find((e) => e === lower);
  if (encoding) return encoding;
  problems.add('input-encoding', `Input encoding "${lower.slice(0, 40)}" is not one of ${inputEncodings.join(', ')}`);
  return 'utf-8';
}

/** The settings present in `input`, checked; absent ones stay absent. */
export function checkSettings(problems: Problems, input: TransferAccountPatch): Partial<AccountSettings> {
  const settings: Partial<AccountSettings> = {};
  if (input.authPolicy !== undefined) settings.authPolicy = checkPolicy(problems, String(input.authPolicy));
  if (input.folders !== undefined) settings.folders = checkFolders(problems, input.folders);
  if (input.maxSessions !== undefined) settings.maxSessions = checkMaxSessions(problems, input.maxSessions);
  if (input.quotaBytes !== undefined) settings.quotaBytes = checkQuota(problems, input.quotaBytes);
  if (input.allowedNetworks !== undefined) settings.allowedNetworks = checkNetworks(problems, input.allowedNetworks);
  if (input.inputEncoding !== undefined) settings.inputEncoding = checkEncoding(problems, input.inputEncoding);
  if (input.disabled !== undefined) settings.disabled = input.disabled === true;
  return settings;
}

function defaultPolicy(hasPassword: boolean, hasKeys: boolean): AuthPolicy {
  if (hasKeys) return hasPassword ? 'password-or-publickey' : 'publickey';
  return 'password';
}

/** Every rule of a new account at once; the caller throws the collected problems. */
export function checkNewAccount(problems: Problems, input: NewTransferAccount): CheckedNewAccount {
  const username = checkUsername(problems, input.username);
  if (input.password !== undefined) checkPassword(problems, username, input.password);
  const keys = checkKeys(problems, input.sshKeys ?? []);
  const given = checkSettings(problems, input);
  const settings: AccountSettings = {
    authPolicy: given.authPolicy ?? defaultPolicy(input.password !== undefined, (input.sshKeys ?? []).length > 0),
    folders: given.folders ?? [...feedFolders],
    maxSessions: given.maxSessions ?? defaultMaxSessions,
    quotaBytes: given.quotaBytes ?? null,
    allowedNetworks: given.allowedNetworks ?? [],
    inputEncoding: given.inputEncoding ?? 'utf-8',
    disabled: given.disabled ?? false,
  };
  return { username, password: input.password, keys, settings };
}

/** Policies that cannot log in without a password, given how many keys the account has. */
export function policyNeedsPassword(policy: AuthPolicy, activeKeys: number): boolean {
  return policy === 'password' || policy === 'publickey+password' || (policy === 'password-or-publickey' && activeKeys === 0);
}

export function policyNeedsKey(policy: AuthPolicy): boolean {
  return policy === 'publickey' || policy === 'publickey+password';
}
