import { useState } from 'react';
import { api } from '../../api/client.ts';
import type { Lookup, LookupValue } from '../../api/types.ts';
import { Link } from '../../router.tsx';
import { Pager, Status } from '../../ui/bits.tsx';
import { TextField } from '../../ui/form.tsx';
import { Page, Section } from '../../ui/page.tsx';
import { LoadedTable, type Column } from '../../ui/table.tsx';
import { useApi } from '../../ui/use-api.ts';

const pageSize = 25;

const lookupColumns: Array<Column<Lookup>> = [
  { header: 'Name', cell: (l) => <Link to={`/console/core/lookups/${l.id}`}>{l.name}</Link> },
  { header: 'Description', cell: (l) => l.description ?? '' },
  { header: 'Levels', cell: (l) => l['level-names'].map((n) => n.name).join(' › ') },
  { header: 'Status', cell: (l) => <Status value={l.active ? 'active' : 'inactive'} /> },
];

const valueColumns: Array<Column<LookupValue>> = [
  { header: 'Name', cell: (v) => v.name },
  { header: 'External code', cell: (v) => v['external-ref-code'] ?? '' },
  { header: 'Parent', cell: (v) => v.parent?.name ?? '' },
  { header: 'Level', cell: (v) => v.depth },
  { header: 'Status', cell: (v) => <Status value={v.active ? 'active' : 'inactive'} /> },
];

export function LookupsPage() {
  const [offset, setOffset] = useState(0);
  const args = { limit: pageSize, offset, order_by: 'name' };
  const lookups = useApi((signal) => api.get<Lookup[]>('/api/lookups', args, signal), JSON.stringify(args));
  return (
    <Page title="Lookups">
      <LoadedTable
        state={lookups}
        label="lookups"
        caption="Lookups"
        columns={lookupColumns}
        rowKey={(l) => l.id}
        empty="No lookups."
        after={(list) => <Pager label="Lookups" offset={offset} pageSize={pageSize} count={list.length} onChange={setOffset} />}
      />
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
        <LoadedTable
          state={values}
          label="values"
          caption="Lookup values"
          columns={valueColumns}
          rowKey={(v) => v.id}
          empty="No value matches."
          after={(list) => <Pager label="Values" offset={offset} pageSize={pageSize} count={list.length} onChange={setOffset} />}
        />
      </Section>
    </Page>
  );
}
