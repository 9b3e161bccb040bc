import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiObject } from '../../http/api/render/values.ts';
import { send } from '../../http/api/respond.ts';
import type { RouteDoc } from '../../http/api/route-docs.ts';
import { requireScope } from '../../http/auth/index.ts';
import type { HostKeyInfo } from './host-keys.ts';
import type { LiveSession } from './session-registry.ts';

/** What the HTTP side may ask about SFTP, whether or not this node runs the sftp role. */
export interface SftpAdminView {
  hostKeys(): Promise<HostKeyInfo[]>;
  /** Every node's live sessions of the account; throws NotFoundError for an unknown account. */
  sessions(username: string): Promise<LiveSession[]>;
  /** Every node's live sessions of every account. */
  allSessions(): Promise<LiveSession[]>;
  health(): SftpHealth;
}

export interface SftpHealth {
  role: 'running' | 'not running';
  port: number | null;
  /** ssh2's native crypto binding is in use (fast AES-GCM and chacha20-poly1305). */
  'native-crypto': boolean;
}

const adminScope = requireScope('workgate.admin');
const admin = (doc: RouteDoc) => ({ preHandler: adminScope, config: { doc } });
const sessions = { description: 'Live sessions on every node', many: true, elements: ['id', 'node', 'username', 'address', 'started-at', 'bytes-in', 'bytes-out'] };

function presentHostKey(key: HostKeyInfo): ApiObject {
  return { type: key.type, bits: key.bits, fingerprint: key.fingerprint, 'public-key': key.publicKey };
}

function presentSession(session: LiveSession): ApiObject {
  return {
    id: session.id,
    node: session.node,
    username: session.username,
    address: session.address,
    'started-at': session.startedAt,
    'bytes-in': session.traffic.bytesIn,
    'bytes-out': session.traffic.bytesOut,
  };
}

/** Register inside the authenticated /api scope: GET /api/admin/sftp-host-keys, and every node's live sessions (all, or an account's). */
export async function sftpAdminRoutes(app: FastifyInstance, options: { sftp: SftpAdminView }): Promise<void> {
  const { sftp } = options;
  app.get('/api/admin/sftp-host-keys', admin({ summary: "The SFTP server's host keys, to compare with what an SSH client shows", response: { description: 'Host keys', many: true, elements: ['type', 'bits', 'fingerprint', 'public-key'] } }), async (request, reply) => send(request, reply, 200, (await sftp.hostKeys()).map(presentHostKey), 'host-keys'));
  app.get('/api/admin/sftp-accounts/:username/sessions', admin({ summary: "An account's open SFTP sessions, on every node", response: sessions }), async (request: FastifyRequest, reply) => {
    const { username = '' } = request.params as { username?: string };
    return send(request, reply, 200, (await sftp.sessions(username)).map(presentSession), 'sessions');
  });
  app.get('/api/admin/sftp-sessions', admin({ summary: 'Every open SFTP session, on every node', response: sessions }), async (request, reply) => send(request, reply, 200, (await sftp.allSessions()).map(presentSession), 'sessions'));
}
