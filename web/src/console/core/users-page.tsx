import { useState } from 'react';
import { api } from '../../api/client.ts';
import type { CoreUser } from '../../api/types.ts';
import { Link } from '../../router.tsx';
import { Pager, Status } from '../../ui/bits.tsx';
import { SelectField, TextField } from '../../ui/form.tsx';
import { Page } from '../../ui/page.tsx';
import { LoadedTable, type Column } from '../../ui/table.tsx';
import { useApi } from '../../ui/use-api.ts';

const pageSize = 25;
const searchFields = [
  { value: 'login', label: 'Login' },
  { value: 'lastname', label: 'Last name' },
  { value: 'email', label: 'Email' },
  { value: 'employee-number', label: 'Employee number' },
];

export const userColumns: Array<Column<CoreUser>> = [
  { header: 'Login', cell: (u) => <Link to={`/console/core/users/${u.id}`}>{u.login}</Link> },
  { header: 'Name', cell: (u) => u.fullname },
  { header: 'Email', cell: (u) => u.email },
  { header: 'Status', cell: (u) => <Status value={u.active ? 'active' : 'inactive'} /> },
  { header: 'Roles', cell: (u) => u.roles.map((r) => r.name).join(', ') },
  { header: 'Supervisor', cell: (u) => (u.manager ? <Link to={`/console/core/users/${u.manager.id}`}>{u.manager.login}</Link> : '') },
];

export function UsersPage() {
  const [field, setField] = useState('login');
  const [text, setText] = useState('');
  const [offset, setOffset] = useState(0);
  const args = { limit: pageSize, offset, order_by: 'login', [`${field}[contains]`]: text.trim() };
  const users = useApi((signal) => api.get<CoreUser[]>('/api/users', args, signal), JSON.stringify(args));
  return (
    <Page title="Users">
      <form className="filters" role="search" aria-label="Find users" onSubmit={(e) => e.preventDefault()}>
        <SelectField label="Search in" value={field} onChange={(v) => (setField(v), setOffset(0))} options={searchFields} />
        <TextField label="Contains" type="search" value={text} onChange={(v) => (setText(v), setOffset(0))} />
      </form>
      <LoadedTable
        state={users}
        label="users"
        caption="Users"
        columns={userColumns}
        rowKey={(u) => u.id}
        empty="No user matches."
        after={(list) => <Pager label="Users" offset={offset} pageSize={pageSize} count={list.length} onChange={setOffset} />}
      />
    </Page>
  );
}
