import type { Selectable } from 'kysely';
import { toDate, type Db, type SsoSessionTable } from '../../db/index.ts';
import type { Access } from './access.ts';
import { randomToken, sha256 } from './tokens.ts';

export interface SessionSettings {
  /** Ends after this long without a request. */
  idleSeconds: number;
  /** Ends this long after sign-in, whatever happens. */
  absoluteSeconds: number;
}

export interface Session {
  id: number;
  csrfToken: string;
  provider: string | null;
  subject: string | null;
  coreUserId: number | null;
  localAdminId: number | null;
  access: Access;
  idToken: string | null;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
}

export interface NewSession {
  provider: string | null;
  subject: string | null;
  coreUserId: number | null;
  localAdminId: number | null;
  access: Access;
  idToken?: string | null;
  address: string | null;
}

export type SessionLookup = { session: Session } | { refused: 'session_unknown' | 'session_ended' | 'session_expired' };

/** How often a live session's last-seen time and access are written again (not on every request). */
const touchEveryMs = 60_000;
const tokenShape = /^[A-Za-z0-9_-]{43}$/;

type Row = Selectable<SsoSessionTable>;

function toSession(row: Row): Session {
  return {
    id: Number(row.id),
    csrfToken: row.csrf_token,
    provider: row.provider,
    subject: row.subject,
    coreUserId: row.core_user_id,
    localAdminId: row.local_admin_id,
    access: JSON.parse(row.access) as Access,
    idToken: row.id_token,
    createdAt: toDate(row.created_at),
    lastSeenAt: toDate(row.last_seen_at),
    expiresAt: toDate(row.expires_at),
  };
}

export interface SessionsDeps {
  db: Db;
  clock: () => Date;
  settings: SessionSettings;
  /** The session's access now (roles and licences change); null ends the session (e.g. a disabled local admin). */
  reevaluate(session: Session): Promise<Access | null>;
}

/** Server-side sessions: the cookie holds a random token, the table its SHA-256. Any node serves any session. */
export function createSessions(deps: SessionsDeps) {
  const k = deps.db.kysely;
  let lastPurgeMs = Number.NEGATIVE_INFINITY;

  async function purge(now: Date): Promise<void> {
    if (now.getTime() - lastPurgeMs < 10 * 60_000) return;
    lastPurgeMs = now.getTime();
    const before = new Date(now.getTime() - 86_400_000).toISOString();
    await k.deleteFrom('sso_sessions').where('expires_at', '<', before).execute();
  }

  async function end(id: number): Promise<void> {
    await k.updateTable('sso_sessions').set({ ended_at: deps.clock().toISOString() }).where('id', '=', id).where('ended_at', 'is', null).execute();
  }

  async function touch(row: Row, session: Session, now: Date): Promise<Session | undefined> {
    const changes: { last_seen_at?: string; access_checked_at?: string; access?: string } = {};
    if (now.getTime() - session.lastSeenAt.getTime() >= touchEveryMs) changes.last_seen_at = now.toISOString();
    if (now.getTime() - toDate(row.access_checked_at).getTime() >= touchEveryMs) {
      const access = await deps.reevaluate(session);
      if (access === null) {
        await end(session.id);
        return undefined;
      }
      session = { ...session, access };
      Object.assign(changes, { access_checked_at: now.toISOString(), access: JSON.stringify(access) });
    }
    if (Object.keys(changes).length > 0) await k.updateTable('sso_sessions').set(changes).where('id', '=', session.id).execute();
    return session;
  }

  return {
    settings: deps.settings,

    /** A new session (rotation: the caller ends the old one); the token goes in the cookie and nowhere else. */
    async create(input: NewSession): Promise<{ session: Session; token: string }> {
      const now = deps.clock();
      await purge(now);
      const token = randomToken();
      const row = {
        token_hash: sha256(token),
        csrf_token: randomToken(),
        provider: input.provider,
        subject: input.subject?.slice(0, 255) ?? null,
        core_user_id: input.coreUserId,
        local_admin_id: input.localAdminId,
        access: JSON.stringify(input.access),
        id_token: input.idToken ?? null,
        address: input.address?.slice(0, 64) ?? null,
        created_at: now.toISOString(),
        last_seen_at: now.toISOString(),
        access_checked_at: now.toISOString(),
        expires_at: new Date(now.getTime() + deps.settings.absoluteSeconds * 1000).toISOString(),
        ended_at: null,
      };
      const inserted = await k.insertInto('sso_sessions').values(row).returning('id').executeTakeFirstOrThrow();
      return { session: toSession({ ...row, id: Number(inserted.id) }), token };
    },

    /** The live session a cookie names, touched; or why it is refused. */
    async resolve(token: string): Promise<SessionLookup> {
      if (!tokenShape.test(token)) return { refused: 'session_unknown' };
      const row = await k.selectFrom('sso_sessions').selectAll().where('token_hash', '=', sha256(token)).executeTakeFirst();
      if (!row) return { refused: 'session_unknown' };
      if (row.ended_at !== null) return { refused: 'session_ended' };
      const session = toSession(row);
      const now = deps.clock();
      const idleEnd = session.lastSeenAt.getTime() + deps.settings.idleSeconds * 1000;
      if (session.expiresAt.getTime() <= now.getTime() || idleEnd <= now.getTime()) {
        await end(session.id);
        return { refused: 'session_expired' };
      }
      const touched = await touch(row, session, now);
      return touched ? { session: touched } : { refused: 'session_ended' };
    },

    end,

    /** Seconds the cookie should live: until the absolute end. */
    cookieSeconds(session: Session): number {
      return Math.max(0, Math.floor((session.expiresAt.getTime() - deps.clock().getTime()) / 1000));
    },
  };
}

export type Sessions = ReturnType<typeof createSessions>;
