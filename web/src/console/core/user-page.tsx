import { useState } from 'react';
import { api } from '../../api/client.ts';
import type { CoreUser, UserRef } from '../../api/types.ts';
import { Link } from '../../router.tsx';
import { Pager, Status } from '../../ui/bits.tsx';
import { Empty, Loading, Page, Section } from '../../ui/page.tsx';
import { useApi } from '../../ui/use-api.ts';
import { Table } from '../../ui/table.tsx';
import { userColumns } from './users-page.tsx';

const maxChain = 25;
const pageSize = 25;

/** The supervisors above a user, nearest first, each read through the API (bounded, and stopping at a repeat). */
async function supervisorChain(user: CoreUser, signal: AbortSignal): Promise<UserRef[]> {
  const chain: UserRef[] = [];
  const seen = new Set([user.id]);
  let next = user.manager;
  while (next && !seen.has(next.id) && chain.length < maxChain) {
    seen.add(next.id);
    const manager = await api.get<CoreUser>(`/api/users/${next.id}`, {}, signal);
    chain.push(manager);
    next = manager.manager;
  }
  return chain;
}

export function UserPage({ id }: { id: string }) {
  const user = useApi((signal) => api.get<CoreUser>(`/api/users/${encodeURIComponent(id)}`, {}, signal), id);
  return (
    <Page title={user.data ? `User ${user.data.login}` : 'User'} actions={<Link to="/console/core/users">All users</Link>}>
      <Loading state={user} label="the user">
        {(u) => (
          <>
            <Section title="Details">
              <dl className="facts">
                <dt>Name</dt>
                <dd>{u.fullname}</dd>
                <dt>Email</dt>
                <dd>{u.email}</dd>
                <dt>Status</dt>
                <dd>
                  <Status value={u.active ? 'active' : 'inactive'} />
                </dd>
                <dt>Employee number</dt>
                <dd>{u['employee-number'] ?? '—'}</dd>
                <dt>Roles</dt>
                <dd>{u.roles.map((r) => r.name).join(', ') || '—'}</dd>
                <dt>Workforce licence</dt>
                <dd>{u['ccw-user'] ? 'yes' : 'no'}</dd>
                <dt>SSO identifier</dt>
                <dd>{u['sso-identifier'] ?? '—'}</dd>
                <dt>Approval limit</dt>
                <dd>{u['approval-limit'] ? `${u['approval-limit'].amount} ${u['approval-limit'].currency.code}` : '—'}</dd>
              </dl>
            </Section>
            <Chain user={u} />
            <Reports user={u} />
          </>
        )}
      </Loading>
    </Page>
  );
}

function Chain({ user }: { user: CoreUser }) {
  const chain = useApi((signal) => supervisorChain(user, signal), `chain-${user.id}-${user.manager?.id ?? ''}`);
  return (
    <Section title="Supervisor chain">
      <Loading state={chain} label="the supervisor chain">
        {(list) =>
          list.length === 0 ? (
            <Empty>{user.login} has no supervisor.</Empty>
          ) : (
            <ol className="chain">
              {list.map((m) => (
                <li key={m.id}>
                  <Link to={`/console/core/users/${m.id}`}>{m.login}</Link> {m.fullname} {m.active ? '' : '(inactive)'}
                </li>
              ))}
            </ol>
          )
        }
      </Loading>
    </Section>
  );
}

function Reports({ user }: { user: CoreUser }) {
  const [offset, setOffset] = useState(0);
  const args = { 'manager[id]': user.id, limit: pageSize, offset, order_by: 'login' };
  const reports = useApi((signal) => api.get<CoreUser[]>('/api/users', args, signal), JSON.stringify(args));
  return (
    <Section title="People they supervise">
      <Loading state={reports} label="the people they supervise">
        {(list) => (
          <>
            {list.length === 0 && offset === 0 ? <Empty>{user.login} supervises nobody.</Empty> : <Table caption={`People ${user.login} supervises`} columns={userColumns} rows={list} rowKey={(u) => u.id} />}
            {list.length === pageSize || offset > 0 ? <Pager label="Supervised people" offset={offset} pageSize={pageSize} count={list.length} onChange={setOffset} /> : null}
          </>
        )}
      </Loading>
    </Section>
  );
}
