import type { ReactNode } from 'react';
import type { Me } from '../api/types.ts';
import { match, useLocation } from '../router.tsx';
import { NotFoundContent } from '../shell/gates.tsx';
import { Layout, type NavItem } from '../shell/layout.tsx';
import { AccessPage } from './access/access-page.tsx';
import { ClientsPage } from './access/clients-page.tsx';
import { ChartPage, ChartsPage } from './core/charts-page.tsx';
import { CoreAccountsPage } from './core/accounts-page.tsx';
import { LookupPage, LookupsPage } from './core/lookups-page.tsx';
import { UserPage } from './core/user-page.tsx';
import { UsersPage } from './core/users-page.tsx';
import { DashboardPage } from './dashboard/dashboard-page.tsx';
import { PgpPage } from './pgp/pgp-page.tsx';
import { RunPage } from './runs/run-page.tsx';
import { RunsPage } from './runs/runs-page.tsx';
import { AccountPage } from './sftp/account-page.tsx';
import { AccountsPage } from './sftp/accounts-page.tsx';
import { CreateAccountPage } from './sftp/create-account-page.tsx';
import { SecurityPage } from './sftp/security-page.tsx';
import { SyncPage } from './sync/sync-page.tsx';
import { RolesPage } from './workforce/roles-page.tsx';
import { SegmentValuesPage } from './workforce/segment-values-page.tsx';
import { WorkforceSettingsPage } from './workforce/settings-page.tsx';

const nav: NavItem[] = [
  { to: '/console', label: 'Dashboard' },
  { to: '/console/sftp', label: 'SFTP accounts', prefix: true },
  { to: '/console/sftp-security', label: 'Host keys and bans' },
  { to: '/console/pgp', label: 'PGP' },
  { to: '/console/runs', label: 'Integration runs', prefix: true },
  { to: '/console/core/users', label: 'Users', prefix: true },
  { to: '/console/core/charts', label: 'Charts of accounts', prefix: true },
  { to: '/console/core/accounts', label: 'Accounts' },
  { to: '/console/core/lookups', label: 'Lookups', prefix: true },
  { to: '/console/workforce', label: 'Workforce settings' },
  { to: '/console/workforce/values', label: 'Segment values' },
  { to: '/console/workforce/roles', label: 'Workforce roles' },
  { to: '/console/sync', label: 'Sync' },
  { to: '/console/access', label: 'Sign-in providers' },
  { to: '/console/access/clients', label: 'API clients' },
];

type Route = [pattern: string, render: (params: Record<string, string>) => ReactNode];

const routes: Route[] = [
  ['/console', () => <DashboardPage />],
  ['/console/sftp', () => <AccountsPage />],
  ['/console/sftp/new', () => <CreateAccountPage />],
  ['/console/sftp/accounts/:username', (p) => <AccountPage username={p.username!} />],
  ['/console/sftp-security', () => <SecurityPage />],
  ['/console/pgp', () => <PgpPage />],
  ['/console/runs', () => <RunsPage />],
  ['/console/runs/:id', (p) => <RunPage id={p.id!} />],
  ['/console/core/users', () => <UsersPage />],
  ['/console/core/users/:id', (p) => <UserPage id={p.id!} />],
  ['/console/core/charts', () => <ChartsPage />],
  ['/console/core/charts/:id', (p) => <ChartPage id={p.id!} />],
  ['/console/core/accounts', () => <CoreAccountsPage />],
  ['/console/core/lookups', () => <LookupsPage />],
  ['/console/core/lookups/:id', (p) => <LookupPage id={p.id!} />],
  ['/console/workforce', () => <WorkforceSettingsPage />],
  ['/console/workforce/values', () => <SegmentValuesPage />],
  ['/console/workforce/roles', () => <RolesPage />],
  ['/console/sync', () => <SyncPage />],
  ['/console/access', () => <AccessPage />],
  ['/console/access/clients', () => <ClientsPage />],
];

/** The console: Core admins (signed in through SSO) and the break-glass admin. */
export function ConsoleApp({ me }: { me: Me }) {
  const { path } = useLocation();
  let page: ReactNode = <NotFoundContent />;
  for (const [pattern, render] of routes) {
    const params = match(pattern, path);
    if (params) {
      page = render(params);
      break;
    }
  }
  return (
    <Layout me={me} area="Console" nav={nav}>
      {page}
    </Layout>
  );
}
