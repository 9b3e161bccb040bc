/** The SFTP front end: the `sftp` role, its host keys, and what the admin API and CLI show about it. */
export { createSftpAdminView, startSftpRole, type SftpRole, type SftpRoleDeps } from './sftp-role.ts';
export { sftpAdminRoutes, type SftpAdminView, type SftpHealth } from './sftp.routes.ts';
export { hostKeyDir, loadOrCreateHostKeys, readHostKeys, type HostKey, type HostKeyInfo } from './host-keys.ts';
export { sftpAlgorithms } from './algorithms.ts';
export { nativeCryptoAvailable } from './native-crypto.ts';
export type { SftpAccounts } from './sftp-auth.ts';
export type { LiveSession } from './session-registry.ts';
export type { SftpServer } from './sftp-server.ts';
export { registerHostKeysCommand } from './host-keys.cli.ts';
