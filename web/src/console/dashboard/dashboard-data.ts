import { api } from '../../api/client.ts';
import type { AuditEvent, Ban, LiveSession, Run, SftpAccount, SignInEvent, SyncStatus } from '../../api/types.ts';

/** How many accounts the dashboard asks about one by one (sessions, failed logins); beyond that it says so. */
export const accountsLooked = 25;
/** Accounts asked about at once: the session's requests share the API's rate limit (25 per second, bursts of 20). */
const concurrency = 3;

async function eachLimited<T, R>(items: T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}
const day = 24 * 3600 * 1000;
/** Runs the dashboard reads (the API's largest page): counts by status and held files are of these. */
export const recentLimit = 50;

export interface Dashboard {
  recentRuns: Run[];
  byStatus: Record<string, number>;
  held: Run[];
  sync: SyncStatus | null;
  sessions: Array<{ username: string; count: number }>;
  accounts: number;
  failedLogins: Array<AuditEvent & { username: string }>;
  failedSignIns: SignInEvent[];
  bans: Ban[];
}

/** Everything the dashboard shows, from the same admin API the other pages use (missing parts become empty). */
export async function loadDashboard(signal: AbortSignal): Promise<Dashboard> {
  const optional = <T>(promise: Promise<T>, fallback: T) => promise.catch(() => fallback);
  const [recentRuns, held, sync, accounts, bans, signIns] = await Promise.all([
    api.get<Run[]>('/api/data_file_sources', { order_by: 'id', dir: 'desc', limit: recentLimit }, signal),
    api.get<Run[]>('/api/data_file_sources', { status: 'held', order_by: 'id', dir: 'desc', limit: recentLimit }, signal),
    optional(api.get<SyncStatus>('/api/admin/sync/status', {}, signal), null),
    optional(api.get<SftpAccount[]>('/api/admin/sftp-accounts', {}, signal), []),
    optional(api.get<Ban[]>('/api/admin/sftp-bans', {}, signal), []),
    optional(api.get<SignInEvent[]>('/api/admin/sso/audit-events', { limit: 100 }, signal), []),
  ]);
  const looked = accounts.filter((a) => !a.disabled).slice(0, accountsLooked);
  const since = Date.now() - day;
  const perAccount = await eachLimited(looked, async (a) => {
    const path = `/api/admin/sftp-accounts/${encodeURIComponent(a.username)}`;
    const [sessions, events] = await Promise.all([
      optional(api.get<LiveSession[]>(`${path}/sessions`, {}, signal), []),
      optional(api.get<AuditEvent[]>(`${path}/audit-events`, { limit: 50 }, signal), []),
    ]);
    const failures = events.filter((e) => e.event === 'login_failed' && Date.parse(e.at) >= since).map((e) => ({ ...e, username: a.username }));
    return { username: a.username, count: sessions.length, failures };
  });
  const byStatus: Record<string, number> = {};
  for (const run of recentRuns) byStatus[run.status] = (byStatus[run.status] ?? 0) + 1;
  return {
    recentRuns,
    byStatus,
    held,
    sync,
    sessions: perAccount.filter((p) => p.count > 0).map(({ username, count }) => ({ username, count })),
    accounts: accounts.length,
    failedLogins: perAccount.flatMap((p) => p.failures).sort((a, b) => b.at.localeCompare(a.at)),
    failedSignIns: signIns.filter((e) => /refused|failed/.test(e.event) && Date.parse(e.at) >= since),
    bans,
  };
}
