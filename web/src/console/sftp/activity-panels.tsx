import { useState } from 'react';
import { api } from '../../api/client.ts';
import type { AuditEvent, LiveSession } from '../../api/types.ts';
import { bytes, Status, When } from '../../ui/bits.tsx';
import { Section } from '../../ui/page.tsx';
import { LoadedTable, type Column } from '../../ui/table.tsx';
import { useApi } from '../../ui/use-api.ts';

const sessionColumns: Array<Column<LiveSession>> = [
  { header: 'Address', cell: (s) => s.address },
  { header: 'Node', cell: (s) => s.node },
  { header: 'Since', cell: (s) => <When at={s['started-at']} /> },
  { header: 'Received', cell: (s) => bytes(s['bytes-in']) },
  { header: 'Sent', cell: (s) => bytes(s['bytes-out']) },
];

/** The account's live SFTP sessions on every node. */
export function SessionsPanel({ base }: { base: string }) {
  const sessions = useApi((signal) => api.get<LiveSession[]>(`${base}/sessions`, {}, signal), `${base}/sessions`);
  return (
    <Section title="Sessions now">
      <LoadedTable state={sessions} label="sessions" caption="Open SFTP sessions" columns={sessionColumns} rowKey={(s) => String(s.id)} empty="No open session." />
      <button type="button" onClick={sessions.reload}>
        Refresh sessions
      </button>
    </Section>
  );
}

const pageSize = 25;

function detailText(detail: Record<string, unknown> | null): string {
  if (!detail) return '';
  return Object.entries(detail)
    .map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(', ');
}

const auditColumns: Array<Column<AuditEvent>> = [
  { header: 'When', cell: (e) => <When at={e.at} /> },
  { header: 'Event', cell: (e) => `${e.event}${e.method ? ` (${e.method})` : ''}` },
  { header: 'Outcome', cell: (e) => <Status value={e.outcome} /> },
  { header: 'Address', cell: (e) => e.address ?? '' },
  { header: 'Details', cell: (e) => detailText(e.detail), wrap: true },
];

/** The account's audit trail, newest first, paged with the API's `before` cursor. */
export function AuditPanel({ base }: { base: string }) {
  const [cursors, setCursors] = useState<number[]>([]);
  const before = cursors[cursors.length - 1];
  const key = `${base}/audit-events?before=${before ?? ''}`;
  const events = useApi((signal) => api.get<AuditEvent[]>(`${base}/audit-events`, { limit: pageSize, before }, signal), key);
  return (
    <Section title="Audit events">
      <LoadedTable
        state={events}
        label="audit events"
        caption="Audit events"
        columns={auditColumns}
        rowKey={(e) => e.id}
        empty="No events."
        after={(list) => (
          <nav className="pager" aria-label="Audit event pages">
            <button type="button" disabled={cursors.length === 0} onClick={() => setCursors(cursors.slice(0, -1))}>
              Newer
            </button>
            <button type="button" disabled={list.length < pageSize} onClick={() => setCursors([...cursors, list[list.length - 1]!.id])}>
              Older
            </button>
          </nav>
        )}
      />
    </Section>
  );
}
