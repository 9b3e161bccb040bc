import { api, seg } from '../../api/client.ts';
import type { Ban, HostKey } from '../../api/types.ts';
import { CopyButton, When } from '../../ui/bits.tsx';
import { Empty, ErrorMessages, Loading, Page, Section } from '../../ui/page.tsx';
import { useAction, useApi } from '../../ui/use-api.ts';

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
        <Loading state={hostKeys} label="host keys">
          {(list) =>
            list.length === 0 ? (
              <Empty>The SFTP role has not generated host keys yet.</Empty>
            ) : (
              <table>
                <caption className="sr-only">Host keys</caption>
                <thead>
                  <tr>
                    <th scope="col">Type</th>
                    <th scope="col">Size</th>
                    <th scope="col">SHA256 fingerprint</th>
                    <th scope="col">
                      <span className="sr-only">Copy</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((k) => (
                    <tr key={k.fingerprint}>
                      <td>{k.type}</td>
                      <td>{k.bits ? `${k.bits} bits` : '—'}</td>
                      <td>
                        <code>{k.fingerprint}</code>
                      </td>
                      <td>
                        <CopyButton value={k['public-key']} label="Copy public key" />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )
          }
        </Loading>
      </Section>
      <Section title="Banned addresses">
        <Loading state={bans} label="bans">
          {(list) =>
            list.length === 0 ? (
              <Empty>No address is banned.</Empty>
            ) : (
              <table>
                <caption className="sr-only">Banned addresses</caption>
                <thead>
                  <tr>
                    <th scope="col">Address</th>
                    <th scope="col">Reason</th>
                    <th scope="col">Since</th>
                    <th scope="col">Until</th>
                    <th scope="col">
                      <span className="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((b) => (
                    <tr key={b.address}>
                      <td>{b.address}</td>
                      <td>{b.reason}</td>
                      <td>
                        <When at={b['banned-at']} />
                      </td>
                      <td>{b.until ? <When at={b.until} /> : 'until lifted'}</td>
                      <td>
                        <button type="button" onClick={() => void lift.run(b.address)} disabled={lift.busy} aria-label={`Lift the ban of ${b.address}`}>
                          Lift ban
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )
          }
        </Loading>
        <ErrorMessages error={lift.error} />
      </Section>
    </Page>
  );
}
