import { useState } from 'react';
import { api } from '../../api/client.ts';
import type { SftpAccount } from '../../api/types.ts';
import { Link } from '../../router.tsx';
import { Pager, pageOf, Status, When } from '../../ui/bits.tsx';
import { TextField } from '../../ui/form.tsx';
import { Loading, Page } from '../../ui/page.tsx';
import { TableOrEmpty, type Column } from '../../ui/table.tsx';
import { useApi } from '../../ui/use-api.ts';

const pageSize = 25;

const columns: Array<Column<SftpAccount>> = [
  { header: 'Username', cell: (a) => <Link to={`/console/sftp/accounts/${encodeURIComponent(a.username)}`}>{a.username}</Link> },
  { header: 'Status', cell: (a) => <Status value={a.disabled ? 'disabled' : 'active'} /> },
  { header: 'Auth policy', cell: (a) => a['auth-policy'] },
  { header: 'Folders', cell: (a) => a.folders.join(', ') },
  { header: 'SSH keys', cell: (a) => a['ssh-keys'].length },
  { header: 'Last sign-in', cell: (a) => <When at={a['last-login-at']} /> },
];

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
          const shown = pageOf(rows, offset, pageSize);
          return (
            <>
              <TableOrEmpty caption="SFTP accounts" columns={columns} rows={shown} rowKey={(a) => a.id} empty={all.length === 0 ? 'No SFTP accounts yet.' : 'No account matches.'} />
              {rows.length > 0 ? <Pager label="Accounts" offset={offset} pageSize={pageSize} count={shown.length} hasMore={offset + pageSize < rows.length} onChange={setOffset} /> : null}
            </>
          );
        }}
      </Loading>
    </Page>
  );
}
