import type { ReactNode } from 'react';
import type { Run } from '../../api/types.ts';
import { Link } from '../../router.tsx';
import { Status, When } from '../../ui/bits.tsx';
import { Empty, Loading, Page, Section } from '../../ui/page.tsx';
import { Table, type Column } from '../../ui/table.tsx';
import { useApi } from '../../ui/use-api.ts';
import { runStatuses } from '../runs/runs-page.tsx';
import { SyncStatusFacts } from '../sync/sync-page.tsx';
import { failedLoginsLimit, loadDashboard, recentLimit, type Dashboard } from './dashboard-data.ts';

/** Runs listed one by one on the dashboard (the counts by status cover the last `recentLimit`). */
const latestShown = 10;

const latestColumns: Array<Column<Run>> = [
  { header: 'Run', cell: (r) => <Link to={`/console/runs/${r.id}`}>#{r.id}</Link> },
  { header: 'File', cell: (r) => r['file-name'], wrap: true },
  { header: 'Folder', cell: (r) => r.folder },
  { header: 'Account', cell: (r) => r.account.username ?? r.account.id },
  { header: 'Status', cell: (r) => <Status value={r.status} /> },
  { header: 'Received', cell: (r) => <When at={r['created-at']} /> },
];

const failedLoginColumns: Array<Column<Dashboard['failedLogins'][number]>> = [
  { header: 'When', cell: (e) => <When at={e.at} /> },
  { header: 'Account', cell: (e) => e.username ?? '' },
  { header: 'Address', cell: (e) => e.address ?? '' },
  { header: 'Method', cell: (e) => e.method ?? '' },
];

function Tile({ label, value, to }: { label: string; value: ReactNode; to?: string }) {
  const body = (
    <>
      <span className="tile-value">{value}</span>
      <span className="tile-label">{label}</span>
    </>
  );
  return <li className="tile">{to ? <Link to={to}>{body}</Link> : body}</li>;
}

export function DashboardPage() {
  const dashboard = useApi((signal) => loadDashboard(signal), 'dashboard', { pollMs: 30_000, keepPolling: () => true });
  return (
    <Page title="Dashboard">
      <Loading state={dashboard} label="the dashboard">
        {(d) => <DashboardBody d={d} />}
      </Loading>
    </Page>
  );
}

function DashboardBody({ d }: { d: Dashboard }) {
  const sessions = d.sessions.reduce((n, s) => n + s.count, 0);
  return (
    <>
      <ul className="tiles" aria-label="At a glance">
        <Tile label="held for approval" value={d.held.length >= recentLimit ? `${recentLimit}+` : d.held.length} to="/console/runs?status=held" />
        <Tile label={`failed runs (of the last ${recentLimit})`} value={d.byStatus.failed ?? 0} to="/console/runs?status=failed" />
        <Tile label="sync events pending" value={d.sync?.pending ?? '—'} to="/console/sync" />
        <Tile label="SFTP sessions now" value={sessions} />
        <Tile label="failed SFTP logins (24 h)" value={d.failedLogins.length >= failedLoginsLimit ? `${failedLoginsLimit}+` : d.failedLogins.length} />
        <Tile label="banned addresses" value={d.bans.length} to="/console/sftp-security" />
      </ul>
      <Section title="Recent runs by status">
        {d.recentRuns.length === 0 ? (
          <Empty>No file has been received yet.</Empty>
        ) : (
          <ul className="inline-list">
            {runStatuses
              .filter((s) => d.byStatus[s])
              .map((s) => (
                <li key={s}>
                  <Link to={`/console/runs?status=${s}`}>
                    <Status value={s} /> {d.byStatus[s]}
                  </Link>
                </li>
              ))}
          </ul>
        )}
        {d.recentRuns.length > 0 ? <Table caption="Latest runs" showCaption columns={latestColumns} rows={d.recentRuns.slice(0, latestShown)} rowKey={(r) => r.id} /> : null}
      </Section>
      <Section title="Files held for approval">
        {d.held.length === 0 ? (
          <Empty>No file waits for approval.</Empty>
        ) : (
          <ul>
            {d.held.map((r) => (
              <li key={r.id}>
                <Link to={`/console/runs/${r.id}`}>
                  #{r.id} {r['file-name']}
                </Link>{' '}
                ({r.folder}, {r.account.username}): would deactivate {r.held?.['would-deactivate']} of {r.held?.active}
              </li>
            ))}
          </ul>
        )}
      </Section>
      <Section title="Sync">{d.sync ? <SyncStatusFacts status={d.sync} /> : <Empty>Sync is not available on this node.</Empty>}</Section>
      <Section title="SFTP sessions now">
        {d.sessions.length === 0 ? (
          <Empty>No open session.</Empty>
        ) : (
          <ul>
            {d.sessions.map((s) => (
              <li key={s.username}>
                <Link to={`/console/sftp/accounts/${encodeURIComponent(s.username)}`}>{s.username}</Link>: {s.count}
              </li>
            ))}
          </ul>
        )}
      </Section>
      <Section title="Failed logins and bans">
        {d.failedLogins.length === 0 && d.failedSignIns.length === 0 && d.bans.length === 0 ? <Empty>No failed login in the last 24 hours, and no ban.</Empty> : null}
        {d.failedLogins.length > 0 ? (
          <Table caption="Failed SFTP logins in the last 24 hours" showCaption columns={failedLoginColumns} rows={d.failedLogins.slice(0, 20)} rowKey={(e) => e.id} />
        ) : null}
        {d.failedSignIns.length > 0 ? <p>Refused console and Workforce sign-ins in the last 24 hours: {d.failedSignIns.length}.</p> : null}
        {d.bans.length > 0 ? (
          <p>
            Banned: {d.bans.map((b) => b.address).join(', ')} — <Link to="/console/sftp-security">manage bans</Link>
          </p>
        ) : null}
      </Section>
    </>
  );
}
