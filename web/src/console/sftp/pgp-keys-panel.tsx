import { useState, type FormEvent } from 'react';
import { api } from '../../api/client.ts';
import type { AccountPgpKeys, CustomerKey } from '../../api/types.ts';
import { When } from '../../ui/bits.tsx';
import { Checkbox, splitErrors, TextArea } from '../../ui/form.tsx';
import { ErrorMessages, Loading, Notice, Section } from '../../ui/page.tsx';
import { useAction, useApi } from '../../ui/use-api.ts';

type Keys = AccountPgpKeys & { 'encryption-key': (CustomerKey & { armored?: string }) | null; 'signing-key': (CustomerKey & { armored?: string }) | null };

function KeyFacts({ label, k }: { label: string; k: CustomerKey | null }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>
        {k ? (
          <>
            <code>{k.fingerprint}</code> {k.algorithm}
            {k.bits ? ` ${k.bits} bits` : ''}
            {k['user-id'] ? ` · ${k['user-id']}` : ''}
            {k['expires-at'] ? (
              <>
                {' '}
                · expires <When at={k['expires-at']} />
              </>
            ) : null}
          </>
        ) : (
          'none'
        )}
      </dd>
    </>
  );
}

/** The customer's PGP keys of one account: results are encrypted to the first, inbound files may need a signature by the second. */
export function CustomerPgpPanel({ base }: { base: string }) {
  const path = `${base}/pgp-keys`;
  const keys = useApi((signal) => api.get<Keys>(path, {}, signal), path);
  return (
    <Section title="Customer PGP keys">
      <Loading state={keys} label="PGP keys">
        {(k) => <PgpForm keys={k} path={path} onSaved={keys.reload} />}
      </Loading>
    </Section>
  );
}

function PgpForm({ keys, path, onSaved }: { keys: Keys; path: string; onSaved: () => void }) {
  const [encryption, setEncryption] = useState('');
  const [signing, setSigning] = useState('');
  const [requireSigned, setRequireSigned] = useState(keys['require-signed-inbound']);
  const [saved, setSaved] = useState(false);
  const save = useAction(async (body: Record<string, unknown>) => {
    await api.put(path, body);
    setEncryption('');
    setSigning('');
    setSaved(true);
    onSaved();
  });
  const { byField, rest } = splitErrors(save.error, { 'encryption-key': ['encryption-key', 'Encryption key'], 'signing-key': ['signing-key', 'Signing key'] });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    // PUT replaces the set: keys not pasted again are kept by sending what the API showed.
    void save.run({
      'encryption-key': encryption.trim() || keys['encryption-key']?.armored || null,
      'signing-key': signing.trim() || keys['signing-key']?.armored || null,
      'require-signed-inbound': requireSigned,
    });
  };
  const removeAll = () => {
    if (window.confirm('Remove both customer keys? Results will no longer be encrypted for this account.')) {
      void save.run({ 'encryption-key': null, 'signing-key': null, 'require-signed-inbound': false });
    }
  };
  return (
    <form onSubmit={submit} noValidate>
      <dl className="facts">
        <KeyFacts label="Encryption key" k={keys['encryption-key']} />
        <KeyFacts label="Signing key" k={keys['signing-key']} />
      </dl>
      <ErrorMessages messages={rest} />
      <TextArea label="New encryption key (armored public key)" value={encryption} onChange={setEncryption} rows={3} errors={byField['encryption-key']} hint="Leave empty to keep the current one." />
      <TextArea label="New signing key (armored public key)" value={signing} onChange={setSigning} rows={3} errors={byField['signing-key']} hint="Leave empty to keep the current one." />
      <Checkbox label="Inbound files must be signed with the signing key" checked={requireSigned} onChange={setRequireSigned} />
      <div className="buttons">
        <button type="submit" className="primary" disabled={save.busy}>
          Save PGP keys
        </button>
        <button type="button" className="danger" onClick={removeAll} disabled={save.busy || (!keys['encryption-key'] && !keys['signing-key'])}>
          Remove both keys
        </button>
      </div>
      {saved ? <Notice>PGP keys saved.</Notice> : null}
    </form>
  );
}
