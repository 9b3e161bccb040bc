import { toBool, toDate } from '../db/index.ts';
import type { AccountRow, SshKeyRow } from './accounts.repo.ts';
import { inputEncodings, type InputEncoding, type SshKeyInfo, type TransferAccount, type TransferAccountDetails } from './account.types.ts';
import { authPolicies, feedFolders, incomingPath, outgoingPath, type AuthPolicy, type FeedFolder } from './folders.ts';

/**
 * Stored form of an account's folders (see the schema): the virtual paths it may use, incoming and
 * outgoing for each feed folder. Read back tolerantly: any path naming a feed folder grants it.
 */
export function foldersColumn(folders: readonly FeedFolder[]): string {
  return JSON.stringify(folders.flatMap((folder) => [incomingPath(folder), outgoingPath(folder)]));
}

function readFolders(column: string): FeedFolder[] {
  const paths = parseJsonStrings(column);
  const named = new Set(paths.map((path) => path.split('/').at(-1)));
  return feedFolders.filter((folder) => named.has(folder));
}

function parseJsonStrings(column: string): string[] {
  try {
    const value: unknown = JSON.parse(column);
    return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
  } catch {
    return [];
  }
}

/** A stored value outside the known set (written by hand, or by a newer version) falls back to the strictest reading. */
function readPolicy(value: string): AuthPolicy {
  return (authPolicies as readonly string[]).includes(value) ? (value as AuthPolicy) : 'publickey+password';
}

function readEncoding(value: string): InputEncoding {
  return (inputEncodings as readonly string[]).includes(value) ? (value as InputEncoding) : 'utf-8';
}

export function toAccount(row: AccountRow): TransferAccount {
  return {
    id: Number(row.id),
    username: row.username,
    authPolicy: readPolicy(row.auth_policy),
    folders: readFolders(row.folders),
    maxSessions: Number(row.max_sessions),
    quotaBytes: row.quota_bytes === null ? null : Number(row.quota_bytes),
    allowedNetworks: parseJsonStrings(row.allowed_networks),
    inputEncoding: readEncoding(row.input_encoding),
    disabled: toBool(row.disabled),
  };
}

export function toKeyInfo(row: SshKeyRow): SshKeyInfo {
  return {
    type: row.algorithm,
    bits: Number(row.bits),
    fingerprint: row.fingerprint,
    comment: row.comment,
    createdAt: toDate(row.created_at),
    removedAt: row.removed_at === null ? null : toDate(row.removed_at),
  };
}

export function toDetails(row: AccountRow, keys: SshKeyRow[]): TransferAccountDetails {
  return {
    ...toAccount(row),
    hasPassword: row.password_hash !== null,
    sshKeys: keys.map(toKeyInfo),
    lastLoginAt: row.last_login_at === null ? null : toDate(row.last_login_at),
    lastLoginAddress: row.last_login_address,
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
    createdBy: row.created_by,
    updatedBy: row.updated_by,
  };
}
