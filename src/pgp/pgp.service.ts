import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import type { Db } from '../db/index.ts';
import type { ByteInput } from './byte-source.ts';
import { createCustomerKeysRepo } from './customer-keys.repo.ts';
import { createCustomerKeysService, type CustomerKeysService, type FindAccountId } from './customer-keys.service.ts';
import { decryptStream, type DecryptedStream, type DecryptStreamOptions } from './decrypt-stream.ts';
import { encryptStream, type Compression, type EncryptStreamOptions } from './encrypt-stream.ts';
import { createKeyFiles } from './key-files.ts';
import type { WorkgateKeyType } from './key-material.ts';
import { createKeyRing, type KeyRing } from './key-ring.ts';
import { createKeysRepo } from './keys.repo.ts';

export interface PgpSettings {
  /** WORKGATE_PGP_PASSPHRASE: protects the private key files; undefined = file permissions only. Never logged. */
  passphrase: string | undefined;
  /** WORKGATE_PGP_KEY_TYPE: the type of keys generated from now on. */
  keyType: WorkgateKeyType;
  /** WORKGATE_PGP_MAX_PLAINTEXT_BYTES: a decrypted file may not be longer. */
  maxPlaintextBytes: number;
}

export interface PgpServiceDeps {
  db: Db;
  /** WORKGATE_DATA_DIR: the private keys live in its pgp/ folder. */
  dataDir: string;
  settings: PgpSettings;
  /** SFTP account id by username (the app wires it to the transfer module). */
  findAccountId: FindAccountId;
  log: Logger;
  clock?: () => Date;
}

export interface DecryptRequest {
  /** The SFTP account the file came from: its signing key is checked, and its policy may require a signature. */
  from?: string;
  /** Lower than the configured limit, for this file only. */
  maxPlaintextBytes?: number;
}

export interface EncryptRequest {
  /** The SFTP account whose customer key the file is encrypted for. */
  for: string;
  /** Sign with Workgate's published key. Default true. */
  sign?: boolean;
  /** ASCII armor. Default false (binary, what a .pgp file usually is). */
  armor?: boolean;
  compression?: Compression;
  filename?: string;
}

export interface PgpService {
  keys: KeyRing;
  customers: CustomerKeysService;
  /** Decrypts a message sent to Workgate; see DecryptedStream for what the end of the plaintext guarantees. */
  decrypt(input: ByteInput, request?: DecryptRequest): DecryptedStream;
  /** Encrypts (and signs) for an SFTP account's customer key; problems surface as errors of the stream. */
  encrypt(input: ByteInput, request: EncryptRequest): Readable;
  /**
   * The same, with the keys read from the database now: the returned function reads nothing more. For a caller
   * inside a transaction (a feed writing its result file): on SQLite's one connection, a key lookup from there
   * would wait for the transaction, and the transaction for the lookup.
   */
  encrypter(request: EncryptRequest): Promise<(input: ByteInput) => Readable>;
}

/**
 * Opens Workgate's key ring (generating the first key on first start; a wrong passphrase throws, so Workgate
 * does not start) and returns the PGP service.
 */
export async function openPgpService(deps: PgpServiceDeps): Promise<PgpService> {
  const clock = deps.clock ?? (() => new Date());
  const keys = createKeyRing({
    repo: createKeysRepo(deps.db),
    files: createKeyFiles(path.join(deps.dataDir, 'pgp')),
    passphrase: deps.settings.passphrase,
    keyType: deps.settings.keyType,
    log: deps.log,
    clock,
  });
  await keys.open();
  const customers = createCustomerKeysService({ repo: createCustomerKeysRepo(deps.db), findAccountId: deps.findAccountId, clock });

  async function decryptOptions(request: DecryptRequest): Promise<DecryptStreamOptions> {
    const policy = request.from === undefined ? { verificationKeys: [], requireSigned: false } : await customers.inboundPolicyFor(request.from);
    return {
      decryptionKeys: await keys.decryptionKeys(),
      verificationKeys: policy.verificationKeys,
      requireSigned: policy.requireSigned,
      maxPlaintextBytes: Math.min(request.maxPlaintextBytes ?? Infinity, deps.settings.maxPlaintextBytes),
      date: clock(),
    };
  }

  async function encryptOptions(request: EncryptRequest): Promise<EncryptStreamOptions> {
    const recipientKey = await customers.encryptionKeyFor(request.for);
    const signingKey = request.sign === false ? undefined : await keys.signingKey();
    return {
      recipientKey,
      ...(signingKey ? { signingKey } : {}),
      armor: request.armor ?? false,
      compression: request.compression ?? 'none',
      ...(request.filename ? { filename: request.filename } : {}),
      date: clock(),
    };
  }

  return {
    keys,
    customers,
    decrypt: (input, request = {}) => decryptStream(input, decryptOptions(request)),
    encrypt: (input, request) => encryptStream(input, encryptOptions(request)),
    async encrypter(request) {
      const options = await encryptOptions(request);
      return (input) => encryptStream(input, options);
    },
  };
}
