import { useState } from 'react';
import { api } from '../../api/client.ts';
import type { CoreUser } from '../../api/types.ts';
import { Link } from '../../router.tsx';
import { Pager, Status } from '../../ui/bits.tsx';
import { SelectField, TextField } from '../../ui/form.tsx';
import { Empty, Loading, Page } from '../../ui/page.tsx';
import { useApi } from '../../ui/use-api.ts';

const pageSize = 25;
const searchFields = [
  { value: 'login', label: 'Login' },
  { value: 'lastname', label: 'Last name' },
  { value: 'email', label: 'Email' },
  { value: 'employee-number', label: 'Employee number' },
];

export function UserTable({ users, caption }: { users: CoreUser[]; caption: string }) {
  return (
    <table>
      <caption className="sr-only">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Login</th>
          <th scope="col">Name</th>
          <th scope="col">Email</th>
          <th scope="col">Status</th>
          <th scope="col">Roles</th>
          <th scope="col">Supervisor</th>
        </tr>
      </thead>
      <tbody>
        {users.map((u) => (
          <tr key={u.id}>
            <td>
              <Link to={`/console/core/users/${u.id}`}>{u.login}</Link>
            </td>
            <td>{u.fullname}</td>
            <td>{u.email}</td>
            <td>
              <Status value={u.active ? 'active' : 'inactive'} />
            </td>
            <td>{u.roles.map((r) => r.name).join(', ')}</td>
            <td>{u.manager ? <Link to={`/console/core/users/${u.manager.id}`}>{u.manager.login}</Link> : ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

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
      <Loading state={users} label="users">
        {(list) => (
          <>
            {list.length === 0 ? <Empty>No user matches.</Empty> : <UserTable users={list} caption="Users" />}
            <Pager label="Users" offset={offset} pageSize={pageSize} count={list.length} onChange={setOffset} />
          </>
        )}
      </Loading>
    </Page>
  );
}
