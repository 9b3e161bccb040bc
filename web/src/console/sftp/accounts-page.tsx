import { useState } from 'react';
import { api } from '../../api/client.ts';
import type { SftpAccount } from '../../api/types.ts';
import { Link } from '../../router.tsx';
import { Pager, pageOf, Status, When } from '../../ui/bits.tsx';
import { TextField } from '../../ui/form.tsx';
import { Empty, Loading, Page } from '../../ui/page.tsx';
import { useApi } from '../../ui/use-api.ts';

const pageSize = 25;

export function AccountsPage() {
  const accounts = useApi((signal) => api.get<SftpAccount[]>('/api/admin/sftp-accounts', {}, signal), 'accounts');
  const [filter, setFilter] = useState('');
  const [offset, setOffset] = useState(0);
  return (
    <Page
      title="SFTP accounts"
      actions={
        <Link className="button primary" to="/console/sftp/new">
          New account
        </Link>
      }
    >
      <div className="filters">
        <TextField label="Find an account" type="search" value={filter} onChange={(v) => (setFilter(v), setOffset(0))} />
      </div>
      <Loading state={accounts} label="accounts">
        {(all) => {
          const rows = all.filter((a) => a.username.includes(filter.trim().toLowerCase()));
          if (rows.length === 0) return <Empty>{all.length === 0 ? 'No SFTP accounts yet.' : 'No account matches.'}</Empty>;
          return (
            <>
              <table>
                <caption className="sr-only">SFTP accounts</caption>
                <thead>
                  <tr>
                    <th scope="col">Username</th>
                    <th scope="col">Status</th>
                    <th scope="col">Auth policy</th>
                    <th scope="col">Folders</th>
                    <th scope="col">SSH keys</th>
                    <th scope="col">Last sign-in</th>
                  </tr>
                </thead>
                <tbody>
                  {pageOf(rows, offset, pageSize).map((a) => (
                    <tr key={a.id}>
                      <td>
                        <Link to={`/console/sftp/accounts/${encodeURIComponent(a.username)}`}>{a.username}</Link>
                      </td>
                      <td>
                        <Status value={a.disabled ? 'disabled' : 'active'} />
                      </td>
                      <td>{a['auth-policy']}</td>
                      <td>{a.folders.join(', ')}</td>
                      <td>{a['ssh-keys'].length}</td>
                      <td>
                        <When at={a['last-login-at']} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <Pager label="Accounts" offset={offset} pageSize={pageSize} count={pageOf(rows, offset, pageSize).length} hasMore={offset + pageSize < rows.length} onChange={setOffset} />
            </>
          );
        }}
      </Loading>
    </Page>
  );
}
