/**
 * PGP: Workgate's own keys (generated on first start, rotated, retired), customers' keys per SFTP account, and
 * streaming decrypt/verify and encrypt/sign with flat memory. Nothing decrypted is written to disk: the decrypting
 * stream is read by its consumer directly, which commits nothing before the stream ended cleanly.
 */
export { openPgpService, type PgpService, type PgpServiceDeps, type PgpSettings, type DecryptRequest, type EncryptRequest } from './pgp.service.ts';
export { decryptStream, type DecryptStreamOptions, type DecryptedStream, type DecryptOutcome } from './decrypt-stream.ts';
export { encryptStream, compressions, type Compression, type EncryptStreamOptions } from './encrypt-stream.ts';
export { openInputFile, readChunkBytes, type ByteInput } from './byte-source.ts';
export { looksLikePgp, pgpFileNamePattern, sniffBytes, type MessageFormat } from './message-format.ts';
export type { SignerFacts } from './signatures.ts';
export { normalizeFingerprint, type KeyRing, type PublishedKey, type WorkgateKeyInfo } from './key-ring.ts';
export { workgateKeyTypes, type WorkgateKeyType } from './key-material.ts';
export { inspectPublicKey, keyPurposes, maxPublicKeyBytes, type KeyPurpose, type PublicKeyFacts } from './key-inspection.ts';
export type { AccountPgpKeys, AccountPgpKeysInput, CustomerKeyInfo, CustomerKeysService, FindAccountId, InboundPolicy } from './customer-keys.service.ts';
export type { KeyState } from './keys.repo.ts';
export { PgpError, isPgpError, badKeyReasons, messageReasons, type BadKeyReason, type MessageReason, type PgpReason } from './pgp.errors.ts';
export { pgpPublicRoutes, pgpAdminRoutes, fingerprintHeader } from './pgp.routes.ts';
export { registerPgpCommands } from './pgp.cli.ts';
