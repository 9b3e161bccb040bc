import type { ColumnType, Generated } from 'kysely';

/** SQLite keeps ISO-8601 UTC text, PostgreSQL timestamptz (read back as Date). Writes are always ISO text. */
export type Timestamp = ColumnType<Date | string, string, string>;
/** SQLite keeps 0/1 (the boolean plugin converts parameters), PostgreSQL boolean. */
export type Bool = ColumnType<boolean | number, boolean, boolean>;

interface Audited {
  created_at: Timestamp;
  updated_at: Timestamp;
  created_by: string | null;
  updated_by: string | null;
}

export interface CoreRoleTable extends Audited {
  id: Generated<number>;
  name: string;
  description: string | null;
  predefined: Bool;
}

export interface CoreUserTable extends Audited {
  id: Generated<number>;
  login: string;
  email: string;
  firstname: string;
  lastname: string;
  middlename: string | null;
  mention_name: string | null;
  employee_number: string | null;
  active: Bool;
  phone_work: string | null;
  phone_mobile: string | null;
  default_currency: string | null;
  default_locale: string | null;
  manager_id: number | null;
  ccw_user: Bool;
  sso_identifier: string | null;
  authentication_method: string | null;
  approval_limit_amount: string | null;
  approval_limit_currency: string | null;
  exported: Bool;
}

export interface CoreUserRoleTable {
  user_id: number;
  role_id: number;
}

export interface CoreAccountTypeTable extends Audited {
  id: Generated<number>;
  name: string;
  active: Bool;
  currency: string;
  exported: Bool;
}

export interface CoreAccountTypeSegmentTable {
  account_type_id: number;
  position: number;
  field_type_code: string | null;
  field_type_name: string;
  lookup_id: number | null;
}

export type SegmentColumns = {
  [K in `segment_${1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12 | 13 | 14 | 15 | 16 | 17 | 18 | 19 | 20}`]: string | null;
};

export interface CoreAccountTable extends Audited, SegmentColumns {
  id: Generated<number>;
  account_type_id: number;
  name: string | null;
  code: string;
  active: Bool;
  exported: Bool;
}

export interface CoreLookupTable extends Audited {
  id: Generated<number>;
  name: string;
  description: string | null;
  active: Bool;
  /** JSON array of level names, index 0 = level 1. */
  level_names: string;
  exported: Bool;
}

export interface CoreLookupValueTable extends Audited {
  id: Generated<number>;
  lookup_id: number;
  name: string;
  description: string | null;
  active: Bool;
  external_ref_num: string | null;
  external_ref_code: string | null;
  parent_id: number | null;
  depth: number;
  is_default: Bool;
  account_type_id: number | null;
  exported: Bool;
}

export interface AuthApiKeyTable {
  id: Generated<number>;
  name: string;
  key_hash: string;
  key_prefix: string;
  scopes: string;
  active: Bool;
  rate_limited: Bool;
  created_at: Timestamp;
  last_used_at: Timestamp | null;
}

export interface AuthOAuthClientTable {
  id: Generated<number>;
  client_id: string;
  name: string;
  secret_hash: string;
  scopes: string;
  active: Bool;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface AuthOAuthTokenTable {
  token_hash: string;
  client_id: string;
  scopes: string;
  expires_at: Timestamp;
  created_at: Timestamp;
}

export interface Database {
  core_roles: CoreRoleTable;
  core_users: CoreUserTable;
  core_user_roles: CoreUserRoleTable;
  core_account_types: CoreAccountTypeTable;
  core_account_type_segments: CoreAccountTypeSegmentTable;
  core_accounts: CoreAccountTable;
  core_lookups: CoreLookupTable;
  core_lookup_values: CoreLookupValueTable;
  auth_api_keys: AuthApiKeyTable;
  auth_oauth_clients: AuthOAuthClientTable;
  auth_oauth_tokens: AuthOAuthTokenTable;
}

export interface TransferAccountTable {
  id: Generated<number>;
  username: string;
  password_hash: string | null;
  auth_policy: string;
  /** JSON array of virtual folder paths the account may use, e.g. ["/Incoming/CCW", "/Outgoing/CCW"]. */
  folders: string;
  max_sessions: number;
  /** Bytes; PostgreSQL's bigint comes back as text, so read it with Number(). */
  quota_bytes: number | string | null;
  /** JSON array of CIDR ranges; empty = any address. */
  allowed_networks: string;
  input_encoding: string;
  disabled: Bool;
  last_login_at: Timestamp | null;
  last_login_address: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  created_by: string | null;
  updated_by: string | null;
}

export interface TransferSshKeyTable {
  id: Generated<number>;
  account_id: number;
  algorithm: string;
  bits: number;
  fingerprint: string;
  public_key: string;
  comment: string | null;
  created_at: Timestamp;
  removed_at: Timestamp | null;
}

export interface TransferAuditEventTable {
  id: Generated<number>;
  at: Timestamp;
  event: string;
  outcome: string;
  username: string | null;
  account_id: number | null;
  address: string | null;
  method: string | null;
  /** JSON object with event-specific facts (never secrets). */
  detail: string | null;
}

export interface TransferLoginFailureTable {
  id: Generated<number>;
  address: string;
  username: string | null;
  at: Timestamp;
}

export interface TransferBanTable {
  address: string;
  reason: string;
  banned_at: Timestamp;
  until: Timestamp;
}

export interface TransferReceivedFileTable {
  id: Generated<number>;
  account_id: number;
  /** Virtual folder, e.g. "/Incoming/CCW". */
  folder: string;
  name: string;
  /** Name of the immutable stored copy in the file store. */
  storage_key: string;
  size: number | string;
  sha256: string;
  /** receiving | received | processing | processed | failed */
  status: string;
  address: string | null;
  received_at: Timestamp;
  updated_at: Timestamp;
}

/** A live SFTP session on some node; see migration 0009. */
export interface TransferSftpSessionTable {
  session_id: string;
  node_id: string;
  account_id: number;
  username: string;
  address: string;
  started_at: Timestamp;
  last_seen_at: Timestamp;
  bytes_in: number | string;
  bytes_out: number | string;
}

export interface Database {
  transfer_accounts: TransferAccountTable;
  transfer_ssh_keys: TransferSshKeyTable;
  transfer_audit_events: TransferAuditEventTable;
  transfer_login_failures: TransferLoginFailureTable;
  transfer_bans: TransferBanTable;
  transfer_received_files: TransferReceivedFileTable;
  transfer_sftp_sessions: TransferSftpSessionTable;
}

// Workforce (src/workforce/) and sync (src/sync/), migration 0005.

export interface WorkforceRoleTable {
  id: Generated<number>;
  name: string;
}

export interface WorkforceUserTable {
  id: Generated<number>;
  /** The Core user this Workforce user mirrors (null for a stand-alone Workforce user). */
  source_id: number | null;
  user_name: string;
  first_name: string;
  last_name: string;
  nick_name: string | null;
  email: string;
  phone_number: string | null;
  default_currency: string | null;
  employee_number: string | null;
  active: Bool;
  supervisor_id: number | null;
  /** The supervisor wanted by the source (Core manager id), linked as soon as that user is in Workforce. */
  supervisor_source_id: number | null;
  approval_limit_amount: string | null;
  approval_limit_currency: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface WorkforceUserRoleTable {
  user_id: number;
  role_id: number;
}

export interface WorkforceSettingTable {
  key: string;
  /** JSON. */
  value: string;
  updated_at: Timestamp;
}

export interface WorkforceSegmentValueTable {
  id: Generated<number>;
  slot: number;
  name: string;
  code: string | null;
  description: string | null;
  active: Bool;
  /** Set for values copied from the designated chart of accounts (e.g. "lv:12", "seg:4100"); null for HR values. */
  source_key: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface WorkforceSegmentRelationshipTable {
  id: Generated<number>;
  parent_value_id: number;
  child_value_id: number;
  active: Bool;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface WorkforceWorkLocationTable {
  id: Generated<number>;
  code: string;
  name: string | null;
  address_line1: string;
  address_line2: string | null;
  city: string;
  state: string;
  postal_code: string | null;
  country: string;
  active: Bool;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SyncOutboxTable {
  /** bigint on PostgreSQL: read with Number(). */
  id: Generated<number | string>;
  entity: string;
  entity_id: number;
  kind: string;
  /** JSON facts the current state no longer holds (e.g. an account's previous segments). */
  detail: string | null;
  created_at: Timestamp;
  applied_at: Timestamp | null;
  attempts: Generated<number>;
  next_attempt_at: Timestamp | null;
  last_error: string | null;
  parked: ColumnType<boolean | number, boolean | undefined, boolean>;
}

export interface Database {
  workforce_roles: WorkforceRoleTable;
  workforce_users: WorkforceUserTable;
  workforce_user_roles: WorkforceUserRoleTable;
  workforce_settings: WorkforceSettingTable;
  workforce_segment_values: WorkforceSegmentValueTable;
  workforce_segment_relationships: WorkforceSegmentRelationshipTable;
  workforce_work_locations: WorkforceWorkLocationTable;
  sync_outbox: SyncOutboxTable;
}

// PGP (src/pgp/), migration 0004.

export interface PgpKeyTable {
  /** Upper-case hex, 40 digits (v4 keys). */
  fingerprint: string;
  key_id: string;
  /** e.g. "ed25519/cv25519" or "rsa4096". */
  algorithm: string;
  /** Armored public key; the private key is the file <data dir>/pgp/<fingerprint>.asc. */
  public_key: string;
  /** published (exactly one: what customers encrypt for, what Workgate signs with) | active (still decrypts) | retired. */
  state: string;
  created_at: Timestamp;
  retired_at: Timestamp | null;
}

export interface PgpCustomerKeyTable {
  id: Generated<number>;
  account_id: number;
  /** encrypt (outbound files are encrypted for it) | sign (inbound signatures are verified with it). */
  purpose: string;
  fingerprint: string;
  key_id: string;
  algorithm: string;
  bits: number | null;
  expires_at: Timestamp | null;
  user_id: string | null;
  public_key: string;
  created_at: Timestamp;
  updated_at: Timestamp;
  created_by: string | null;
  updated_by: string | null;
}

export interface PgpAccountPolicyTable {
  account_id: number;
  require_signed_inbound: Bool;
  updated_at: Timestamp;
  updated_by: string | null;
}

export interface Database {
  pgp_keys: PgpKeyTable;
  pgp_customer_keys: PgpCustomerKeyTable;
  pgp_account_policies: PgpAccountPolicyTable;
}

// Feeds (src/feeds/), migration 0006.

export interface FeedRunTable {
  id: Generated<number>;
  received_file_id: number;
  account_id: number;
  folder: string;
  file_name: string;
  size: number | string;
  sha256: string;
  /** SHA-256 of the plaintext (after PGP), for duplicate detection. */
  content_sha256: string | null;
  encrypted: Bool;
  layout: string | null;
  mode: string | null;
  /** pending | loading | applied | held | done | done_with_errors | failed | duplicate */
  status: string;
  approved: Bool;
  rows_read: number;
  created_count: number;
  updated_count: number;
  unchanged_count: number;
  deactivated_count: number;
  error_count: number;
  held_missing: number | null;
  held_active: number | null;
  result_text: string | null;
  /** JSON array of file-level warnings (unknown columns, ...). */
  warnings: string | null;
  result_file: string | null;
  /** The result written before commit, published after (crash safety). */
  result_temp: string | null;
  /** JSON object: milliseconds per phase. */
  timings: string | null;
  attempts: number;
  last_error: string | null;
  claimed_by: string | null;
  heartbeat_at: Timestamp | null;
  next_attempt_at: Timestamp | null;
  reprocess_of: number | null;
  created_by: string | null;
  created_at: Timestamp;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
  updated_at: Timestamp;
}

export interface FeedRunErrorTable {
  id: Generated<number>;
  run_id: number;
  line: number | null;
  column_name: string | null;
  message: string;
}

export interface Database {
  feed_runs: FeedRunTable;
  feed_run_errors: FeedRunErrorTable;
}

// Sign-in of people (src/http/sso/), migration 0007.

export interface SsoProviderTable {
  id: Generated<number>;
  name: string;
  /** oidc | saml */
  kind: string;
  enabled: Bool;
  /** JSON: the provider's settings without secrets (issuer, client id, IdP certificates, claim, fallback, ...). */
  settings: string;
  /** OIDC client secret; never returned by the API. */
  secret: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  created_by: string | null;
  updated_by: string | null;
}

/** A sign-in in progress: found by the browser's binding cookie (its SHA-256) or, for SAML, by RelayState. */
export interface SsoLoginStateTable {
  binding_hash: string;
  state: string;
  provider: string;
  nonce: string | null;
  code_verifier: string | null;
  saml_request_id: string | null;
  return_to: string;
  /** JSON: the verified identity, once a SAML response was accepted (completed by a GET carrying the cookie). */
  identity: string | null;
  created_at: Timestamp;
  expires_at: Timestamp;
}

export interface SsoSamlAssertionTable {
  assertion_id: string;
  provider: string;
  expires_at: Timestamp;
}

export interface SsoSessionTable {
  id: Generated<number>;
  /** SHA-256 of the cookie's token; the token itself is never stored. */
  token_hash: string;
  csrf_token: string;
  provider: string | null;
  subject: string | null;
  core_user_id: number | null;
  local_admin_id: number | null;
  /** JSON: what the person may reach, re-evaluated every minute. */
  access: string;
  /** OIDC: for RP-initiated logout (id_token_hint). */
  id_token: string | null;
  address: string | null;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  access_checked_at: Timestamp;
  /** Absolute end; the idle end is last_seen_at plus the idle timeout. */
  expires_at: Timestamp;
  ended_at: Timestamp | null;
}

export interface SsoLocalAdminTable {
  id: Generated<number>;
  login: string;
  password_hash: string;
  disabled: Bool;
  last_login_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SsoAuditEventTable {
  id: Generated<number>;
  at: Timestamp;
  event: string;
  /** success | refused | failure */
  outcome: string;
  provider: string | null;
  subject: string | null;
  login: string | null;
  address: string | null;
  reason: string | null;
  message: string | null;
}

export interface Database {
  sso_providers: SsoProviderTable;
  sso_login_states: SsoLoginStateTable;
  sso_saml_assertions: SsoSamlAssertionTable;
  sso_sessions: SsoSessionTable;
  sso_local_admins: SsoLocalAdminTable;
  sso_audit_events: SsoAuditEventTable;
}
