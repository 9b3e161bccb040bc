import type * as openpgp from 'openpgp';
import { toDate } from '../db/index.ts';
import { AppError, NotFoundError, ValidationError } from '../shared/errors.ts';
import type { AccountKeyChanges, CustomerKeyRow, CustomerKeysRepo, CustomerKeyValues } from './customer-keys.repo.ts';
import { inspectPublicKey, type KeyPurpose } from './key-inspection.ts';
import { PgpError } from './pgp.errors.ts';

/** The one thing the PGP module needs from SFTP accounts: an account's id by its username. */
export type FindAccountId = (username: string) => Promise<number | undefined>;

export interface CustomerKeyInfo {
  purpose: KeyPurpose;
  fingerprint: string;
  keyId: string;
  algorithm: string;
  bits: number | null;
  expiresAt: Date | null;
  userId: string | null;
  armored: string;
  updatedAt: Date;
  updatedBy: string | null;
}

export interface AccountPgpKeys {
  username: string;
  encryptionKey: CustomerKeyInfo | null;
  signingKey: CustomerKeyInfo | null;
  requireSignedInbound: boolean;
}

/** For each field: text to set, null to remove, undefined to leave as it is. */
export interface AccountPgpKeysInput {
  encryptionKey?: string | Uint8Array | null;
  signingKey?: string | Uint8Array | null;
  requireSignedInbound?: boolean;
}

export interface InboundPolicy {
  verificationKeys: openpgp.PublicKey[];
  requireSigned: boolean;
}

const fieldNames: Record<KeyPurpose, string> = { encrypt: 'encryption key', sign: 'signing key' };
const maxUsernameLength = 64;

function present(row: CustomerKeyRow): CustomerKeyInfo {
  return {
    purpose: row.purpose as KeyPurpose,
    fingerprint: row.fingerprint,
    keyId: row.key_id,
    algorithm: row.algorithm,
    bits: row.bits,
    expiresAt: row.expires_at === null ? null : toDate(row.expires_at),
    userId: row.user_id,
    armored: row.public_key,
    updatedAt: toDate(row.updated_at),
    updatedBy: row.updated_by,
  };
}

export function createCustomerKeysService(deps: { repo: CustomerKeysRepo; findAccountId: FindAccountId; clock: () => Date }) {
  const { repo, clock } = deps;

  async function accountId(username: string): Promise<number> {
    if (username.length === 0 || username.length > maxUsernameLength) throw new NotFoundError('SFTP account', username.slice(0, maxUsernameLength));
    const id = await deps.findAccountId(username);
    if (id === undefined) throw new NotFoundError('SFTP account', username);
    return id;
  }

  async function checked(input: string | Uint8Array, purpose: KeyPurpose): Promise<CustomerKeyValues> {
    try {
      const { facts } = await inspectPublicKey(input, purpose, clock());
      return {
        fingerprint: facts.fingerprint,
        key_id: facts.keyId,
        algorithm: facts.algorithm,
        bits: facts.bits,
        expires_at: facts.expiresAt?.toISOString() ?? null,
        user_id: facts.userId,
        public_key: facts.armored,
        updated_at: clock().toISOString(),
      };
    } catch (error) {
      if (error instanceof PgpError) throw new PgpError(error.reason, `${fieldNames[purpose]}: ${error.message}`);
      throw error;
    }
  }

  async function changesFrom(input: AccountPgpKeysInput): Promise<AccountKeyChanges> {
    const changes: AccountKeyChanges = {};
    if (input.encryptionKey !== undefined) changes.encrypt = input.encryptionKey === null ? null : await checked(input.encryptionKey, 'encrypt');
    if (input.signingKey !== undefined) changes.sign = input.signingKey === null ? null : await checked(input.signingKey, 'sign');
    if (input.requireSignedInbound !== undefined) changes.requireSignedInbound = input.requireSignedInbound;
    return changes;
  }

  async function get(username: string): Promise<AccountPgpKeys> {
    const id = await accountId(username);
    const rows = await repo.keysOf(id);
    const of = (purpose: KeyPurpose) => rows.find((row) => row.purpose === purpose);
    const encrypt = of('encrypt');
    const sign = of('sign');
    return { username, encryptionKey: encrypt ? present(encrypt) : null, signingKey: sign ? present(sign) : null, requireSignedInbound: await repo.requiresSigned(id) };
  }

  async function update(username: string, input: AccountPgpKeysInput, actor: string): Promise<AccountPgpKeys> {
    const id = await accountId(username);
    const changes = await changesFrom(input);
    const current = await get(username);
    const signingKeyAfter = changes.sign === undefined ? current.signingKey !== null : changes.sign !== null;
    const requireAfter = changes.requireSignedInbound ?? current.requireSignedInbound;
    if (requireAfter && !signingKeyAfter) {
      throw new ValidationError('pgp-keys', [{ field: 'require-signed-inbound', message: 'Require signed inbound needs a signing key: give the customer\'s signing key too' }]);
    }
    await repo.apply(id, changes, actor, clock().toISOString());
    return get(username);
  }

  async function keysFor(username: string, purpose: KeyPurpose): Promise<openpgp.PublicKey | undefined> {
    const row = (await repo.keysOf(await accountId(username))).find((r) => r.purpose === purpose);
    if (!row) return undefined;
    // Checked again now: a key valid when it was set may have expired since.
    return (await inspectPublicKeyOrExplain(row.public_key, purpose, username)).key;
  }

  async function inspectPublicKeyOrExplain(armored: string, purpose: KeyPurpose, username: string) {
    try {
      return await inspectPublicKey(armored, purpose, clock());
    } catch (error) {
      if (error instanceof PgpError) throw new PgpError(error.reason, `the ${fieldNames[purpose]} of SFTP account ${username} can no longer be used: ${error.message}`);
      throw error;
    }
  }

  return {
    get,
    update,
    async remove(username: string): Promise<void> {
      await repo.removeAll(await accountId(username));
    },
    /** The customer's key to encrypt outbound files for, checked usable now; no_customer_key when there is none. */
    async encryptionKeyFor(username: string): Promise<openpgp.PublicKey> {
      const key = await keysFor(username, 'encrypt');
      if (!key) throw new PgpError('no_customer_key', `SFTP account ${username} has no PGP encryption key: set one with PUT /api/admin/sftp-accounts/${username}/pgp-keys`);
      return key;
    },
    /** What an inbound file of this account must satisfy. */
    async inboundPolicyFor(username: string): Promise<InboundPolicy> {
      const id = await accountId(username);
      const requireSigned = await repo.requiresSigned(id);
      const key = await keysFor(username, 'sign').catch((error: unknown) => {
        if (requireSigned || !(error instanceof AppError)) throw error;
        return undefined;
      });
      return { verificationKeys: key ? [key] : [], requireSigned };
    },
  };
}

export type CustomerKeysService = ReturnType<typeof createCustomerKeysService>;
