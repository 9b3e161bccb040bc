import { useState, type FormEvent } from 'react';
import { api } from '../../api/client.ts';
import type { SftpAccount } from '../../api/types.ts';
import { Link, navigate } from '../../router.tsx';
import { splitErrors, TextArea, TextField } from '../../ui/form.tsx';
import { Busy, ErrorMessages, Page } from '../../ui/page.tsx';
import { useAction } from '../../ui/use-api.ts';
import { PasswordOnce } from './password-once.tsx';
import { bodyOf, draftOf, SettingsFields, settingsFieldNames } from './settings-fields.tsx';

const fieldNames = { username: ['Username'], password: ['Password'], 'ssh-keys': ['SSH keys', 'SSH key'], ...settingsFieldNames };

export function CreateAccountPage() {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [keys, setKeys] = useState('');
  const [draft, setDraft] = useState(draftOf());
  const [created, setCreated] = useState<SftpAccount>();
  const create = useAction(() =>
    api.post<SftpAccount>('/api/admin/sftp-accounts', {
      username: username.trim(),
      ...(password ? { password } : {}),
      'ssh-keys': keys.split('\n').map((l) => l.trim()).filter(Boolean),
      ...bodyOf(draft),
    }),
  );
  const { byField, rest } = splitErrors(create.error, fieldNames);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const account = await create.run();
    if (!account) return;
    if (account['generated-password']) setCreated(account);
    else navigate(`/console/sftp/accounts/${encodeURIComponent(account.username)}`);
  };

  if (created) {
    const path = `/console/sftp/accounts/${encodeURIComponent(created.username)}`;
    return (
      <Page title={`Account ${created.username} created`}>
        <PasswordOnce username={created.username} password={created['generated-password']!} onDone={() => navigate(path)} />
        <p>
          <Link to={path}>Go to the account</Link>
        </p>
      </Page>
    );
  }

  return (
    <Page title="New SFTP account">
      <form onSubmit={(e) => void submit(e)} noValidate>
        <ErrorMessages messages={rest} />
        <TextField label="Username" value={username} onChange={setUsername} required autoComplete="off" errors={byField.username} hint="Lower-case letters, digits, '.', '_' and '-'." />
        <TextField
          label="Password"
          type="password"
          value={password}
          onChange={setPassword}
          autoComplete="new-password"
          errors={byField.password}
          hint="Leave empty to have Workgate generate one (shown once) when the auth policy needs a password."
        />
        <TextArea label="SSH keys" value={keys} onChange={setKeys} rows={3} errors={byField['ssh-keys']} hint="Optional: one authorized_keys line per line (ssh-ed25519 AAAA… comment)." />
        <SettingsFields draft={draft} onChange={setDraft} errors={byField} />
        <div className="buttons">
          <button type="submit" className="primary" disabled={create.busy}>
            Create account
          </button>
          <Link to="/console/sftp">Cancel</Link>
        </div>
        {create.busy ? <Busy label="Creating the account…" /> : null}
      </form>
    </Page>
  );
}
