import { useState } from 'react';
import { api, seg } from '../../api/client.ts';
import type { WorkgateKey } from '../../api/types.ts';
import { CopyButton, Status, When } from '../../ui/bits.tsx';
import { Busy, ErrorMessages, Loading, Notice, Page, Section } from '../../ui/page.tsx';
import { Table, type Column } from '../../ui/table.tsx';
import { useAction, useApi } from '../../ui/use-api.ts';

const keyColumns: Array<Column<WorkgateKey>> = [
  { header: 'Fingerprint', cell: (k) => <code>{k.fingerprint}</code> },
  { header: 'State', cell: (k) => <Status value={k.state} /> },
  { header: 'Created', cell: (k) => <When at={k['created-at']} /> },
  { header: 'Retired', cell: (k) => <When at={k['retired-at']} /> },
];

/**
 * Workgate's own PGP keys: customers encrypt to the published one (downloadable without signing in); rotating
 * publishes a new key and keeps the old one able to decrypt until it is retired.
 */
export function PgpPage() {
  const keys = useApi((signal) => api.get<WorkgateKey[]>('/api/admin/pgp/keys', {}, signal), 'pgp-keys');
  const [said, setSaid] = useState('');
  const rotate = useAction(async () => {
    const key = await api.post<WorkgateKey>('/api/admin/pgp/rotate');
    setSaid(`A new key was published: ${key.fingerprint}. Send customers the new public key.`);
    keys.reload();
  });
  const retire = useAction(async (fingerprint: string) => {
    await api.post(`/api/admin/pgp/keys/${seg(fingerprint)}/retire`);
    setSaid(`Key ${fingerprint} retired.`);
    keys.reload();
  });
  return (
    <Page title="PGP">
      <Loading state={keys} label="PGP keys">
        {(list) => {
          const published = list.find((k) => k.state === 'published');
          return (
            <>
              <Section title="Workgate's public key">
                {published ? (
                  <>
                    <p>Customers encrypt the files they upload to this key.</p>
                    <p>
                      Fingerprint: <code id="published-fingerprint">{published.fingerprint}</code> <CopyButton value={published.fingerprint} label="Copy fingerprint" />
                    </p>
                    <p>
                      {published.algorithm}, created <When at={published['created-at']} />
                    </p>
                    <p>
                      <a className="button" href="/api/pgp/public-key" download="workgate-public-key.asc">
                        Download the public key
                      </a>
                    </p>
                  </>
                ) : (
                  <p>No key is published.</p>
                )}
                <div className="buttons">
                  <button
                    type="button"
                    disabled={rotate.busy}
                    onClick={() => window.confirm('Generate and publish a new key? Customers must then encrypt to the new key.') && void rotate.run()}
                  >
                    Rotate key
                  </button>
                </div>
                {rotate.busy ? <Busy label="Generating a new key…" /> : null}
                <ErrorMessages error={rotate.error ?? retire.error} />
                {said ? <Notice>{said}</Notice> : null}
              </Section>
              <Section title="All keys">
                <Table
                  caption="Workgate PGP keys"
                  rows={list}
                  rowKey={(k) => k.fingerprint}
                  columns={[
                    ...keyColumns,
                    {
                      header: 'Actions',
                      hideHeader: true,
                      cell: (k) =>
                        k.state === 'active' ? (
                          <button type="button" disabled={retire.busy} onClick={() => void retire.run(k.fingerprint)} aria-label={`Retire key ${k.fingerprint}`}>
                            Retire
                          </button>
                        ) : null,
                    },
                  ]}
                />
              </Section>
            </>
          );
        }}
      </Loading>
    </Page>
  );
}
