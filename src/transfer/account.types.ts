import type { AuthPolicy, FeedFolder } from './folders.ts';

/** Encodings an account's inbound files may be declared in; UTF-8 unless said otherwise. */
export const inputEncodings = ['utf-8', 'windows-1252', 'iso-8859-1'] as const;
export type InputEncoding = (typeof inputEncodings)[number];

/** What the SFTP server is given about an authenticated account. No secrets. */
export interface TransferAccount {
  id: number;
  username: string;
  authPolicy: AuthPolicy;
  /** Non-empty, in the order of `feedFolders`. */
  folders: FeedFolder[];
  maxSessions: number;
  /** Bytes the account may keep in its tree; null = no quota. */
  quotaBytes: number | null;
  /** CIDR ranges (`10.0.0.0/8`, `2001:db8::/32`); empty = any address. */
  allowedNetworks: string[];
  inputEncoding: InputEncoding;
  disabled: boolean;
}

export interface SshKeyInfo {
  /** ssh-ed25519, ecdsa-sha2-nistp256/384/521 or ssh-rsa. */
  type: string;
  bits: number;
  fingerprint: string;
  comment: string | null;
  createdAt: Date;
  /** Set when the key was removed; a removed key no longer authenticates. */
  removedAt: Date | null;
}

/** The admin's view of an account: never the password hash, only whether there is one. */
export interface TransferAccountDetails extends TransferAccount {
  hasPassword: boolean;
  sshKeys: SshKeyInfo[];
  lastLoginAt: Date | null;
  lastLoginAddress: string | null;
  createdAt: Date;
  updatedAt: Date;
  createdBy: string | null;
  updatedBy: string | null;
}

export interface NewTransferAccount {
  username: string;
  /** Omitted where the policy needs one: a strong password is generated and returned once. */
  password?: string;
  /** authorized_keys lines. */
  sshKeys?: string[];
  /** Default: publickey with keys only, password-or-publickey with both, else password. */
  authPolicy?: string;
  /** Feed folder names; default all. */
  folders?: string[];
  maxSessions?: number;
  quotaBytes?: number | null;
  allowedNetworks?: string[];
  inputEncoding?: string;
  disabled?: boolean;
}

export interface TransferAccountPatch {
  authPolicy?: string;
  folders?: string[];
  maxSessions?: number;
  quotaBytes?: number | null;
  allowedNetworks?: string[];
  inputEncoding?: string;
  disabled?: boolean;
}

/** A password given back exactly once: on creation or reset, never stored in clear, never shown again. */
export interface GeneratedPassword {
  generatedPassword?: string;
}

export type LoginMethod = 'password' | 'publickey' | 'publickey+password';

/**
 * What authenticate* answers. `ok: true` with `methodsLeft: ['password']` is the partial success of the
 * publickey+password policy. A failure is the same whatever caused it; `keyAcceptable` answers only the
 * unsigned public key query (would this key be accepted if signed?).
 */
export type AuthResult =
  | {
      ok: true;
      account: TransferAccount;
      methodsLeft: [] | ['password'];
      /** Public key logins: the fingerprint of the key used (worth passing to recordLogin's detail). */
      keyFingerprint?: string;
    }
  | { ok: false; keyAcceptable?: boolean };

export type AddressCheck = { allowed: true } | { allowed: false; reason: 'banned' };

export interface Ban {
  address: string;
  reason: string;
  bannedAt: Date;
  until: Date;
}

export interface DefenceSettings {
  /** Failed logins (per address, or per account) within the window that trigger a ban. */
  threshold: number;
  windowSeconds: number;
  banSeconds: number;
}

export const defaultDefenceSettings: DefenceSettings = { threshold: 5, windowSeconds: 300, banSeconds: 900 };
