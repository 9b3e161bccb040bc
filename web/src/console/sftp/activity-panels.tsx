import { useState } from 'react';
import { api } from '../../api/client.ts';
import type { AuditEvent, LiveSession } from '../../api/types.ts';
import { bytes, Status, When } from '../../ui/bits.tsx';
import { Empty, Loading, Section } from '../../ui/page.tsx';
import { useApi } from '../../ui/use-api.ts';

/** This node's live SFTP sessions of the account. */
export function SessionsPanel({ base }: { base: string }) {
  const sessions = useApi((signal) => api.get<LiveSession[]>(`${base}/sessions`, {}, signal), `${base}/sessions`);
  return (
    <Section title="Sessions now">
      <Loading state={sessions} label="sessions">
        {(list) =>
          list.length === 0 ? (
            <Empty>No open session.</Empty>
          ) : (
            <table>
              <caption className="sr-only">Open SFTP sessions</caption>
              <thead>
                <tr>
                  <th scope="col">Address</th>
                  <th scope="col">Since</th>
                  <th scope="col">Received</th>
                  <th scope="col">Sent</th>
                </tr>
              </thead>
              <tbody>
                {list.map((s) => (
                  <tr key={String(s.id)}>
                    <td>{s.address}</td>
                    <td>
                      <When at={s['started-at']} />
                    </td>
                    <td>{bytes(s['bytes-in'])}</td>
                    <td>{bytes(s['bytes-out'])}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Loading>
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

/** The account's audit trail, newest first, paged with the API's `before` cursor. */
export function AuditPanel({ base }: { base: string }) {
  const [cursors, setCursors] = useState<number[]>([]);
  const before = cursors[cursors.length - 1];
  const key = `${base}/audit-events?before=${before ?? ''}`;
  const events = useApi((signal) => api.get<AuditEvent[]>(`${base}/audit-events`, { limit: pageSize, before }, signal), key);
  return (
    <Section title="Audit events">
      <Loading state={events} label="audit events">
        {(list) => (
          <>
            {list.length === 0 ? (
              <Empty>No events.</Empty>
            ) : (
              <table>
                <caption className="sr-only">Audit events</caption>
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">Event</th>
                    <th scope="col">Outcome</th>
                    <th scope="col">Address</th>
                    <th scope="col">Details</th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((e) => (
                    <tr key={e.id}>
                      <td>
                        <When at={e.at} />
                      </td>
                      <td>
                        {e.event}
                        {e.method ? ` (${e.method})` : ''}
                      </td>
                      <td>
                        <Status value={e.outcome} />
                      </td>
                      <td>{e.address ?? ''}</td>
                      <td className="wrap">{detailText(e.detail)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <nav className="pager" aria-label="Audit event pages">
              <button type="button" disabled={cursors.length === 0} onClick={() => setCursors(cursors.slice(0, -1))}>
                Newer
              </button>
              <button type="button" disabled={list.length < pageSize} onClick={() => setCursors([...cursors, list[list.length - 1]!.id])}>
                Older
              </button>
            </nav>
          </>
        )}
      </Loading>
    </Section>
  );
}
