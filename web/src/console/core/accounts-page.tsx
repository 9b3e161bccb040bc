import { useState } from 'react';
import { api } from '../../api/client.ts';
import type { Chart, CoreAccount } from '../../api/types.ts';
import { Link } from '../../router.tsx';
import { Pager, Status } from '../../ui/bits.tsx';
import { SelectField, TextField } from '../../ui/form.tsx';
import { Empty, Loading, Page } from '../../ui/page.tsx';
import { useApi } from '../../ui/use-api.ts';

const pageSize = 25;

export function AccountsTable({ accounts, segments }: { accounts: CoreAccount[]; segments: number }) {
  const positions = Array.from({ length: Math.min(Math.max(segments, 1), 20) }, (_, i) => i + 1);
  return (
    <table>
      <caption className="sr-only">Accounts</caption>
      <thead>
        <tr>
          <th scope="col">Code</th>
          <th scope="col">Name</th>
          <th scope="col">Chart</th>
          <th scope="col">Status</th>
          {positions.map((n) => (
            <th scope="col" key={n}>
              Segment {n}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {accounts.map((a) => (
          <tr key={a.id}>
            <td>{a.code}</td>
            <td>{a.name ?? ''}</td>
            <td>
              <Link to={`/console/core/charts/${a['account-type'].id}`}>{a['account-type'].name}</Link>
            </td>
            <td>
              <Status value={a.active ? 'active' : 'inactive'} />
            </td>
            {positions.map((n) => (
              <td key={n}>{a[`segment-${n}`] ?? ''}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
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
      <Loading state={accounts} label="accounts">
        {(list) => (
          <>
            {list.length === 0 ? <Empty>No account matches.</Empty> : <AccountsTable accounts={list} segments={chosen?.segments.length ?? 3} />}
            <Pager label="Accounts" offset={offset} pageSize={pageSize} count={list.length} onChange={setOffset} />
          </>
        )}
      </Loading>
    </Page>
  );
}
