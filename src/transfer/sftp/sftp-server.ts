import crypto from 'node:crypto';
import net from 'node:net';
import type { Logger } from 'pino';
import ssh2, { type Connection, type Session } from 'ssh2';
import type { FileSession, TransferFiles } from '../files/index.ts';
import { normalizeAddress } from '../networks.ts';
import { sftpAlgorithms } from './algorithms.ts';
import type { HostKey } from './host-keys.ts';
import { nativeCryptoAvailable } from './native-crypto.ts';
import { serveSftp } from './sftp-adapter.ts';
import { createAuthHandler, type LoginState, type SftpAccounts } from './sftp-auth.ts';
import { nodeIdFor, SessionRegistry } from './session-registry.ts';
import type { Db } from '../../db/index.ts';

export interface SftpServerOptions {
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  hostKeys: HostKey[];
  accounts: SftpAccounts;
  files: TransferFiles;
  log: Logger;
  clock: () => Date;
  /** Holds every node's live sessions (the registry). */
  db: Db;
  /** Time allowed from TCP connect to a successful login; default 60 s. */
  loginTimeoutMs?: number;
  /** SFTP channels per connection; default 8. */
  maxChannelsPerConnection?: number;
}

export interface SftpServer {
  readonly port: number;
  readonly nativeCrypto: boolean;
  readonly registry: SessionRegistry;
  close(): Promise<void>;
}

/**
 * The SFTP role: a TCP listener that drops banned addresses before any SSH byte, sets TCP_NODELAY
 * (uploads run 4-5 times faster with it), and hands each connection to ssh2.
 */
export async function startSftpServer(options: SftpServerOptions): Promise<SftpServer> {
  const { log } = options;
  const registry = new SessionRegistry({ db: options.db, clock: options.clock, log });
  const connections = new Set<Connection>();
  const sockets = new Set<net.Socket>();
  const ssh = new ssh2.Server({ hostKeys: options.hostKeys.map((k) => k.privateKey), algorithms: sftpAlgorithms, ident: 'Workgate' }, (client, info) =>
    onClient(client, info.ip),
  );

  ssh.on('error', (error: Error) => log.error({ err: error }, 'ssh server error'));

  const tcp = net.createServer({ noDelay: true, pauseOnConnect: true }, (socket) => {
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    void admit(socket);
  });

  async function admit(socket: net.Socket): Promise<void> {
    const address = normalizeAddress(socket.remoteAddress ?? '') ?? socket.remoteAddress ?? 'unknown';
    try {
      const check = await options.accounts.checkAddress(address);
      if (!check.allowed) {
        log.info({ address }, 'connection from a banned address closed');
        socket.destroy();
        return;
      }
    } catch (error) {
      log.error({ err: error, address }, 'could not check the address: connection closed');
      socket.destroy();
      return;
    }
    if (socket.destroyed) return;
    ssh.injectSocket(socket);
    socket.resume();
  }

  function onClient(client: Connection, ip: string): void {
    const sessionId = crypto.randomBytes(6).toString('hex');
    const address = normalizeAddress(ip) ?? ip;
    const state: LoginState = { sessionId, address, log: log.child({ session: sessionId, address }), failures: 0 };
    const files = new Set<FileSession>();
    connections.add(client);
    const loginTimer = setTimeout(() => {
      state.log.info('login not completed in time: disconnecting');
      client.end();
    }, options.loginTimeoutMs ?? 60_000);
    loginTimer.unref();
    client.on('authentication', createAuthHandler({ accounts: options.accounts, registry }, state, () => client.end()));
    client.on('ready', () => {
      clearTimeout(loginTimer);
      client.on('session', (accept) => onSession(accept(), state, files));
    });
    client.on('error', (error: Error) => state.log.debug({ err: error }, 'connection error'));
    client.on('close', () => {
      clearTimeout(loginTimer);
      state.closed = true;
      connections.delete(client);
      for (const session of files) session.end().catch((error: unknown) => state.log.error({ err: error }, 'could not end the file session'));
      if (state.live) {
        registry.close(state.sessionId).catch((error: unknown) => state.log.error({ err: error }, 'could not remove the session from the shared registry'));
        state.log.info({ username: state.live.username, ...state.live.traffic }, 'disconnected');
        void auditLogout(state);
      }
    });
  }

  async function auditLogout(state: LoginState): Promise<void> {
    const live = state.live!;
    await options.accounts
      .audit({ event: 'logout', username: live.username, accountId: live.accountId, address: state.address, detail: { ...live.traffic, seconds: Math.round((options.clock().getTime() - live.startedAt.getTime()) / 1000) } })
      .catch((error: unknown) => state.log.error({ err: error }, 'could not audit the logout'));
  }

  function onSession(session: Session, state: LoginState, files: Set<FileSession>): void {
    session.on('sftp', (accept, reject) => {
      if (!state.account || !state.live || files.size >= (options.maxChannelsPerConnection ?? 8)) return reject();
      const owner = { account: state.account, address: state.address, sessionId: state.sessionId, traffic: state.live.traffic };
      const fileSession = options.files.openSession(owner, { audit: (event) => options.accounts.audit(event), log: state.log });
      files.add(fileSession);
      const stream = accept();
      stream.on('close', () => files.delete(fileSession));
      serveSftp(stream, fileSession, state.log, options.clock);
    });
  }

  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(options.port, options.host, () => {
      tcp.off('error', reject);
      resolve();
    });
  });
  tcp.on('error', (error) => log.error({ err: error }, 'sftp listener error'));
  const address = tcp.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  try {
    await registry.start(nodeIdFor(port));
  } catch (error) {
    await new Promise<void>((resolve) => tcp.close(() => resolve()));
    throw error;
  }

  return {
    port,
    nativeCrypto: nativeCryptoAvailable(),
    registry,
    /** Stops listening, ends every connection (destroying those still open after 5 s). */
    async close() {
      const closed = new Promise<void>((resolve) => tcp.close(() => resolve()));
      for (const client of connections) client.end();
      const force = setTimeout(() => {
        for (const socket of sockets) socket.destroy();
      }, 5000);
      await closed;
      clearTimeout(force);
      await registry.stop();
    },
  };
}
