import { useState } from 'react';
import { api } from '../../api/client.ts';
import type { Chart, CoreAccount } from '../../api/types.ts';
import { Link } from '../../router.tsx';
import { Pager, Status } from '../../ui/bits.tsx';
import { SelectField, TextField } from '../../ui/form.tsx';
import { Page } from '../../ui/page.tsx';
import { LoadedTable, type Column } from '../../ui/table.tsx';
import { useApi } from '../../ui/use-api.ts';

const pageSize = 25;

/** The columns of an accounts list: one per segment of the chart (3 when no chart is chosen). */
export function accountColumns(segments: number): Array<Column<CoreAccount>> {
  const positions = Array.from({ length: Math.min(Math.max(segments, 1), 20) }, (_, i) => i + 1);
  return [
    { header: 'Code', cell: (a) => a.code },
    { header: 'Name', cell: (a) => a.name ?? '' },
    { header: 'Chart', cell: (a) => <Link to={`/console/core/charts/${a['account-type'].id}`}>{a['account-type'].name}</Link> },
    { header: 'Status', cell: (a) => <Status value={a.active ? 'active' : 'inactive'} /> },
    ...positions.map((n) => ({ header: `Segment ${n}`, cell: (a: CoreAccount) => a[`segment-${n}`] ?? '' })),
  ];
}

export function CoreAccountsPage() {
  const charts = useApi((signal) => api.all<Chart>('/api/account_types', { order_by: 'name' }, signal).then((r) => r.rows), 'charts');
  const [chart, setChart] = useState('');
  const [code, setCode] = useState('');
  const [offset, setOffset] = useState(0);
  const args = { limit: pageSize, offset, order_by: 'code', 'account-type[id]': chart, 'code[contains]': code.trim() };
  const accounts = useApi((signal) => api.get<CoreAccount[]>('/api/accounts', args, signal), JSON.stringify(args));
  const chosen = charts.data?.find((c) => String(c.id) === chart);
  return (
    <Page title="Accounts">
      <form className="filters" role="search" aria-label="Find accounts" onSubmit={(e) => e.preventDefault()}>
        <SelectField
          label="Chart of accounts"
          value={chart}
          onChange={(v) => (setChart(v), setOffset(0))}
          options={[{ value: '', label: 'All charts' }, ...(charts.data ?? []).map((c) => ({ value: String(c.id), label: c.name }))]}
        />
        <TextField label="Code contains" type="search" value={code} onChange={(v) => (setCode(v), setOffset(0))} />
      </form>
      <LoadedTable
        state={accounts}
        label="accounts"
        caption="Accounts"
        columns={accountColumns(chosen?.segments.length ?? 3)}
        rowKey={(a) => a.id}
        empty="No account matches."
        after={(list) => <Pager label="Accounts" offset={offset} pageSize={pageSize} count={list.length} onChange={setOffset} />}
      />
    </Page>
  );
}
