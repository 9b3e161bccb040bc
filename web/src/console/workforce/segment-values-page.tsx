import { useState } from 'react';
import { api } from '../../api/client.ts';
import type { Segment, SegmentValue } from '../../api/types.ts';
import { Pager, Status } from '../../ui/bits.tsx';
import { SelectField, TextField } from '../../ui/form.tsx';
import { Empty, Loading, Page } from '../../ui/page.tsx';
import { useApi } from '../../ui/use-api.ts';
import { ownerLabel } from './settings-page.tsx';

const pageSize = 25;

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
      <Loading state={values} label="values">
        {(list) => (
          <>
            {list.length === 0 ? (
              <Empty>{related ? `No value of segment ${slot} is related to "${parentValue.trim()}".` : 'No values.'}</Empty>
            ) : (
              <table>
                <caption className="sr-only">Values of segment {slot}</caption>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Code</th>
                    <th scope="col">Description</th>
                    <th scope="col">Source</th>
                    <th scope="col">Status</th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((v) => (
                    <tr key={v.id}>
                      <td>{v.name}</td>
                      <td>{v.code ?? ''}</td>
                      <td>{v.description ?? ''}</td>
                      <td>{v.source === 'hr' ? 'HR file' : 'Chart of accounts'}</td>
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
    </Page>
  );
}
