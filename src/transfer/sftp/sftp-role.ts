import path from 'node:path';
import type { Logger } from 'pino';
import type { TransferFiles } from '../files/index.ts';
import { hostKeyDir, loadOrCreateHostKeys, readHostKeys, type HostKey } from './host-keys.ts';
import { nativeCryptoAvailable } from './native-crypto.ts';
import type { SftpAccounts } from './sftp-auth.ts';
import { startSftpServer, type SftpServer } from './sftp-server.ts';
import type { SftpAdminView } from './sftp.routes.ts';

export interface SftpRoleDeps {
  host: string;
  port: number;
  dataDir: string;
  accounts: SftpAccounts;
  files: TransferFiles;
  clock: () => Date;
  log: Logger;
}

export interface SftpRole {
  server: SftpServer;
  hostKeys: HostKey[];
  close(): Promise<void>;
}

/** How often interrupted uploads are looked for (they are also finished at start). */
const recoveryIntervalMs = 5 * 60_000;

/** The `sftp` role of `workgate serve`: host keys, recovery of interrupted receipts, the server. */
export async function startSftpRole(deps: SftpRoleDeps): Promise<SftpRole> {
  const { log } = deps;
  const hostKeys = await loadOrCreateHostKeys(hostKeyDir(deps.dataDir));
  await deps.files.recover({ olderThanMs: 60_000 });
  const recovery = setInterval(() => {
    deps.files.recover({ olderThanMs: 60_000 }).catch((error: unknown) => log.error({ err: error }, 'recovery of received files failed'));
  }, recoveryIntervalMs);
  recovery.unref();
  const server = await startSftpServer({ host: deps.host, port: deps.port, hostKeys, accounts: deps.accounts, files: deps.files, clock: deps.clock, log });
  log.info(
    {
      port: server.port,
      nativeCrypto: server.nativeCrypto,
      hostKeys: hostKeys.map((k) => ({ type: k.type, bits: k.bits, fingerprint: k.fingerprint })),
      files: path.relative(deps.dataDir, deps.files.store.root) || '.',
    },
    server.nativeCrypto ? 'sftp role listening' : 'sftp role listening WITHOUT ssh2 native crypto binding: transfers will be slow',
  );
  return {
    server,
    hostKeys,
    async close() {
      clearInterval(recovery);
      await server.close();
    },
  };
}

/** The admin view, for the HTTP role: host keys from the data dir, sessions of this node's sftp role (if any). */
export function createSftpAdminView(deps: { dataDir: string; role: SftpRole | undefined; findAccount: (username: string) => Promise<{ username: string }> }): SftpAdminView {
  return {
    hostKeys: () => readHostKeys(hostKeyDir(deps.dataDir)),
    async sessions(username) {
      const account = await deps.findAccount(username);
      return deps.role ? deps.role.server.registry.forUsername(account.username) : [];
    },
    allSessions: () => deps.role?.server.registry.all() ?? [],
    health: () => ({
      role: deps.role ? 'running' : 'not running',
      port: deps.role?.server.port ?? null,
      'native-crypto': deps.role?.server.nativeCrypto ?? nativeCryptoAvailable(),
    }),
  };
}
