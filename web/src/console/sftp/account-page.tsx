import { useState, type FormEvent } from 'react';
import { api, seg } from '../../api/client.ts';
import type { SftpAccount } from '../../api/types.ts';
import { Status, When } from '../../ui/bits.tsx';
import { splitErrors } from '../../ui/form.tsx';
import { Busy, ErrorMessages, Loading, Notice, Page, Section } from '../../ui/page.tsx';
import { useAction, useApi } from '../../ui/use-api.ts';
import { AuditPanel, SessionsPanel } from './activity-panels.tsx';
import { KeysPanel } from './keys-panel.tsx';
import { PasswordOnce } from './password-once.tsx';
import { CustomerPgpPanel } from './pgp-keys-panel.tsx';
import { bodyOf, draftOf, SettingsFields, settingsFieldNames, type SettingsDraft } from './settings-fields.tsx';

export function AccountPage({ username }: { username: string }) {
  const base = `/api/admin/sftp-accounts/${seg(username)}`;
  const account = useApi((signal) => api.get<SftpAccount>(base, {}, signal), base);
  return (
    <Page title={`SFTP account ${username}`}>
      <Loading state={account} label="the account">
        {(a) => (
          <>
            <Overview account={a} base={base} onChange={account.reload} />
            <SettingsForm account={a} base={base} onSaved={account.reload} />
            <KeysPanel base={base} onChange={account.reload} />
            <CustomerPgpPanel base={base} />
            <SessionsPanel base={base} />
            <AuditPanel base={base} />
          </>
        )}
      </Loading>
    </Page>
  );
}

function Overview({ account, base, onChange }: { account: SftpAccount; base: string; onChange: () => void }) {
  const [shown, setShown] = useState<string>();
  const toggle = useAction(async () => {
    await api.post(`${base}/${account.disabled ? 'enable' : 'disable'}`);
    onChange();
  });
  const reset = useAction(async () => {
    const result = await api.post<SftpAccount>(`${base}/reset-password`);
    setShown(result['generated-password']);
    onChange();
  });
  const confirmReset = () => {
    if (window.confirm(`Reset the password of ${account.username}? The current password stops working at once.`)) void reset.run();
  };
  return (
    <Section title="Overview">
      <dl className="facts">
        <dt>Status</dt>
        <dd>
          <Status value={account.disabled ? 'disabled' : 'active'} />
        </dd>
        <dt>Password</dt>
        <dd>{account['has-password'] ? 'set' : 'none'}</dd>
        <dt>Last sign-in</dt>
        <dd>
          <When at={account['last-login-at']} /> {account['last-login-address'] ? `from ${account['last-login-address']}` : ''}
        </dd>
        <dt>Created</dt>
        <dd>
          <When at={account['created-at']} />
        </dd>
      </dl>
      <div className="buttons">
        <button type="button" onClick={() => void toggle.run()} disabled={toggle.busy}>
          {account.disabled ? 'Enable account' : 'Disable account'}
        </button>
        <button type="button" onClick={confirmReset} disabled={reset.busy}>
          Reset password
        </button>
      </div>
      {reset.busy ? <Busy label="Generating a new password…" /> : null}
      <ErrorMessages error={toggle.error ?? reset.error} />
      {shown ? <PasswordOnce username={account.username} password={shown} onDone={() => setShown(undefined)} /> : null}
    </Section>
  );
}

function SettingsForm({ account, base, onSaved }: { account: SftpAccount; base: string; onSaved: () => void }) {
  const [draft, setDraft] = useState<SettingsDraft>(() => draftOf(account));
  const [saved, setSaved] = useState(false);
  const save = useAction(async () => {
    await api.put(base, bodyOf(draft));
    setSaved(true);
    onSaved();
  });
  const { byField, rest } = splitErrors(save.error, settingsFieldNames);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    void save.run();
  };
  return (
    <Section title="Folders and limits">
      <form onSubmit={submit} noValidate>
        <ErrorMessages messages={rest} />
        <SettingsFields draft={draft} onChange={(d) => (setDraft(d), setSaved(false))} errors={byField} />
        <div className="buttons">
          <button type="submit" className="primary" disabled={save.busy}>
            Save settings
          </button>
        </div>
        {saved ? <Notice>Settings saved.</Notice> : null}
      </form>
    </Section>
  );
}
