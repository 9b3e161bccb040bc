import { api } from '../../api/client.ts';
import type { AuditEvent, Ban, LiveSession, Run, SignInEvent, SyncStatus } from '../../api/types.ts';

const day = 24 * 3600 * 1000;
/** Runs the dashboard reads (the API's largest page): counts by status and held files are of these. */
export const recentLimit = 50;
/** Failed SFTP logins read at most (the audit API's largest page); beyond it the dashboard says "1000+". */
export const failedLoginsLimit = 1000;

export interface Dashboard {
  recentRuns: Run[];
  byStatus: Record<string, number>;
  held: Run[];
  sync: SyncStatus | null;
  /** Open sessions per account, on every node. */
  sessions: Array<{ username: string; count: number }>;
  failedLogins: AuditEvent[];
  failedSignIns: SignInEvent[];
  bans: Ban[];
}

function sessionsPerAccount(sessions: LiveSession[]): Dashboard['sessions'] {
  const counts = new Map<string, number>();
  for (const s of sessions) counts.set(s.username, (counts.get(s.username) ?? 0) + 1);
  return [...counts].map(([username, count]) => ({ username, count })).sort((a, b) => a.username.localeCompare(b.username));
}

/** Everything the dashboard shows, from the same admin API the other pages use (missing parts become empty). */
export async function loadDashboard(signal: AbortSignal): Promise<Dashboard> {
  const optional = <T>(promise: Promise<T>, fallback: T) => promise.catch(() => fallback);
  const since = new Date(Date.now() - day).toISOString();
  const [recentRuns, held, sync, sessions, failedLogins, bans, signIns] = await Promise.all([
    api.get<Run[]>('/api/data_file_sources', { order_by: 'id', dir: 'desc', limit: recentLimit }, signal),
    api.get<Run[]>('/api/data_file_sources', { status: 'held', order_by: 'id', dir: 'desc', limit: recentLimit }, signal),
    optional(api.get<SyncStatus>('/api/admin/sync/status', {}, signal), null),
    optional(api.get<LiveSession[]>('/api/admin/sftp-sessions', {}, signal), []),
    optional(api.get<AuditEvent[]>('/api/admin/sftp-audit-events', { event: 'login_failed', since, limit: failedLoginsLimit }, signal), []),
    optional(api.get<Ban[]>('/api/admin/sftp-bans', {}, signal), []),
    optional(api.get<SignInEvent[]>('/api/admin/sso/audit-events', { limit: 100 }, signal), []),
  ]);
  const byStatus: Record<string, number> = {};
  for (const run of recentRuns) byStatus[run.status] = (byStatus[run.status] ?? 0) + 1;
  return {
    recentRuns,
    byStatus,
    held,
    sync,
    sessions: sessionsPerAccount(sessions),
    failedLogins,
    failedSignIns: signIns.filter((e) => /refused|failed/.test(e.event) && Date.parse(e.at) >= Date.parse(since)),
    bans,
  };
}
