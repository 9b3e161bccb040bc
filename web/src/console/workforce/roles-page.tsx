import { useState, type FormEvent } from 'react';
import { api, seg } from '../../api/client.ts';
import type { WorkforceUser } from '../../api/types.ts';
import { Pager, Status } from '../../ui/bits.tsx';
import { CheckboxGroup, TextField } from '../../ui/form.tsx';
import { Notice, Page, Section } from '../../ui/page.tsx';
import { LoadedTable, type Column } from '../../ui/table.tsx';
import { useAction, useApi } from '../../ui/use-api.ts';

const pageSize = 25;
/** Workgate's default Workforce roles (WORKGATE_WORKFORCE_ROLES); roles seen on users are offered too. */
const defaultRoles = ['Engaging Manager', 'Hiring Manager', 'Program Manager', 'Admin'];

const userColumns: Array<Column<WorkforceUser>> = [
  { header: 'User name', cell: (u) => u['user-name'] },
  { header: 'Name', cell: (u) => `${u['first-name']} ${u['last-name']}` },
  { header: 'Status', cell: (u) => <Status value={u.status} /> },
  { header: 'Roles', cell: (u) => u.roles.map((r) => r.name).join(', ') || '—' },
];

/** Workforce roles are Workforce's own: set here, never overwritten by Core after a user's creation. */
export function RolesPage() {
  const [name, setName] = useState('');
  const [offset, setOffset] = useState(0);
  const [editing, setEditing] = useState<WorkforceUser>();
  const args = { limit: pageSize, offset, order_by: 'user-name', 'user-name[contains]': name.trim() };
  const users = useApi((signal) => api.get<WorkforceUser[]>('/api/ccw/users', args, signal), JSON.stringify(args));
  const known = [...new Set([...defaultRoles, ...(users.data ?? []).flatMap((u) => u.roles.map((r) => r.name))])];
  return (
    <Page title="Workforce roles">
      <div className="filters">
        <TextField label="User name contains" type="search" value={name} onChange={(v) => (setName(v), setOffset(0))} />
      </div>
      <LoadedTable
        state={users}
        label="Workforce users"
        caption="Workforce users and their roles"
        rowKey={(u) => u.id}
        empty="No Workforce user matches."
        columns={[
          ...userColumns,
          {
            header: 'Actions',
            hideHeader: true,
            cell: (u) => (
              <button type="button" onClick={() => setEditing(u)} aria-label={`Edit the roles of ${u['user-name']}`}>
                Edit roles
              </button>
            ),
          },
        ]}
        after={(list) => <Pager label="Workforce users" offset={offset} pageSize={pageSize} count={list.length} onChange={setOffset} />}
      />
      {editing ? <RolesForm key={editing.id} user={editing} known={known} onDone={() => (setEditing(undefined), users.reload())} /> : null}
    </Page>
  );
}

function RolesForm({ user, known, onDone }: { user: WorkforceUser; known: string[]; onDone: () => void }) {
  const [roles, setRoles] = useState(user.roles.map((r) => r.name));
  const [saved, setSaved] = useState(false);
  const save = useAction(async () => {
    await api.put(`/api/ccw/users/${seg(user['user-name'])}`, { roles: roles.map((name) => ({ name })) });
    setSaved(true);
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void save.run();
  };
  return (
    <Section title={`Roles of ${user['user-name']}`}>
      <form onSubmit={submit} noValidate>
        <CheckboxGroup legend="Roles" options={known} selected={roles} onChange={setRoles} errors={save.error?.messages} />
        <div className="buttons">
          <button type="submit" className="primary" disabled={save.busy}>
            Save roles
          </button>
          <button type="button" onClick={onDone}>
            Close
          </button>
        </div>
        {saved ? <Notice>Roles saved.</Notice> : null}
      </form>
    </Section>
  );
}
