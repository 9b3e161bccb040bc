import { useState } from 'react';
import { api } from '../../api/client.ts';
import type { Run } from '../../api/types.ts';
import { Link, navigate } from '../../router.tsx';
import { bytes, Status, When } from '../../ui/bits.tsx';
import { Busy, ErrorMessages, Loading, Notice, Page, Section } from '../../ui/page.tsx';
import { TableOrEmpty, type Column } from '../../ui/table.tsx';
import { useAction, useApi } from '../../ui/use-api.ts';
import { unfinished } from './runs-page.tsx';

const counts = ['rows', 'created', 'updated', 'unchanged', 'deactivated', 'errors'] as const;

/** One run: counts, timings, row errors, the result file, and approve (a held Full file) or reprocess. */
export function RunPage({ id }: { id: string }) {
  const path = `/api/data_file_sources/${encodeURIComponent(id)}`;
  const run = useApi((signal) => api.get<Run>(path, {}, signal), path, { pollMs: 1500, keepPolling: unfinished });
  return (
    <Page title={`Run #${id}`} actions={<Link to="/console/runs">All runs</Link>}>
      <Loading state={run} label="the run">
        {(r) => <RunDetail run={r} path={path} onChange={run.reload} />}
      </Loading>
    </Page>
  );
}

function RunDetail({ run, path, onChange }: { run: Run; path: string; onChange: () => void }) {
  const [said, setSaid] = useState('');
  const approve = useAction(async () => {
    await api.post(`${path}/approve`);
    setSaid('Approved: the file is being applied.');
    onChange();
  });
  const reprocess = useAction(async () => {
    const again = await api.post<Run>(`${path}/reprocess`);
    navigate(`/console/runs/${again.id}`);
  });
  const timings = Object.entries(run.timings);
  return (
    <>
      <Section title="Summary">
        <dl className="facts">
          <dt>File</dt>
          <dd>
            <code>{run['file-name']}</code> ({bytes(run.size)}
            {run.encrypted ? ', PGP-encrypted' : ''})
          </dd>
          <dt>Folder</dt>
          <dd>{run.folder}</dd>
          <dt>Account</dt>
          <dd>{run.account.username ?? run.account.id}</dd>
          <dt>Status</dt>
          <dd>
            <Status value={run.status} /> {run['result-text'] ?? ''}
          </dd>
          <dt>Layout</dt>
          <dd>
            {run.layout ?? '—'} {run.mode ? `(${run.mode})` : ''}
          </dd>
          <dt>Received</dt>
          <dd>
            <When at={run['created-at']} />
          </dd>
          <dt>Started</dt>
          <dd>
            <When at={run['started-at']} />
          </dd>
          <dt>Finished</dt>
          <dd>
            <When at={run['finished-at']} />
          </dd>
          {run['reprocess-of'] ? (
            <>
              <dt>Reprocess of</dt>
              <dd>
                <Link to={`/console/runs/${run['reprocess-of']}`}>#{run['reprocess-of']}</Link>
              </dd>
            </>
          ) : null}
        </dl>
        {unfinished(run) ? <Busy label={`Processing: ${run['rows-read']} rows read`} value={run.progress} /> : null}
        {run['last-error'] ? <ErrorMessages messages={[run['last-error']]} /> : null}
        {run.held ? (
          <div className="alert warn" role="note">
            <p>
              This Full file is held: it would deactivate {run.held['would-deactivate']} of {run.held.active} active records, more than the configured share. Nothing was
              applied. Approve it to apply it as it is.
            </p>
          </div>
        ) : null}
        <div className="buttons">
          {run.status === 'held' ? (
            <button type="button" className="primary" disabled={approve.busy} onClick={() => void approve.run()}>
              Approve and apply
            </button>
          ) : null}
          {run['result-file'] ? (
            <a className="button" href={`${path}/result`} download>
              Download the result file
            </a>
          ) : null}
          {!unfinished(run) ? (
            <button type="button" disabled={reprocess.busy} onClick={() => window.confirm('Process this file again as a new run?') && void reprocess.run()}>
              Reprocess
            </button>
          ) : null}
        </div>
        <ErrorMessages error={approve.error ?? reprocess.error} />
        {said ? <Notice>{said}</Notice> : null}
      </Section>
      <Section title="Counts">
        <dl className="counts">
          {counts.map((c) => (
            <div key={c}>
              <dt>{c}</dt>
              <dd data-count={c}>{run[c]}</dd>
            </div>
          ))}
        </dl>
        {timings.length > 0 ? (
          <p className="muted">
            Timings: {timings.map(([k, v]) => `${k.replace(/-ms$/, '')} ${v} ms`).join(' · ')}
          </p>
        ) : null}
      </Section>
      {run.warnings.length > 0 ? (
        <Section title="Warnings">
          <ul>
            {run.warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        </Section>
      ) : null}
      <RowErrors errors={run['upload-errors']} />
    </>
  );
}

const errorPage = 50;

const errorColumns: Array<Column<Run['upload-errors'][number]>> = [
  { header: 'Line', cell: (e) => e.line ?? '' },
  { header: 'Column', cell: (e) => e.column ?? '' },
  { header: 'Message', cell: (e) => e.message, wrap: true },
];

function RowErrors({ errors }: { errors: Run['upload-errors'] }) {
  const [shown, setShown] = useState(errorPage);
  return (
    <Section title="Row errors">
      <TableOrEmpty caption="Row errors" columns={errorColumns} rows={errors.slice(0, shown)} rowKey={(e, i) => `${e.line ?? ''}-${i}`} empty="No row errors." />
      {shown < errors.length ? (
        <button type="button" onClick={() => setShown(shown + errorPage)}>
          Show more errors ({errors.length - shown} left)
        </button>
      ) : null}
    </Section>
  );
}
