import { useState, type FormEvent } from 'react';
import { api, seg } from '../../api/client.ts';
import type { SshKey } from '../../api/types.ts';
import { When } from '../../ui/bits.tsx';
import { TextArea } from '../../ui/form.tsx';
import { ErrorMessages, Notice, Section } from '../../ui/page.tsx';
import { LoadedTable, type Column } from '../../ui/table.tsx';
import { useAction, useApi } from '../../ui/use-api.ts';

const keyColumns: Array<Column<SshKey>> = [
  { header: 'Type', cell: (k) => k.type },
  { header: 'Size', cell: (k) => (k.bits === null ? '—' : `${k.bits} bits`) },
  { header: 'Fingerprint', cell: (k) => <code>{k.fingerprint}</code> },
  { header: 'Comment', cell: (k) => k.comment ?? '' },
  { header: 'Added', cell: (k) => <When at={k['created-at']} /> },
];

/** An account's SSH keys: paste an authorized_keys line; each key shows its type, size and SHA256 fingerprint. */
export function KeysPanel({ base, onChange }: { base: string; onChange: () => void }) {
  const keys = useApi((signal) => api.get<SshKey[]>(`${base}/keys`, {}, signal), `${base}/keys`);
  const [line, setLine] = useState('');
  const [said, setSaid] = useState('');
  const add = useAction(async () => {
    const key = await api.post<SshKey>(`${base}/keys`, { 'public-key': line.trim() });
    setLine('');
    setSaid(`Key ${key.fingerprint} added.`);
    keys.reload();
    onChange();
  });
  const remove = useAction(async (key: SshKey) => {
    await api.delete(`${base}/keys/${seg(key.fingerprint)}`);
    setSaid(`Key ${key.fingerprint} removed.`);
    keys.reload();
    onChange();
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSaid('');
    void add.run();
  };
  return (
    <Section title="SSH keys">
      <LoadedTable
        state={keys}
        label="keys"
        caption="SSH keys"
        rowKey={(k) => k.fingerprint}
        empty="No SSH keys."
        columns={[
          ...keyColumns,
          {
            header: 'Actions',
            hideHeader: true,
            cell: (k) => (
              <button
                type="button"
                className="danger"
                aria-label={`Remove key ${k.fingerprint}`}
                disabled={remove.busy}
                onClick={() => window.confirm(`Remove the key ${k.fingerprint}?`) && void remove.run(k)}
              >
                Remove
              </button>
            ),
          },
        ]}
      />
      <ErrorMessages error={remove.error} />
      <form onSubmit={submit} noValidate>
        <TextArea
          label="Add a key"
          value={line}
          onChange={setLine}
          rows={3}
          required
          hint="Paste one line of an authorized_keys file: ssh-ed25519, ecdsa-sha2-nistp256/384/521 or ssh-rsa (2048 bits or more)."
          errors={add.error?.messages}
        />
        <div className="buttons">
          <button type="submit" disabled={add.busy || line.trim() === ''}>
            Add key
          </button>
        </div>
      </form>
      {said ? <Notice>{said}</Notice> : null}
    </Section>
  );
}
