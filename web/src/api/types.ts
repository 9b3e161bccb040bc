/** The shapes the pages read, as the API renders them in JSON (element names kept as the API spells them). */

export type Reach = 'console' | 'workforce';

export interface Me {
  kind: string;
  login: string | null;
  name: string | null;
  email?: string | null;
  roles: string[];
  reach: Reach[];
  missing?: Array<{ gate: Reach; reason: string; message: string }>;
  scopes: string[];
  provider?: string | null;
  'csrf-token'?: string;
  'expires-at'?: string;
}

export interface SshKey {
  type: string;
  bits: number | null;
  fingerprint: string;
  comment: string | null;
  'created-at': string;
  'removed-at': string | null;
}

export interface SftpAccount {
  id: number;
  username: string;
  'auth-policy': string;
  'has-password': boolean;
  'ssh-keys': SshKey[];
  folders: string[];
  'max-sessions': number;
  'quota-bytes': number | null;
  'allowed-networks': string[];
  'input-encoding': string;
  disabled: boolean;
  'last-login-at': string | null;
  'last-login-address': string | null;
  'created-at': string;
  'updated-at': string;
  'generated-password'?: string;
}

export interface AuditEvent {
  id: number;
  at: string;
  event: string;
  outcome: string;
  username: string | null;
  address: string | null;
  method: string | null;
  detail: Record<string, unknown> | null;
}

export interface Ban {
  address: string;
  reason: string;
  'banned-at': string;
  until: string | null;
}

export interface HostKey {
  type: string;
  bits: number | null;
  fingerprint: string;
  'public-key': string;
}

export interface LiveSession {
  id: string | number;
  /** The node holding the connection: host:SFTP port. */
  node: string;
  username: string;
  address: string;
  'started-at': string;
  'bytes-in': number;
  'bytes-out': number;
}

export interface CustomerKey {
  fingerprint: string;
  'key-id': string;
  algorithm: string;
  bits: number | null;
  'expires-at': string | null;
  'user-id': string | null;
  'updated-at': string;
}

export interface AccountPgpKeys {
  username: string;
  'encryption-key': CustomerKey | null;
  'signing-key': CustomerKey | null;
  'require-signed-inbound': boolean;
}

export interface WorkgateKey {
  fingerprint: string;
  'key-id': string;
  algorithm: string;
  state: string;
  'created-at': string;
  'retired-at': string | null;
}

export interface Run {
  id: number;
  'file-name': string;
  folder: string;
  account: { id: number; username: string | null };
  status: string;
  layout: string | null;
  mode: string | null;
  size: number;
  sha256: string;
  encrypted: boolean;
  'result-text': string | null;
  'result-file': string | null;
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  deactivated: number;
  errors: number;
  progress: number;
  'rows-read': number;
  held: { 'would-deactivate': number; active: number } | null;
  warnings: string[];
  'upload-errors': Array<{ line: number | null; column: string | null; message: string }>;
  timings: Record<string, number>;
  attempts: number;
  'last-error': string | null;
  'reprocess-of': number | null;
  approved: boolean | string | null;
  'created-at': string;
  'started-at': string | null;
  'finished-at': string | null;
}

export interface UserRef {
  id: number;
  login: string;
  email: string;
  fullname: string;
  active: boolean;
}

export interface CoreUser extends UserRef {
  firstname: string;
  lastname: string;
  'employee-number': string | null;
  'phone-work': string | null;
  'default-currency': { code: string } | null;
  manager: UserRef | null;
  roles: Array<{ id: number; name: string }>;
  'ccw-user': boolean;
  'sso-identifier': string | null;
  'approval-limit': { amount: string; currency: { code: string } } | null;
}

export interface Chart {
  id: number;
  name: string;
  active: boolean;
  currency: { code: string };
  segments: Array<{ position: number; 'field-type-code': string | null; 'field-type-name': string; lookup: { id: number; name: string } | null }>;
}

export interface CoreAccount {
  id: number;
  name: string | null;
  code: string;
  active: boolean;
  'account-type': { id: number; name: string };
  [segment: `segment-${number}`]: string | null;
}

export interface Lookup {
  id: number;
  name: string;
  description: string | null;
  active: boolean;
  'level-names': Array<{ level: number; name: string }>;
}

export interface LookupValue {
  id: number;
  name: string;
  description: string | null;
  active: boolean;
  lookup: { id: number; name: string };
  'external-ref-code': string | null;
  parent: { id: number; name: string } | null;
  depth: number;
}

export interface Segment {
  slot: number;
  name: string | null;
  owner: string;
}

export interface WorkforceSettings {
  'chart-of-accounts': { id: number; name: string } | null;
  'segment-names': Record<string, string>;
  segments: Segment[];
  designation?: {
    moved: Array<{ slot: number; before: { owner: string; name: string | null }; after: { owner: string; name: string | null }; deactivated: number }>;
    values: Array<{ slot: number; created: number; updated: number; unchanged: number; deactivated: number; conflicts: Array<{ name: string }> }>;
  };
}

export interface SegmentValue {
  id: number;
  slot: number;
  name: string;
  code: string | null;
  description: string | null;
  active: boolean;
  source: string;
}

export interface WorkforceUser {
  id: number;
  'user-name': string;
  'first-name': string;
  'last-name': string;
  'nick-name': string | null;
  email: string;
  'phone-number': string | null;
  'default-currency': { code: string } | null;
  'employee-number': string | null;
  status: string;
  supervisor: { id: number; 'user-name': string } | null;
  roles: Array<{ name: string }>;
  'approval-limit': { amount: string; currency: { code: string } } | null;
}

export interface SyncStatus {
  pending: number;
  retrying: number;
  parked: number;
  'oldest-pending-at': string | null;
  'lag-seconds': string | number;
  'last-applied-at': string | null;
  'last-error': { 'event-id': number; entity: string; 'entity-id': string; message: string } | null;
  'parked-events': SyncEvent[];
  /** The next pending events, in id order (at most 20). */
  'pending-events': Array<SyncEvent & { 'next-attempt-at': string | null }>;
}

export interface SyncEvent {
  id: number;
  entity: string;
  'entity-id': string;
  attempts: number;
  'last-error': string | null;
  'created-at': string;
}

export interface Provider {
  name: string;
  kind: 'oidc' | 'saml';
  enabled: boolean;
  claim: string;
  fallback: string;
  issuer?: string;
  'client-id'?: string;
  'redirect-uri'?: string;
  'sso-url'?: string;
  'acs-url'?: string;
  'sp-entity-id'?: string;
}

export interface OAuthClient {
  'client-id': string;
  name: string;
  scopes: string[];
  active: boolean;
  'created-at': string;
  'client-secret'?: string;
}

export interface SignInEvent {
  id: number;
  at: string;
  event: string;
  outcome: string | null;
  provider: string | null;
  login: string | null;
  address: string | null;
  reason: string | null;
  message: string | null;
}
