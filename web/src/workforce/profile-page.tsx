import { api, seg } from '../api/client.ts';
import type { WorkforceUser } from '../api/types.ts';
import { Status } from '../ui/bits.tsx';
import { Loading, Page, Section } from '../ui/page.tsx';
import { useApi } from '../ui/use-api.ts';

export function ProfilePage({ login }: { login: string }) {
  const user = useApi((signal) => api.get<WorkforceUser>(`/api/ccw/users/${seg(login)}`, {}, signal), login);
  return (
    <Page title="My profile">
      <Loading state={user} label="your profile">
        {(u) => (
          <Section title={`${u['first-name']} ${u['last-name']}`}>
            <dl className="facts">
              <dt>User name</dt>
              <dd>{u['user-name']}</dd>
              <dt>Nick name</dt>
              <dd>{u['nick-name'] ?? '—'}</dd>
              <dt>Email</dt>
              <dd>{u.email}</dd>
              <dt>Phone</dt>
              <dd>{u['phone-number'] ?? '—'}</dd>
              <dt>Employee number</dt>
              <dd>{u['employee-number'] ?? '—'}</dd>
              <dt>Status</dt>
              <dd>
                <Status value={u.status} />
              </dd>
              <dt>Supervisor</dt>
              <dd>{u.supervisor?.['user-name'] ?? '—'}</dd>
              <dt>Roles</dt>
              <dd>{u.roles.map((r) => r.name).join(', ') || '—'}</dd>
              <dt>Approval limit</dt>
              <dd>{u['approval-limit'] ? `${u['approval-limit'].amount} ${u['approval-limit'].currency.code}` : '—'}</dd>
              <dt>Default currency</dt>
              <dd>{u['default-currency']?.code ?? '—'}</dd>
            </dl>
            <p className="muted">These details come from Core; ask your administrator to change them.</p>
          </Section>
        )}
      </Loading>
    </Page>
  );
}
