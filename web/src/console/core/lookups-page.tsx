import { useState } from 'react';
import { api } from '../../api/client.ts';
import type { Lookup, LookupValue } from '../../api/types.ts';
import { Link } from '../../router.tsx';
import { Pager, Status } from '../../ui/bits.tsx';
import { TextField } from '../../ui/form.tsx';
import { Empty, Loading, Page, Section } from '../../ui/page.tsx';
import { useApi } from '../../ui/use-api.ts';

const pageSize = 25;

export function LookupsPage() {
  const [offset, setOffset] = useState(0);
  const args = { limit: pageSize, offset, order_by: 'name' };
  const lookups = useApi((signal) => api.get<Lookup[]>('/api/lookups', args, signal), JSON.stringify(args));
  return (
    <Page title="Lookups">
      <Loading state={lookups} label="lookups">
        {(list) => (
          <>
            {list.length === 0 ? (
              <Empty>No lookups.</Empty>
            ) : (
              <table>
                <caption className="sr-only">Lookups</caption>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Description</th>
                    <th scope="col">Levels</th>
                    <th scope="col">Status</th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((l) => (
                    <tr key={l.id}>
                      <td>
                        <Link to={`/console/core/lookups/${l.id}`}>{l.name}</Link>
                      </td>
                      <td>{l.description ?? ''}</td>
                      <td>{l['level-names'].map((n) => n.name).join(' › ')}</td>
                      <td>
                        <Status value={l.active ? 'active' : 'inactive'} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <Pager label="Lookups" offset={offset} pageSize={pageSize} count={list.length} onChange={setOffset} />
          </>
        )}
      </Loading>
    </Page>
  );
}

export function LookupPage({ id }: { id: string }) {
  const lookup = useApi((signal) => api.get<Lookup>(`/api/lookups/${encodeURIComponent(id)}`, {}, signal), id);
  const [name, setName] = useState('');
  const [offset, setOffset] = useState(0);
  const args = { 'lookup[id]': id, limit: pageSize, offset, order_by: 'name', 'name[contains]': name.trim() };
  const values = useApi((signal) => api.get<LookupValue[]>('/api/lookup_values', args, signal), JSON.stringify(args));
  return (
    <Page title={lookup.data ? `Lookup ${lookup.data.name}` : 'Lookup'} actions={<Link to="/console/core/lookups">All lookups</Link>}>
      <Section title="Values">
        <div className="filters">
          <TextField label="Name contains" type="search" value={name} onChange={(v) => (setName(v), setOffset(0))} />
        </div>
        <Loading state={values} label="values">
          {(list) => (
            <>
              {list.length === 0 ? (
                <Empty>No value matches.</Empty>
              ) : (
                <table>
                  <caption className="sr-only">Lookup values</caption>
                  <thead>
                    <tr>
                      <th scope="col">Name</th>
                      <th scope="col">External code</th>
                      <th scope="col">Parent</th>
                      <th scope="col">Level</th>
                      <th scope="col">Status</th>
                    </tr>
                  </thead>
                  <tbody>
                    {list.map((v) => (
                      <tr key={v.id}>
                        <td>{v.name}</td>
                        <td>{v['external-ref-code'] ?? ''}</td>
                        <td>{v.parent?.name ?? ''}</td>
                        <td>{v.depth}</td>
                        <td>
                          <Status value={v.active ? 'active' : 'inactive'} />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
              <Pager label="Values" offset={offset} pageSize={pageSize} count={list.length} onChange={setOffset} />
            </>
          )}
        </Loading>
      </Section>
    </Page>
  );
}
