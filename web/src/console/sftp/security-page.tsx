import { api, seg } from '../../api/client.ts';
import type { Ban, HostKey } from '../../api/types.ts';
import { CopyButton, When } from '../../ui/bits.tsx';
import { ErrorMessages, Page, Section } from '../../ui/page.tsx';
import { LoadedTable, type Column } from '../../ui/table.tsx';
import { useAction, useApi } from '../../ui/use-api.ts';

const hostKeyColumns: Array<Column<HostKey>> = [
  { header: 'Type', cell: (k) => k.type },
  { header: 'Size', cell: (k) => (k.bits ? `${k.bits} bits` : '—') },
  { header: 'SHA256 fingerprint', cell: (k) => <code>{k.fingerprint}</code> },
  { header: 'Copy', hideHeader: true, cell: (k) => <CopyButton value={k['public-key']} label="Copy public key" /> },
];

const banColumns: Array<Column<Ban>> = [
  { header: 'Address', cell: (b) => b.address },
  { header: 'Reason', cell: (b) => b.reason },
  { header: 'Since', cell: (b) => <When at={b['banned-at']} /> },
  { header: 'Until', cell: (b) => (b.until ? <When at={b.until} /> : 'until lifted') },
];

/** What customers check on first connection (host key fingerprints), and the addresses banned for failed sign-ins. */
export function SecurityPage() {
  const hostKeys = useApi((signal) => api.get<HostKey[]>('/api/admin/sftp-host-keys', {}, signal), 'host-keys');
  const bans = useApi((signal) => api.get<Ban[]>('/api/admin/sftp-bans', {}, signal), 'bans');
  const lift = useAction(async (address: string) => {
    await api.delete(`/api/admin/sftp-bans/${seg(address)}`);
    bans.reload();
  });
  return (
    <Page title="Host keys and bans">
      <Section title="SFTP host keys">
        <p>Customers compare these fingerprints with what their client shows on the first connection.</p>
        <LoadedTable state={hostKeys} label="host keys" caption="Host keys" columns={hostKeyColumns} rowKey={(k) => k.fingerprint} empty="The SFTP role has not generated host keys yet." />
      </Section>
      <Section title="Banned addresses">
        <LoadedTable
          state={bans}
          label="bans"
          caption="Banned addresses"
          rowKey={(b) => b.address}
          empty="No address is banned."
          columns={[
            ...banColumns,
            {
              header: 'Actions',
              hideHeader: true,
              cell: (b) => (
                <button type="button" onClick={() => void lift.run(b.address)} disabled={lift.busy} aria-label={`Lift the ban of ${b.address}`}>
                  Lift ban
                </button>
              ),
            },
          ]}
        />
        <ErrorMessages error={lift.error} />
      </Section>
    </Page>
  );
}
