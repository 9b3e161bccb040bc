import type * as openpgp from 'openpgp';
import type { Logger } from 'pino';
import { toDate } from '../db/index.ts';
import { AppError, NotFoundError } from '../shared/errors.ts';
import type { KeyFiles } from './key-files.ts';
import { generateWorkgateKey, protectKey, unlockKey, type WorkgateKeyType } from './key-material.ts';
import type { KeyRow, KeysRepo, KeyState } from './keys.repo.ts';
import { PgpError } from './pgp.errors.ts';

export interface WorkgateKeyInfo {
  fingerprint: string;
  keyId: string;
  algorithm: string;
  state: KeyState;
  createdAt: Date;
  retiredAt: Date | null;
}

export interface PublishedKey extends WorkgateKeyInfo {
  /** The armored public key customers encrypt for. */
  armored: string;
}

export interface KeyRingDeps {
  repo: KeysRepo;
  files: KeyFiles;
  passphrase: string | undefined;
  keyType: WorkgateKeyType;
  log: Logger;
  clock: () => Date;
}

/** Workgate's own keys: the table says which is published, the files hold the private keys. */
export interface KeyRing {
  /** At start: makes the first key if there is none, then unlocks every non-retired key (a wrong passphrase throws). */
  open(): Promise<void>;
  /** Picks up what another node (or the CLI) rotated or retired. */
  refresh(): Promise<void>;
  list(): Promise<WorkgateKeyInfo[]>;
  published(): Promise<PublishedKey>;
  /** Every non-retired key, unlocked, freshest first. */
  decryptionKeys(): Promise<openpgp.PrivateKey[]>;
  /** The published key, unlocked: Workgate signs with it. */
  signingKey(): Promise<openpgp.PrivateKey>;
  rotate(): Promise<WorkgateKeyInfo>;
  retire(fingerprint: string): Promise<WorkgateKeyInfo>;
}

export function keyInfo(row: KeyRow): WorkgateKeyInfo {
  return {
    fingerprint: row.fingerprint,
    keyId: row.key_id,
    algorithm: row.algorithm,
    state: row.state as KeyState,
    createdAt: toDate(row.created_at),
    retiredAt: row.retired_at === null ? null : toDate(row.retired_at),
  };
}

/** Accepts what people paste: spaces, lower case, a 0x prefix. */
export function normalizeFingerprint(text: string): string {
  const compact = text.replace(/\s+/g, '').replace(/^0x/i, '').toUpperCase();
  if (!/^(?:[0-9A-F]{40}|[0-9A-F]{64})$/.test(compact)) {
    throw new AppError('bad_request', 'a key fingerprint is 40 hexadecimal digits (spaces allowed)');
  }
  return compact;
}

export function createKeyRing(deps: KeyRingDeps): KeyRing {
  const { repo, files, passphrase, log } = deps;
  const loaded = new Map<string, openpgp.PrivateKey>();
  let publishedFingerprint: string | undefined;
  let refreshing: Promise<KeyRow[]> | undefined;

  async function load(row: KeyRow): Promise<void> {
    const where = files.pathOf(row.fingerprint);
    const unlocked = await unlockKey(await files.read(row.fingerprint), passphrase, where);
    if (unlocked.wasUnprotected && passphrase !== undefined) {
      await files.write(row.fingerprint, await protectKey(unlocked.key, passphrase));
      log.info({ fingerprint: row.fingerprint }, 'PGP key file was unprotected; it is now protected with WORKGATE_PGP_PASSPHRASE');
    }
    loaded.set(row.fingerprint, unlocked.key);
  }

  async function sync(strict: boolean): Promise<KeyRow[]> {
    const rows = await repo.list();
    const live = rows.filter((row) => row.state !== 'retired');
    for (const fingerprint of loaded.keys()) if (!live.some((row) => row.fingerprint === fingerprint)) loaded.delete(fingerprint);
    for (const row of live.filter((r) => !loaded.has(r.fingerprint))) {
      try {
        await load(row);
      } catch (error) {
        if (strict || row.state === 'published') throw explainLoadFailure(row, error);
        log.error({ fingerprint: row.fingerprint, err: error }, 'PGP key could not be loaded; it cannot decrypt on this node');
      }
    }
    publishedFingerprint = live.find((row) => row.state === 'published')?.fingerprint;
    return rows;
  }

  function explainLoadFailure(row: KeyRow, error: unknown): Error {
    if (error instanceof PgpError) return error;
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT') {
      return new Error(`the private key file of Workgate's PGP key ${row.fingerprint} is missing (${files.pathOf(row.fingerprint)}); nodes must share the data directory`, { cause: error });
    }
    return new Error(`Workgate's PGP key ${row.fingerprint} could not be loaded: ${(error as Error).message}`, { cause: error });
  }

  function refreshOnce(strict = false): Promise<KeyRow[]> {
    refreshing ??= sync(strict).finally(() => {
      refreshing = undefined;
    });
    return refreshing;
  }

  async function createFirstKey(): Promise<void> {
    const key = await generateWorkgateKey(deps.keyType, passphrase, deps.clock());
    await files.write(key.fingerprint, key.privateArmored);
    const row = { fingerprint: key.fingerprint, key_id: key.keyId, algorithm: key.algorithm, public_key: key.publicArmored, created_at: key.createdAt.toISOString() };
    if (await repo.insertFirst(row)) {
      log.info({ fingerprint: key.fingerprint, algorithm: key.algorithm }, 'generated and published Workgate\'s PGP key');
    } else {
      await files.remove(key.fingerprint);
    }
  }

  async function publishedRow(): Promise<KeyRow> {
    const rows = await refreshOnce();
    const row = rows.find((r) => r.state === 'published');
    if (!row) throw new AppError('unavailable', 'Workgate has no published PGP key yet: start Workgate once, or run `workgate pgp rotate`');
    return row;
  }

  return {
    async open() {
      const { tightened } = await files.prepare();
      if (tightened) log.warn({ dir: files.dir }, 'PGP key directory was readable by others; its mode is now 0700');
      if (passphrase === undefined) {
        log.warn({ dir: files.dir }, 'WORKGATE_PGP_PASSPHRASE is not set: Workgate\'s private PGP keys are protected by file permissions only');
      }
      const rows = await repo.list();
      if (!rows.some((row) => row.state === 'published')) await createFirstKey();
      await refreshOnce(true);
    },
    refresh: async () => {
      await refreshOnce();
    },
    list: async () => (await repo.list()).map(keyInfo),
    async published() {
      const row = await publishedRow();
      return { ...keyInfo(row), armored: row.public_key };
    },
    async decryptionKeys() {
      const rows = await refreshOnce();
      return rows.map((row) => loaded.get(row.fingerprint)).filter((key): key is openpgp.PrivateKey => key !== undefined);
    },
    async signingKey() {
      const row = await publishedRow();
      const key = publishedFingerprint === row.fingerprint ? loaded.get(row.fingerprint) : undefined;
      if (!key) throw new AppError('unavailable', `Workgate's published PGP key ${row.fingerprint} is not loaded on this node`);
      return key;
    },
    async rotate() {
      const key = await generateWorkgateKey(deps.keyType, passphrase, deps.clock());
      await files.write(key.fingerprint, key.privateArmored);
      try {
        await repo.publish({ fingerprint: key.fingerprint, key_id: key.keyId, algorithm: key.algorithm, public_key: key.publicArmored, created_at: key.createdAt.toISOString() });
      } catch (error) {
        await files.remove(key.fingerprint);
        throw error;
      }
      log.info({ fingerprint: key.fingerprint, algorithm: key.algorithm }, 'rotated: a new PGP key is published; older keys still decrypt until retired');
      await refreshOnce();
      return keyInfo((await repo.find(key.fingerprint)) as KeyRow);
    },
    async retire(text: string) {
      const fingerprint = normalizeFingerprint(text);
      const row = await repo.find(fingerprint);
      if (!row) throw new NotFoundError('PGP key', fingerprint);
      if (row.state === 'published') {
        throw new AppError('conflict', `PGP key ${fingerprint} is the published key: rotate first (a new key is published), then retire this one`);
      }
      if (row.state === 'active') await repo.retire(fingerprint, deps.clock().toISOString());
      log.info({ fingerprint }, 'PGP key retired: it no longer decrypts');
      await refreshOnce();
      return keyInfo((await repo.find(fingerprint)) as KeyRow);
    },
  };
}
