import { useState, type FormEvent } from 'react';
import { api, seg } from '../../api/client.ts';
import type { Provider, SignInEvent } from '../../api/types.ts';
import { Status, When } from '../../ui/bits.tsx';
import { SelectField, splitErrors, TextArea, TextField } from '../../ui/form.tsx';
import { Empty, ErrorMessages, Loading, Notice, Page, Section } from '../../ui/page.tsx';
import { LoadedTable, type Column } from '../../ui/table.tsx';
import { useAction, useApi } from '../../ui/use-api.ts';

interface LocalAdmin {
  login: string;
  disabled: boolean;
  'last-login-at': string | null;
}

const providerColumns: Array<Column<Provider>> = [
  { header: 'Name', cell: (p) => p.name },
  { header: 'Kind', cell: (p) => (p.kind === 'oidc' ? 'OpenID Connect' : 'SAML 2.0') },
  { header: 'Status', cell: (p) => <Status value={p.enabled ? 'enabled' : 'disabled'} /> },
  { header: 'Issuer or IdP', cell: (p) => p.issuer ?? p['sso-url'] ?? '', wrap: true },
  { header: 'Give the provider', cell: (p) => <code>{p['redirect-uri'] ?? p['acs-url'] ?? ''}</code>, wrap: true },
];

const eventColumns: Array<Column<SignInEvent>> = [
  { header: 'When', cell: (e) => <When at={e.at} /> },
  { header: 'Event', cell: (e) => e.event.replaceAll('_', ' ') },
  { header: 'Login', cell: (e) => e.login ?? '' },
  { header: 'Provider', cell: (e) => e.provider ?? '' },
  { header: 'Details', cell: (e) => e.message ?? e.reason ?? '', wrap: true },
];

/** Identity providers (OpenID Connect, SAML 2.0), the break-glass admins, and the sign-in audit. */
export function AccessPage() {
  const providers = useApi((signal) => api.get<Provider[]>('/api/admin/sso/providers', {}, signal), 'providers');
  const admins = useApi((signal) => api.get<LocalAdmin[]>('/api/admin/sso/local-admins', {}, signal), 'local-admins');
  const events = useApi((signal) => api.get<SignInEvent[]>('/api/admin/sso/audit-events', { limit: 25 }, signal), 'sso-events');
  const change = useAction(async (p: Provider, action: 'toggle' | 'remove') => {
    if (action === 'remove') await api.delete(`/api/admin/sso/providers/${seg(p.name)}`);
    else await api.put(`/api/admin/sso/providers/${seg(p.name)}`, { enabled: !p.enabled });
    providers.reload();
  });
  return (
    <Page title="Sign-in providers">
      <Section title="Identity providers">
        <LoadedTable
          state={providers}
          label="providers"
          caption="Identity providers"
          rowKey={(p) => p.name}
          empty="No identity provider yet: people cannot sign in except the local administrators."
          columns={[
            ...providerColumns,
            {
              header: 'Actions',
              hideHeader: true,
              cell: (p) => (
                <>
                  <button type="button" disabled={change.busy} onClick={() => void change.run(p, 'toggle')}>
                    {p.enabled ? 'Disable' : 'Enable'}
                  </button>{' '}
                  <button type="button" className="danger" disabled={change.busy} onClick={() => window.confirm(`Remove ${p.name}?`) && void change.run(p, 'remove')}>
                    Remove
                  </button>
                </>
              ),
            },
          ]}
        />
        <ErrorMessages error={change.error} />
      </Section>
      <AddProvider onAdded={providers.reload} />
      <Section title="Local administrators">
        <p className="muted">Break-glass sign-in for first setup; created with `workgate admin create`.</p>
        <Loading state={admins} label="local administrators">
          {(list) =>
            list.length === 0 ? (
              <Empty>None.</Empty>
            ) : (
              <ul>
                {list.map((a) => (
                  <li key={a.login}>
                    {a.login} <Status value={a.disabled ? 'disabled' : 'enabled'} /> last sign-in <When at={a['last-login-at']} />
                  </li>
                ))}
              </ul>
            )
          }
        </Loading>
      </Section>
      <Section title="Recent sign-ins">
        <LoadedTable state={events} label="sign-in events" caption="Recent sign-in events" columns={eventColumns} rowKey={(e) => e.id} empty="No sign-in yet." />
      </Section>
    </Page>
  );
}

const providerFields = {
  name: ['Name'],
  issuer: ['issuer', 'Issuer'],
  'client-id': ['client-id', 'Client id'],
  'client-secret': ['client-secret', 'Client secret'],
  'metadata-xml': ['metadata-xml', 'metadata', 'Metadata'],
  claim: ['claim'],
  fallback: ['fallback'],
};

function AddProvider({ onAdded }: { onAdded: () => void }) {
  const [kind, setKind] = useState<'oidc' | 'saml'>('oidc');
  const [form, setForm] = useState({ name: '', issuer: '', 'client-id': '', 'client-secret': '', 'metadata-xml': '', claim: '', fallback: 'none' });
  const [added, setAdded] = useState('');
  const set = (key: keyof typeof form) => (value: string) => setForm({ ...form, [key]: value });
  const add = useAction(async () => {
    const common = { name: form.name.trim(), kind, fallback: form.fallback, ...(form.claim.trim() ? { claim: form.claim.trim() } : {}) };
    const body = kind === 'oidc' ? { ...common, issuer: form.issuer.trim(), 'client-id': form['client-id'].trim(), 'client-secret': form['client-secret'] } : { ...common, 'metadata-xml': form['metadata-xml'] };
    const created = await api.post<Provider>('/api/admin/sso/providers', body);
    setAdded(`${created.name} added. Register ${created['redirect-uri'] ?? created['acs-url'] ?? ''} at the provider.`);
    onAdded();
  });
  const { byField, rest } = splitErrors(add.error, providerFields);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setAdded('');
    void add.run();
  };
  return (
    <Section title="Add a provider">
      <form onSubmit={submit} noValidate>
        <ErrorMessages messages={rest} />
        <div className="row">
          <TextField label="Name" value={form.name} onChange={set('name')} required errors={byField.name} hint="Used in the sign-in addresses, e.g. okta." />
          <SelectField label="Kind" value={kind} onChange={(v) => setKind(v === 'saml' ? 'saml' : 'oidc')} options={[{ value: 'oidc', label: 'OpenID Connect' }, { value: 'saml', label: 'SAML 2.0' }]} />
        </div>
        {kind === 'oidc' ? (
          <>
            <TextField label="Issuer" value={form.issuer} onChange={set('issuer')} errors={byField.issuer} hint="https://… (plain http only on a loopback address)." />
            <div className="row">
              <TextField label="Client id" value={form['client-id']} onChange={set('client-id')} errors={byField['client-id']} />
              <TextField label="Client secret" type="password" autoComplete="off" value={form['client-secret']} onChange={set('client-secret')} errors={byField['client-secret']} />
            </div>
          </>
        ) : (
          <TextArea label="IdP metadata (XML)" value={form['metadata-xml']} onChange={set('metadata-xml')} rows={5} errors={byField['metadata-xml']} />
        )}
        <div className="row">
          <TextField label="Claim or attribute matched to the SSO identifier" value={form.claim} onChange={set('claim')} errors={byField.claim} hint="Empty: sub (OIDC) or NameID (SAML)." />
          <SelectField
            label="When no SSO identifier matches"
            value={form.fallback}
            onChange={set('fallback')}
            options={[{ value: 'none', label: 'Refuse' }, { value: 'email', label: 'Match by email' }, { value: 'login', label: 'Match by login' }]}
            errors={byField.fallback}
          />
        </div>
        <div className="buttons">
          <button type="submit" className="primary" disabled={add.busy}>
            Add provider
          </button>
        </div>
        {added ? <Notice>{added}</Notice> : null}
      </form>
    </Section>
  );
}
