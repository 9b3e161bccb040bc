import type { ReactNode } from 'react';
import type { Me } from '../api/types.ts';
import { match, useLocation } from '../router.tsx';
import { NotFoundContent } from '../shell/gates.tsx';
import { Layout, type NavItem } from '../shell/layout.tsx';
import { ApprovalChainPage } from './approval-chain-page.tsx';
import { ProfilePage } from './profile-page.tsx';
import { SegmentChooserPage } from './segment-chooser-page.tsx';

const nav: NavItem[] = [
  { to: '/workforce', label: 'My profile' },
  { to: '/workforce/approval-chain', label: 'My approval chain' },
  { to: '/workforce/segments', label: 'Choose segment values' },
];

/** The Workforce pages: licensed users with a Workforce role. */
export function WorkforceApp({ me }: { me: Me }) {
  const { path } = useLocation();
  const login = me.login ?? '';
  const routes: Array<[string, () => ReactNode]> = [
    ['/workforce', () => <ProfilePage login={login} />],
    ['/workforce/approval-chain', () => <ApprovalChainPage login={login} />],
    ['/workforce/segments', () => <SegmentChooserPage />],
  ];
  const found = routes.find(([pattern]) => match(pattern, path));
  return (
    <Layout me={me} area="Workforce" nav={nav}>
      {found ? found[1]() : <NotFoundContent />}
    </Layout>
  );
}
