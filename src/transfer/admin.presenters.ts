import type { ApiObject } from '../http/api/render/values.ts';
import type { Ban, SshKeyInfo, TransferAccountDetails } from './account.types.ts';
import type { AuditEvent } from './audit.ts';

/**
 * Every element of the admin API's output, built by name: a password hash cannot reach a client
 * because nothing here reads one. The same tree renders as JSON and XML.
 */
export function presentKey(key: SshKeyInfo): ApiObject {
  return {
    type: key.type,
    bits: key.bits,
    fingerprint: key.fingerprint,
    comment: key.comment,
    'created-at': key.createdAt,
    'removed-at': key.removedAt,
  };
}

export function presentAccount(account: TransferAccountDetails): ApiObject {
  return {
    id: account.id,
    username: account.username,
    'auth-policy': account.authPolicy,
    'has-password': account.hasPassword,
    'ssh-keys': account.sshKeys.map(presentKey),
    folders: [...account.folders],
    'max-sessions': account.maxSessions,
    'quota-bytes': account.quotaBytes,
    'allowed-networks': [...account.allowedNetworks],
    'input-encoding': account.inputEncoding,
    disabled: account.disabled,
    'last-login-at': account.lastLoginAt,
    'last-login-address': account.lastLoginAddress,
    'created-at': account.createdAt,
    'updated-at': account.updatedAt,
    'created-by': account.createdBy,
    'updated-by': account.updatedBy,
  };
}

export function presentBan(ban: Ban): ApiObject {
  return { address: ban.address, reason: ban.reason, 'banned-at': ban.bannedAt, until: ban.until };
}

export function presentAuditEvent(event: AuditEvent): ApiObject {
  return {
    id: event.id,
    at: event.at,
    event: event.event,
    outcome: event.outcome,
    username: event.username,
    'account-id': event.accountId,
    address: event.address,
    method: event.method,
    detail: event.detail === null ? null : { ...event.detail },
  };
}
