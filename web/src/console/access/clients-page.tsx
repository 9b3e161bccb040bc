import { useState, type FormEvent } from 'react';
import { api, seg } from '../../api/client.ts';
import type { OAuthClient } from '../../api/types.ts';
import { CopyButton, Status, When } from '../../ui/bits.tsx';
import { CheckboxGroup, splitErrors, TextField } from '../../ui/form.tsx';
import { ErrorMessages, Page, Section } from '../../ui/page.tsx';
import { LoadedTable, type Column } from '../../ui/table.tsx';
import { useAction, useApi } from '../../ui/use-api.ts';

const scopes = [
  'core.user.read',
  'core.user.write',
  'core.accounting.read',
  'core.accounting.write',
  'core.common.read',
  'core.integration.read',
  'core.integration.write',
  'workforce.read',
  'workforce.write',
  'workgate.admin',
] as const;

function SecretOnce({ client, onDone }: { client: OAuthClient; onDone: () => void }) {
  return (
    <div className="alert once" role="alert">
      <h3>Client secret of {client.name}</h3>
      <p>
        Client id <code>{client['client-id']}</code>. The secret below is shown only now.
      </p>
      <p className="secret">
        <code id="client-secret">{client['client-secret']}</code> <CopyButton value={client['client-secret'] ?? ''} label="Copy secret" targetId="client-secret" />
      </p>
      <button type="button" onClick={onDone}>
        I have copied it: hide the secret
      </button>
    </div>
  );
}

const clientColumns: Array<Column<OAuthClient>> = [
  { header: 'Name', cell: (c) => c.name },
  { header: 'Client id', cell: (c) => <code>{c['client-id']}</code> },
  { header: 'Scopes', cell: (c) => c.scopes.join(' '), wrap: true },
  { header: 'Status', cell: (c) => <Status value={c.active ? 'active' : 'disabled'} /> },
  { header: 'Created', cell: (c) => <When at={c['created-at']} /> },
];

/** OAuth 2.0 clients of programs (client credentials): create, rotate the secret, disable. */
export function ClientsPage() {
  const clients = useApi((signal) => api.get<OAuthClient[]>('/api/admin/oauth-clients', {}, signal), 'clients');
  const [secret, setSecret] = useState<OAuthClient>();
  const act = useAction(async (client: OAuthClient, action: 'rotate-secret' | 'disable') => {
    const result = await api.post<OAuthClient>(`/api/admin/oauth-clients/${seg(client['client-id'])}/${action}`);
    if (result['client-secret']) setSecret(result);
    clients.reload();
  });
  return (
    <Page title="API clients">
      {secret ? <SecretOnce client={secret} onDone={() => setSecret(undefined)} /> : null}
      <Section title="OAuth 2.0 clients">
        <LoadedTable
          state={clients}
          label="clients"
          caption="OAuth clients"
          rowKey={(c) => c['client-id']}
          empty="No API client yet."
          columns={[
            ...clientColumns,
            {
              header: 'Actions',
              hideHeader: true,
              cell: (c) =>
                c.active ? (
                  <>
                    <button type="button" disabled={act.busy} onClick={() => window.confirm(`Rotate the secret of ${c.name}? Its tokens stop working.`) && void act.run(c, 'rotate-secret')}>
                      Rotate secret
                    </button>{' '}
                    <button type="button" className="danger" disabled={act.busy} onClick={() => window.confirm(`Disable ${c.name}?`) && void act.run(c, 'disable')}>
                      Disable
                    </button>
                  </>
                ) : null,
            },
          ]}
        />
        <ErrorMessages error={act.error} />
      </Section>
      <CreateClient onCreated={(c) => (setSecret(c), clients.reload())} />
    </Page>
  );
}

function CreateClient({ onCreated }: { onCreated: (client: OAuthClient) => void }) {
  const [name, setName] = useState('');
  const [chosen, setChosen] = useState<string[]>([]);
  const create = useAction(async () => {
    const client = await api.post<OAuthClient>('/api/admin/oauth-clients', { name: name.trim(), scopes: chosen });
    setName('');
    setChosen([]);
    onCreated(client);
  });
  const { byField, rest } = splitErrors(create.error, { name: ['Name'], scopes: ['Scopes', 'scope'] });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void create.run();
  };
  return (
    <Section title="New API client">
      <form onSubmit={submit} noValidate>
        <ErrorMessages messages={rest} />
        <TextField label="Name" value={name} onChange={setName} required errors={byField.name} />
        <CheckboxGroup legend="Scopes" options={scopes} selected={chosen} onChange={setChosen} errors={byField.scopes} />
        <div className="buttons">
          <button type="submit" className="primary" disabled={create.busy}>
            Create client
          </button>
        </div>
      </form>
    </Section>
  );
}
