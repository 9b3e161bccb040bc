import { useState } from 'react';
import { api } from '../../api/client.ts';
import type { Chart, CoreAccount } from '../../api/types.ts';
import { Link } from '../../router.tsx';
import { Pager, Status } from '../../ui/bits.tsx';
import { TextField } from '../../ui/form.tsx';
import { Loading, Page, Section } from '../../ui/page.tsx';
import { LoadedTable, Table, type Column } from '../../ui/table.tsx';
import { useApi } from '../../ui/use-api.ts';
import { accountColumns } from './accounts-page.tsx';

const pageSize = 25;

const chartColumns: Array<Column<Chart>> = [
  { header: 'Name', cell: (c) => <Link to={`/console/core/charts/${c.id}`}>{c.name}</Link> },
  { header: 'Status', cell: (c) => <Status value={c.active ? 'active' : 'inactive'} /> },
  { header: 'Currency', cell: (c) => c.currency.code },
  { header: 'Segments', cell: (c) => c.segments.map((s) => s['field-type-name']).join(' · ') },
];

const segmentColumns: Array<Column<Chart['segments'][number]>> = [
  { header: 'Position', cell: (s) => s.position },
  { header: 'Name', cell: (s) => s['field-type-name'] },
  { header: 'Code', cell: (s) => s['field-type-code'] ?? '' },
  { header: 'Lookup', cell: (s) => (s.lookup ? <Link to={`/console/core/lookups/${s.lookup.id}`}>{s.lookup.name}</Link> : '') },
];

export function ChartsPage() {
  const [name, setName] = useState('');
  const [offset, setOffset] = useState(0);
  const args = { limit: pageSize, offset, order_by: 'name', 'name[contains]': name.trim() };
  const charts = useApi((signal) => api.get<Chart[]>('/api/account_types', args, signal), JSON.stringify(args));
  return (
    <Page title="Charts of accounts">
      <div className="filters">
        <TextField label="Name contains" type="search" value={name} onChange={(v) => (setName(v), setOffset(0))} />
      </div>
      <LoadedTable
        state={charts}
        label="charts of accounts"
        caption="Charts of accounts"
        columns={chartColumns}
        rowKey={(c) => c.id}
        empty="No chart of accounts matches."
        after={(list) => <Pager label="Charts" offset={offset} pageSize={pageSize} count={list.length} onChange={setOffset} />}
      />
    </Page>
  );
}

export function ChartPage({ id }: { id: string }) {
  const chart = useApi((signal) => api.get<Chart>(`/api/account_types/${encodeURIComponent(id)}`, {}, signal), id);
  const [offset, setOffset] = useState(0);
  const args = { 'account-type[id]': id, limit: pageSize, offset, order_by: 'code' };
  const accounts = useApi((signal) => api.get<CoreAccount[]>('/api/accounts', args, signal), JSON.stringify(args));
  return (
    <Page title={chart.data ? `Chart of accounts ${chart.data.name}` : 'Chart of accounts'} actions={<Link to="/console/core/charts">All charts</Link>}>
      <Loading state={chart} label="the chart">
        {(c) => (
          <Section title="Segments">
            <Table caption={`Segments of ${c.name}`} columns={segmentColumns} rows={c.segments} rowKey={(s) => s.position} />
          </Section>
        )}
      </Loading>
      <Section title="Accounts">
        <LoadedTable
          state={accounts}
          label="accounts"
          caption="Accounts"
          columns={accountColumns(chart.data?.segments.length ?? 3)}
          rowKey={(a) => a.id}
          empty="No accounts."
          after={(list) => <Pager label="Accounts" offset={offset} pageSize={pageSize} count={list.length} onChange={setOffset} />}
        />
      </Section>
    </Page>
  );
}
