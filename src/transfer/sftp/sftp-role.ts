import path from 'node:path';
import type { Logger } from 'pino';
import type { Db } from '../../db/index.ts';
import type { TransferFiles } from '../files/index.ts';
import { hostKeyDir, loadOrCreateHostKeys, readHostKeys, type HostKey } from './host-keys.ts';
import { nativeCryptoAvailable } from './native-crypto.ts';
import { listLiveSessions } from './session-registry.ts';
import type { SftpAccounts } from './sftp-auth.ts';
import { startSftpServer, type SftpServer } from './sftp-server.ts';
import type { SftpAdminView } from './sftp.routes.ts';

export interface SftpRoleDeps {
  host: string;
  port: number;
  dataDir: string;
  accounts: SftpAccounts;
  files: TransferFiles;
  db: Db;
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
  const server = await startSftpServer({ host: deps.host, port: deps.port, hostKeys, accounts: deps.accounts, files: deps.files, clock: deps.clock, log, db: deps.db });
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

export interface SftpAdminViewDeps {
  dataDir: string;
  db: Db;
  clock: () => Date;
  role: SftpRole | undefined;
  findAccount: (username: string) => Promise<{ id: number }>;
}

/** The admin view, for the HTTP role: host keys from the data dir, every node's sessions from the database. */
export function createSftpAdminView(deps: SftpAdminViewDeps): SftpAdminView {
  const registry = deps.role?.server.registry;
  const list = (accountId?: number) => listLiveSessions(deps.db, { now: deps.clock(), timing: registry?.timing, local: registry, accountId });
  return {
    hostKeys: () => readHostKeys(hostKeyDir(deps.dataDir)),
    async sessions(username) {
      return list((await deps.findAccount(username)).id);
    },
    allSessions: () => list(),
    health: () => ({
      role: deps.role ? 'running' : 'not running',
      port: deps.role?.server.port ?? null,
      'native-crypto': deps.role?.server.nativeCrypto ?? nativeCryptoAvailable(),
    }),
  };
}
