import { api } from '../../api/client.ts';
import type { Run, SftpAccount } from '../../api/types.ts';
import { Link, navigate, useLocation } from '../../router.tsx';
import { bytes, Pager, Status, When } from '../../ui/bits.tsx';
import { SelectField, TextField } from '../../ui/form.tsx';
import { Page } from '../../ui/page.tsx';
import { LoadedTable, type Column } from '../../ui/table.tsx';
import { useApi } from '../../ui/use-api.ts';

export const runStatuses = ['pending', 'loading', 'held', 'done', 'done_with_errors', 'failed', 'duplicate'] as const;
const folders = ['CCW', 'Users', 'AccountTypes', 'Accounts', 'LookupValues', 'Lookups'] as const;
const pageSize = 25;
const filterNames = ['folder', 'status', 'account', 'from', 'to'] as const;

function nextDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

export const unfinished = (run: Run) => run.status === 'pending' || run.status === 'loading';

const runColumns: Array<Column<Run>> = [
  { header: 'Run', cell: (r) => <Link to={`/console/runs/${r.id}`}>#{r.id}</Link> },
  { header: 'File', cell: (r) => r['file-name'], wrap: true },
  { header: 'Folder', cell: (r) => r.folder },
  { header: 'Account', cell: (r) => r.account.username ?? r.account.id },
  {
    header: 'Status',
    cell: (r) => (
      <>
        <Status value={r.status} />
        {unfinished(r) ? <span className="muted"> {r.progress}%</span> : null}
      </>
    ),
  },
  { header: 'Rows', cell: (r) => r.rows },
  { header: 'Errors', cell: (r) => r.errors },
  { header: 'Size', cell: (r) => bytes(r.size) },
  { header: 'Received', cell: (r) => <When at={r['created-at']} /> },
];

/** The filters live in the address (so a filtered list can be bookmarked and shared); the API filters and pages. */
export function RunsPage() {
  const { query } = useLocation();
  const f = Object.fromEntries(filterNames.map((n) => [n, query.get(n) ?? ''])) as Record<(typeof filterNames)[number], string>;
  const offset = Number(query.get('offset') ?? 0) || 0;
  const setFilter = (changes: Partial<typeof f> & { offset?: number }) => {
    const next = new URLSearchParams();
    for (const [k, v] of Object.entries({ ...f, offset: 0, ...changes })) if (v !== '' && v !== 0) next.set(k, String(v));
    navigate(`/console/runs${next.size ? `?${next}` : ''}`, { replace: true });
  };
  const accounts = useApi((signal) => api.get<SftpAccount[]>('/api/admin/sftp-accounts', {}, signal), 'accounts');
  const args = {
    order_by: 'id',
    dir: 'desc',
    limit: pageSize,
    offset,
    folder: f.folder,
    status: f.status,
    'account-id': f.account,
    'created-at[gt_or_eq]': f.from,
    'created-at[lt]': f.to ? nextDay(f.to) : '',
  };
  const runs = useApi((signal) => api.get<Run[]>('/api/data_file_sources', args, signal), JSON.stringify(args), { pollMs: 2000, keepPolling: (list) => list.some(unfinished) });
  return (
    <Page title="Integration runs">
      <form className="filters" role="search" aria-label="Filter runs" onSubmit={(e) => e.preventDefault()}>
        <SelectField label="Folder" value={f.folder} onChange={(folder) => setFilter({ folder })} options={[{ value: '', label: 'All folders' }, ...folders.map((x) => ({ value: x, label: x }))]} />
        <SelectField
          label="Status"
          value={f.status}
          onChange={(status) => setFilter({ status })}
          options={[{ value: '', label: 'Any status' }, ...runStatuses.map((s) => ({ value: s, label: s.replaceAll('_', ' ') }))]}
        />
        <SelectField
          label="Account"
          value={f.account}
          onChange={(account) => setFilter({ account })}
          options={[{ value: '', label: 'All accounts' }, ...(accounts.data ?? []).map((a) => ({ value: String(a.id), label: a.username }))]}
        />
        <TextField label="From" type="date" value={f.from} onChange={(from) => setFilter({ from })} />
        <TextField label="To" type="date" value={f.to} onChange={(to) => setFilter({ to })} />
      </form>
      <LoadedTable
        state={runs}
        label="runs"
        caption="Integration runs, newest first"
        columns={runColumns}
        rowKey={(r) => r.id}
        empty="No run matches."
        after={(list) => <Pager label="Runs" offset={offset} pageSize={pageSize} count={list.length} onChange={(o) => setFilter({ offset: o })} />}
      />
    </Page>
  );
}
