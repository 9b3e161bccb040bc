import { useState } from 'react';
import { api } from '../../api/client.ts';
import type { Segment, SegmentValue } from '../../api/types.ts';
import { Pager, Status } from '../../ui/bits.tsx';
import { SelectField, TextField } from '../../ui/form.tsx';
import { Page } from '../../ui/page.tsx';
import { LoadedTable, type Column } from '../../ui/table.tsx';
import { useApi } from '../../ui/use-api.ts';
import { ownerLabel } from './settings-page.tsx';

const pageSize = 25;

const valueColumns: Array<Column<SegmentValue>> = [
  { header: 'Name', cell: (v) => v.name },
  { header: 'Code', cell: (v) => v.code ?? '' },
  { header: 'Description', cell: (v) => v.description ?? '' },
  { header: 'Source', cell: (v) => (v.source === 'hr' ? 'HR file' : 'Chart of accounts') },
  { header: 'Status', cell: (v) => <Status value={v.active ? 'active' : 'inactive'} /> },
];

/** Values of one slot, optionally only the children of a value of another slot (its relationships). */
export function SegmentValuesPage() {
  const segments = useApi((signal) => api.get<Segment[]>('/api/ccw/segments', {}, signal), 'segments');
  const [slot, setSlot] = useState('1');
  const [parentSlot, setParentSlot] = useState('');
  const [parentValue, setParentValue] = useState('');
  const [offset, setOffset] = useState(0);
  const related = parentSlot !== '' && parentValue.trim() !== '';
  const args = { limit: pageSize, offset, order_by: 'name', ...(related ? { parent_slot: parentSlot, parent_value: parentValue.trim() } : {}) };
  const values = useApi((signal) => api.get<SegmentValue[]>(`/api/ccw/segments/${slot}/values`, args, signal), `${slot}${JSON.stringify(args)}`);
  const slotOptions = (segments.data ?? []).map((s) => ({ value: String(s.slot), label: `${s.slot}. ${s.name ?? '(unnamed)'} — ${ownerLabel(s.owner)}` }));
  return (
    <Page title="Segment values">
      <form className="filters" aria-label="Choose the values shown" onSubmit={(e) => e.preventDefault()}>
        <SelectField label="Segment" value={slot} onChange={(v) => (setSlot(v), setOffset(0))} options={slotOptions.length ? slotOptions : [{ value: '1', label: '1' }]} />
        <SelectField label="Related to a value of" value={parentSlot} onChange={(v) => (setParentSlot(v), setOffset(0))} options={[{ value: '', label: 'No parent filter' }, ...slotOptions]} />
        <TextField label="Parent value name" value={parentValue} onChange={(v) => (setParentValue(v), setOffset(0))} hint="The children of this value (Master Data Relationship files)." />
      </form>
      <LoadedTable
        state={values}
        label="values"
        caption={`Values of segment ${slot}`}
        columns={valueColumns}
        rowKey={(v) => v.id}
        empty={related ? `No value of segment ${slot} is related to "${parentValue.trim()}".` : 'No values.'}
        after={(list) => <Pager label="Values" offset={offset} pageSize={pageSize} count={list.length} onChange={setOffset} />}
      />
    </Page>
  );
}
