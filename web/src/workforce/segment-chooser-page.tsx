import { useState } from 'react';
import { api } from '../api/client.ts';
import type { Segment, SegmentValue } from '../api/types.ts';
import { Field } from '../ui/form.tsx';
import { Empty, Loading, Page, Section } from '../ui/page.tsx';
import { useApi } from '../ui/use-api.ts';

/** The values one list offers: the children of the parent's choice where relationships exist, else every value. */
interface Offered {
  values: SegmentValue[];
  related: boolean;
  /** False when the list was cut at the most a list offers. */
  complete: boolean;
}

async function offered(slot: number, parent: { slot: number; value: string } | undefined, signal: AbortSignal): Promise<Offered> {
  const path = `/api/ccw/segments/${slot}/values`;
  const base = { status: 'active', order_by: 'name' };
  if (parent) {
    const children = await api.all<SegmentValue>(path, { ...base, parent_slot: parent.slot, parent_value: parent.value }, signal);
    if (children.rows.length > 0) return { values: children.rows, related: true, complete: children.complete };
  }
  const every = await api.all<SegmentValue>(path, base, signal);
  return { values: every.rows, related: false, complete: every.complete };
}

function SegmentSelect({ segment, parent, value, onChange }: { segment: Segment; parent: { slot: number; value: string; name: string } | undefined; value: string; onChange: (v: string) => void }) {
  const key = `${segment.slot}|${parent?.slot ?? ''}|${parent?.value ?? ''}`;
  const list = useApi((signal) => offered(segment.slot, parent, signal), key);
  const scope = list.data?.related ? `Only the values under ${parent?.name} "${parent?.value}".` : parent ? `No value is tied to "${parent.value}": all values are offered.` : undefined;
  const cut = list.data && !list.data.complete ? `Only the first ${list.data.values.length} values are offered.` : undefined;
  const note = [scope, cut].filter(Boolean).join(' ') || undefined;
  return (
    <Field label={`${segment.slot}. ${segment.name ?? `Segment ${segment.slot}`}`} hint={list.loading ? 'Loading the values…' : note}>
      {(control) => (
        <select {...control} value={value} onChange={(e) => onChange(e.target.value)} disabled={!list.data}>
          <option value="">Choose…</option>
          {(list.data?.values ?? []).map((v) => (
            <option key={v.id} value={v.name}>
              {v.name}
              {v.description ? ` — ${v.description}` : ''}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

/** Choosing segment values: each list after the first is filtered by the choice made in the list before it. */
export function SegmentChooserPage() {
  const segments = useApi((signal) => api.get<Segment[]>('/api/ccw/segments', {}, signal), 'segments');
  const [chosen, setChosen] = useState<Record<number, string>>({});
  return (
    <Page title="Choose segment values">
      <Loading state={segments} label="the segments">
        {(all) => {
          const named = all.filter((s) => s.name);
          if (named.length === 0) return <Empty>No segment is set up yet.</Empty>;
          const choose = (index: number, value: string) => {
            // A new choice clears the choices below it: their lists depend on it.
            const next: Record<number, string> = {};
            for (const [i, s] of named.entries()) if (i < index && chosen[s.slot]) next[s.slot] = chosen[s.slot]!;
            if (value) next[named[index]!.slot] = value;
            setChosen(next);
          };
          return (
            <Section title="Segments">
              <form onSubmit={(e) => e.preventDefault()} aria-describedby="chooser-help">
                <p id="chooser-help" className="muted">
                  Choose from the top: each list shows the values that belong under the choice above it.
                </p>
                {named.map((s, i) => {
                  const above = named[i - 1];
                  const parent = above && chosen[above.slot] ? { slot: above.slot, value: chosen[above.slot]!, name: above.name ?? `segment ${above.slot}` } : undefined;
                  return <SegmentSelect key={`${s.slot}-${parent?.value ?? ''}`} segment={s} parent={parent} value={chosen[s.slot] ?? ''} onChange={(v) => choose(i, v)} />;
                })}
              </form>
              <p role="status" data-testid="chosen">
                {Object.keys(chosen).length === 0 ? 'Nothing chosen yet.' : `Chosen: ${named.filter((s) => chosen[s.slot]).map((s) => chosen[s.slot]).join(' › ')}`}
              </p>
            </Section>
          );
        }}
      </Loading>
    </Page>
  );
}
