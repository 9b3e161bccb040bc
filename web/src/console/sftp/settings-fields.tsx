import type { SftpAccount } from '../../api/types.ts';
import { CheckboxGroup, SelectField, TextArea, TextField } from '../../ui/form.tsx';

export const feedFolders = ['CCW', 'Users', 'AccountTypes', 'Accounts', 'LookupValues', 'Lookups'] as const;
export const authPolicies = ['password', 'publickey', 'password-or-publickey', 'publickey+password'] as const;
export const inputEncodings = ['utf-8', 'windows-1252', 'iso-8859-1'] as const;

/** An account's settings as the form edits them (text for numbers, so a wrong entry can be shown and fixed). */
export interface SettingsDraft {
  authPolicy: string;
  folders: string[];
  maxSessions: string;
  quotaBytes: string;
  allowedNetworks: string;
  inputEncoding: string;
}

export const settingsFieldNames: Record<string, string[]> = {
  'auth-policy': ['Auth policy'],
  folders: ['Folders', 'Folder'],
  'max-sessions': ['Max sessions'],
  'quota-bytes': ['Quota bytes', 'Quota'],
  'allowed-networks': ['Allowed networks', 'Allowed network'],
  'input-encoding': ['Input encoding'],
};

export function draftOf(account?: SftpAccount): SettingsDraft {
  return {
    authPolicy: account?.['auth-policy'] ?? 'password-or-publickey',
    folders: account ? [...account.folders] : [...feedFolders],
    maxSessions: String(account?.['max-sessions'] ?? 5),
    quotaBytes: account?.['quota-bytes'] == null ? '' : String(account['quota-bytes']),
    allowedNetworks: (account?.['allowed-networks'] ?? []).join('\n'),
    inputEncoding: account?.['input-encoding'] ?? 'utf-8',
  };
}

/** The body elements of a draft; numbers that are not numbers are sent as written, and the API says what is wrong. */
export function bodyOf(draft: SettingsDraft): Record<string, unknown> {
  const number = (text: string) => (/^\d+$/.test(text.trim()) ? Number(text.trim()) : text);
  return {
    'auth-policy': draft.authPolicy,
    folders: draft.folders,
    'max-sessions': number(draft.maxSessions),
    'quota-bytes': draft.quotaBytes.trim() === '' ? null : number(draft.quotaBytes),
    'allowed-networks': draft.allowedNetworks.split(/\s*[\n,]\s*/).filter(Boolean),
    'input-encoding': draft.inputEncoding,
  };
}

export function SettingsFields({ draft, onChange, errors }: { draft: SettingsDraft; onChange: (draft: SettingsDraft) => void; errors: Record<string, string[]> }) {
  const set = <K extends keyof SettingsDraft>(key: K) => (value: SettingsDraft[K]) => onChange({ ...draft, [key]: value });
  return (
    <>
      <SelectField
        label="Auth policy"
        value={draft.authPolicy}
        onChange={set('authPolicy')}
        options={authPolicies.map((p) => ({ value: p, label: p }))}
        hint="How the account signs in: a password, an SSH key, either, or a key then a password."
        errors={errors['auth-policy']}
      />
      <CheckboxGroup legend="Folders" options={feedFolders} selected={draft.folders} onChange={set('folders')} errors={errors.folders} />
      <div className="row">
        <TextField label="Max sessions" inputMode="numeric" value={draft.maxSessions} onChange={set('maxSessions')} errors={errors['max-sessions']} hint="1 to 100 at once." />
        <TextField label="Quota (bytes)" inputMode="numeric" value={draft.quotaBytes} onChange={set('quotaBytes')} errors={errors['quota-bytes']} hint="Empty: no quota." />
        <SelectField label="Input encoding" value={draft.inputEncoding} onChange={set('inputEncoding')} options={inputEncodings.map((e) => ({ value: e, label: e }))} errors={errors['input-encoding']} />
      </div>
      <TextArea
        label="Allowed networks"
        value={draft.allowedNetworks}
        onChange={set('allowedNetworks')}
        rows={2}
        hint="One address or CIDR network per line, e.g. 203.0.113.0/24. Empty: from anywhere."
        errors={errors['allowed-networks']}
      />
    </>
  );
}
