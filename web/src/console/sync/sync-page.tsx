import { useState } from 'react';
import { api } from '../../api/client.ts';
import type { SyncEvent, SyncStatus } from '../../api/types.ts';
import { When } from '../../ui/bits.tsx';
import { Busy, ErrorMessages, Loading, Notice, Page, Section } from '../../ui/page.tsx';
import { Table, TableOrEmpty, type Column } from '../../ui/table.tsx';
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

const eventColumns: Array<Column<SyncEvent>> = [
  { header: 'Event', cell: (e) => e.id },
  { header: 'Entity', cell: (e) => `${e.entity} ${e['entity-id']}` },
];

const pendingColumns: Array<Column<SyncStatus['pending-events'][number]>> = [
  ...eventColumns,
  { header: 'Created', cell: (e) => <When at={e['created-at']} /> },
  { header: 'Attempts', cell: (e) => e.attempts },
  { header: 'Next attempt', cell: (e) => <When at={e['next-attempt-at']} /> },
  { header: 'Error', cell: (e) => e['last-error'] ?? '', wrap: true },
];

const parkedColumns: Array<Column<SyncEvent>> = [
  ...eventColumns,
  { header: 'Attempts', cell: (e) => e.attempts },
  { header: 'Error', cell: (e) => e['last-error'] ?? '', wrap: true },
  { header: 'Created', cell: (e) => <When at={e['created-at']} /> },
];

const repairColumns: Array<Column<Reconcile['repairs'][number]>> = [
  { header: 'What', cell: (r) => r.what },
  { header: 'Key', cell: (r) => r.key },
  { header: 'Action', cell: (r) => r.action },
];

/** The next events waiting to be applied, with their failures so far. */
function PendingEvents({ status }: { status: SyncStatus }) {
  const events = status['pending-events'];
  const caption = `Pending events${status.pending > events.length ? ` (the next ${events.length} of ${status.pending})` : ''}`;
  return <TableOrEmpty caption={caption} showCaption columns={pendingColumns} rows={events} rowKey={(e) => e.id} empty="No event is waiting: Workforce is up to date." />;
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
              {s['parked-events'].length > 0 ? <Table caption="Parked events" showCaption columns={parkedColumns} rows={s['parked-events']} rowKey={(e) => e.id} /> : null}
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
            <TableOrEmpty caption="Repairs" showCaption columns={repairColumns} rows={report.repairs.slice(0, 200)} rowKey={(r, i) => `${r.key}-${i}`} empty="Core and Workforce agree." />
          </>
        ) : null}
      </Section>
    </Page>
  );
}
