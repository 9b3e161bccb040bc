import { useState } from 'react';
import { api } from '../../api/client.ts';
import type { Chart } from '../../api/types.ts';
import { Link } from '../../router.tsx';
import { Pager, Status } from '../../ui/bits.tsx';
import { TextField } from '../../ui/form.tsx';
import { Empty, Loading, Page, Section } from '../../ui/page.tsx';
import { useApi } from '../../ui/use-api.ts';
import { AccountsTable } from './accounts-page.tsx';

const pageSize = 25;

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
      <Loading state={charts} label="charts of accounts">
        {(list) => (
          <>
            {list.length === 0 ? (
              <Empty>No chart of accounts matches.</Empty>
            ) : (
              <table>
                <caption className="sr-only">Charts of accounts</caption>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Status</th>
                    <th scope="col">Currency</th>
                    <th scope="col">Segments</th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((c) => (
                    <tr key={c.id}>
                      <td>
                        <Link to={`/console/core/charts/${c.id}`}>{c.name}</Link>
                      </td>
                      <td>
                        <Status value={c.active ? 'active' : 'inactive'} />
                      </td>
                      <td>{c.currency.code}</td>
                      <td>{c.segments.map((s) => s['field-type-name']).join(' · ')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <Pager label="Charts" offset={offset} pageSize={pageSize} count={list.length} onChange={setOffset} />
          </>
        )}
      </Loading>
    </Page>
  );
}

export function ChartPage({ id }: { id: string }) {
  const chart = useApi((signal) => api.get<Chart>(`/api/account_types/${encodeURIComponent(id)}`, {}, signal), id);
  const [offset, setOffset] = useState(0);
  const args = { 'account-type[id]': id, limit: pageSize, offset, order_by: 'code' };
  const accounts = useApi((signal) => api.get<Parameters<typeof AccountsTable>[0]['accounts']>('/api/accounts', args, signal), JSON.stringify(args));
  return (
    <Page title={chart.data ? `Chart of accounts ${chart.data.name}` : 'Chart of accounts'} actions={<Link to="/console/core/charts">All charts</Link>}>
      <Loading state={chart} label="the chart">
        {(c) => (
          <Section title="Segments">
            <table>
              <caption className="sr-only">Segments of {c.name}</caption>
              <thead>
                <tr>
                  <th scope="col">Position</th>
                  <th scope="col">Name</th>
                  <th scope="col">Code</th>
                  <th scope="col">Lookup</th>
                </tr>
              </thead>
              <tbody>
                {c.segments.map((s) => (
                  <tr key={s.position}>
                    <td>{s.position}</td>
                    <td>{s['field-type-name']}</td>
                    <td>{s['field-type-code'] ?? ''}</td>
                    <td>{s.lookup ? <Link to={`/console/core/lookups/${s.lookup.id}`}>{s.lookup.name}</Link> : ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Section>
        )}
      </Loading>
      <Section title="Accounts">
        <Loading state={accounts} label="accounts">
          {(list) => (
            <>
              {list.length === 0 ? <Empty>No accounts.</Empty> : <AccountsTable accounts={list} segments={chart.data?.segments.length ?? 3} />}
              <Pager label="Accounts" offset={offset} pageSize={pageSize} count={list.length} onChange={setOffset} />
            </>
          )}
        </Loading>
      </Section>
    </Page>
  );
}
