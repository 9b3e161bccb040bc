import { useState } from 'react';
import { api } from '../../api/client.ts';
import type { SyncStatus } from '../../api/types.ts';
import { When } from '../../ui/bits.tsx';
import { Busy, Empty, ErrorMessages, Loading, Notice, Page, Section } from '../../ui/page.tsx';
import { useAction, useApi } from '../../ui/use-api.ts';

interface Reconcile {
  count: number;
  repairs: Array<{ what: string; key: string; action: string }>;
}

export function SyncStatusFacts({ status }: { status: SyncStatus }) {
  return (
    <dl className="facts">
      <dt>Pending events</dt>
      <dd data-testid="sync-pending">{status.pending}</dd>
      <dt>Retrying</dt>
      <dd>{status.retrying}</dd>
      <dt>Parked (need attention)</dt>
      <dd>{status.parked}</dd>
      <dt>Oldest pending</dt>
      <dd>
        <When at={status['oldest-pending-at']} />
      </dd>
      <dt>Lag</dt>
      <dd>{Number(status['lag-seconds']).toFixed(1)} s</dd>
      <dt>Last applied</dt>
      <dd>
        <When at={status['last-applied-at']} />
      </dd>
      <dt>Last error</dt>
      <dd>{status['last-error'] ? `${status['last-error'].entity} ${status['last-error']['entity-id']}: ${status['last-error'].message}` : 'none'}</dd>
    </dl>
  );
}

/** The next events waiting to be applied, with their failures so far. */
function PendingEvents({ status }: { status: SyncStatus }) {
  const events = status['pending-events'];
  if (events.length === 0) return <Empty>No event is waiting: Workforce is up to date.</Empty>;
  return (
    <table>
      <caption>Pending events{status.pending > events.length ? ` (the next ${events.length} of ${status.pending})` : ''}</caption>
      <thead>
        <tr>
          <th scope="col">Event</th>
          <th scope="col">Entity</th>
          <th scope="col">Created</th>
          <th scope="col">Attempts</th>
          <th scope="col">Next attempt</th>
          <th scope="col">Error</th>
        </tr>
      </thead>
      <tbody>
        {events.map((e) => (
          <tr key={e.id}>
            <td>{e.id}</td>
            <td>
              {e.entity} {e['entity-id']}
            </td>
            <td>
              <When at={e['created-at']} />
            </td>
            <td>{e.attempts}</td>
            <td>
              <When at={e['next-attempt-at']} />
            </td>
            <td className="wrap">{e['last-error'] ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Core -> Workforce: what waits, what failed, and reconcile (compare both sides and repair drift) with its report. */
export function SyncPage() {
  const status = useApi((signal) => api.get<SyncStatus>('/api/admin/sync/status', {}, signal), 'sync', { pollMs: 5000, keepPolling: () => true });
  const [report, setReport] = useState<Reconcile>();
  const reconcile = useAction(() => api.post<Reconcile>('/api/admin/sync/reconcile'));
  const run = async () => {
    await reconcile.run().then((r) => r && setReport(r));
    status.reload();
  };
  return (
    <Page title="Sync">
      <Section title="Status">
        <Loading state={status} label="the sync status">
          {(s) => (
            <>
              <SyncStatusFacts status={s} />
              <PendingEvents status={s} />
              {s['parked-events'].length > 0 ? (
                <table>
                  <caption>Parked events</caption>
                  <thead>
                    <tr>
                      <th scope="col">Event</th>
                      <th scope="col">Entity</th>
                      <th scope="col">Attempts</th>
                      <th scope="col">Error</th>
                      <th scope="col">Created</th>
                    </tr>
                  </thead>
                  <tbody>
                    {s['parked-events'].map((e) => (
                      <tr key={e.id}>
                        <td>{e.id}</td>
                        <td>
                          {e.entity} {e['entity-id']}
                        </td>
                        <td>{e.attempts}</td>
                        <td className="wrap">{e['last-error'] ?? ''}</td>
                        <td>
                          <When at={e['created-at']} />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              ) : null}
            </>
          )}
        </Loading>
      </Section>
      <Section title="Reconcile">
        <p>Compares every Workforce user, supervisor and segment value with Core and repairs what drifted. It may take a while on large data.</p>
        <button type="button" className="primary" disabled={reconcile.busy} onClick={() => void run()}>
          Reconcile now
        </button>
        {reconcile.busy ? <Busy label="Reconciling Core and Workforce…" /> : null}
        <ErrorMessages error={reconcile.error} />
        {report ? (
          <>
            <Notice>Reconcile finished: {report.count === 0 ? 'nothing to repair.' : `${report.count} repairs.`}</Notice>
            {report.repairs.length > 0 ? (
              <table>
                <caption>Repairs</caption>
                <thead>
                  <tr>
                    <th scope="col">What</th>
                    <th scope="col">Key</th>
                    <th scope="col">Action</th>
                  </tr>
                </thead>
                <tbody>
                  {report.repairs.slice(0, 200).map((r, i) => (
                    <tr key={`${r.key}-${i}`}>
                      <td>{r.what}</td>
                      <td>{r.key}</td>
                      <td>{r.action}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : (
              <Empty>Core and Workforce agree.</Empty>
            )}
          </>
        ) : null}
      </Section>
    </Page>
  );
}
