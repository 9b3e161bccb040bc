/**
 * Transfer: SFTP accounts, their SSH keys, brute-force defence and the transfer audit trail.
 * This file is the module's only public face; import nothing deeper.
 *
 * Build the service once in the composition root:
 *
 *   const transfer = createTransferAccounts({ db, clock, log, defence: config.sftpDefence });
 *
 * Admin side (HTTP admin API, CLI): create, list, get, update, setDisabled, resetPassword, addKey,
 * listKeys, removeKey, listBans, liftBan, auditEvents. Every change is audited with its actor.
 *
 * What the SFTP server calls during a connection, in this order:
 *
 * 1. `checkAddress(address)` when the TCP connection arrives, before any authentication:
 *    `{ allowed: false, reason: 'banned' }` means close it at once (nothing is audited or counted).
 * 2. For each authentication request, with the username as the client sent it (lower-casing is done here)
 *    and the socket's remote address (IPv4-mapped IPv6 is understood):
 *    - `authenticatePassword(username, password, address, { afterPublicKey? })`: for the
 *      publickey+password policy, pass `afterPublicKey: true` only when this connection's signed key
 *      step already succeeded for the same username.
 *    - `authenticatePublicKey(username, ctx.key, address, { verified, signed? })`: without a signature
 *      (ssh2's query, `signed: false`) the answer is `{ ok: false, keyAcceptable }`: accept the query
 *      (ctx.accept()) when keyAcceptable, reject otherwise; nothing is counted. With a signature, verify
 *      it yourself against `ctx.key.data` (ssh2.utils.parseKey(ctx.key.data).verify(ctx.blob, ctx.signature,
 *      ctx.hashAlgo)) and pass `verified` (and `signed: true`): a bad signature counts as a failure.
 *    Both answer `{ ok: true, account, methodsLeft }` or `{ ok: false }`. `methodsLeft: ['password']` is the
 *    partial success of publickey+password: `ctx.reject(['password'], true)`. A failure is the same
 *    whatever caused it (unknown user, disabled, removed key, wrong password, network, banned): it is
 *    already audited (`login_failed`) and counted, and the address banned when it crossed the threshold.
 *    A banned address fails every further attempt, on this connection too.
 * 3. On `{ ok: true, methodsLeft: [] }` the credentials are proven and the account is enabled and allowed
 *    from this address (`accountNetworksAllow` is already applied; it is exported for re-checks). Apply
 *    the session limit (`account.maxSessions`; audit `session_limit` when refused), then
 *    `recordLogin(account, address, method, { fingerprint })`, which writes last_login_at/address and the
 *    `login` audit event.
 * 4. File operations: `audit({ event: 'upload' | 'download' | 'delete' | 'rename' | 'mkdir' | 'path_refused'
 *    | 'quota_exceeded' | 'logout', username, accountId, address, detail })`; detail is flat and small,
 *    never a secret.
 */
export {
  createTransferAccounts,
  type Actor,
  type TransferAccounts,
  type TransferAccountsDeps,
} from './accounts.service.ts';
export {
  defaultDefenceSettings,
  inputEncodings,
  type AddressCheck,
  type AuthResult,
  type Ban,
  type DefenceSettings,
  type GeneratedPassword,
  type InputEncoding,
  type LoginMethod,
  type NewTransferAccount,
  type SshKeyInfo,
  type TransferAccount,
  type TransferAccountDetails,
  type TransferAccountPatch,
} from './account.types.ts';
export { auditEventNames, auditOutcomes, type AuditDetail, type AuditEvent, type AuditEventInput, type AuditEventName, type AuditOutcome, type AuditQuery } from './audit.ts';
export type { OfferedKey, PublicKeyProof } from './authenticate.ts';
export { archivePath, authPolicies, feedFolders, incomingPath, isFeedFolder, outgoingPath, type AuthPolicy, type FeedFolder } from './folders.ts';
export { normalizeAddress } from './networks.ts';
export { passwordMaxLength, passwordMinLength } from './password-policy.ts';
export { acceptedKeyTypes, fingerprintOf, minRsaBits, type SshKeyType } from './ssh-keys.ts';
export { transferAdminRoutes, type TransferAdminRoutesOptions } from './admin.routes.ts';
export { registerAccountsCommands } from './accounts.cli.ts';
