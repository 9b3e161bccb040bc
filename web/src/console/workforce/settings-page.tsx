import { useState, type FormEvent } from 'react';
import { api } from '../../api/client.ts';
import type { Chart, Segment, WorkforceSettings } from '../../api/types.ts';
import { SelectField, splitErrors, TextField } from '../../ui/form.tsx';
import { Busy, ErrorMessages, Loading, Notice, Page, Section } from '../../ui/page.tsx';
import { Table } from '../../ui/table.tsx';
import { useAction, useApi } from '../../ui/use-api.ts';

export const ownerLabel = (owner: string) => (owner === 'chart-of-accounts' ? 'Chart of accounts' : 'HR only');

/** The designated chart of accounts, and the 11 master data slots it owns (1..k) or leaves to HR (k+1..11). */
export function WorkforceSettingsPage() {
  const settings = useApi((signal) => api.get<WorkforceSettings>('/api/ccw/settings', {}, signal), 'settings');
  return (
    <Page title="Workforce settings">
      <Loading state={settings} label="the Workforce settings">
        {(s) => (
          <>
            <Designation settings={s} onSaved={settings.reload} />
            <Slots settings={s} onSaved={settings.reload} />
          </>
        )}
      </Loading>
    </Page>
  );
}

function Designation({ settings, onSaved }: { settings: WorkforceSettings; onSaved: () => void }) {
  const charts = useApi((signal) => api.all<Chart>('/api/account_types', { active: true, order_by: 'name' }, signal).then((r) => r.rows), 'active-charts');
  const current = settings['chart-of-accounts'];
  const [chosen, setChosen] = useState(current ? String(current.id) : '');
  const [report, setReport] = useState<WorkforceSettings['designation']>();
  const save = useAction(async () => {
    const result = await api.put<WorkforceSettings>('/api/ccw/settings', { 'chart-of-accounts': chosen ? { id: Number(chosen) } : null });
    setReport(result.designation);
    onSaved();
  });
  const { byField, rest } = splitErrors(save.error, { 'chart-of-accounts': ['chart-of-accounts', 'chart of accounts', 'Chart'] });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setReport(undefined);
    void save.run();
  };
  return (
    <Section title="Designated chart of accounts">
      <p>
        Its segments 1..k become Workforce master data segments 1..k; the others are HR-only and fed by Master Data files. Currently:{' '}
        <strong data-testid="designated-chart">{current ? current.name : 'none'}</strong>.
      </p>
      <form onSubmit={submit} noValidate>
        <ErrorMessages messages={rest} />
        <SelectField
          label="Chart of accounts for Workforce"
          value={chosen}
          onChange={setChosen}
          options={[{ value: '', label: 'None' }, ...(charts.data ?? []).map((c) => ({ value: String(c.id), label: `${c.name} (${c.segments.length} segments)` }))]}
          errors={byField['chart-of-accounts']}
        />
        <div className="buttons">
          <button type="submit" className="primary" disabled={save.busy || chosen === (current ? String(current.id) : '')}>
            Designate
          </button>
        </div>
        {save.busy ? <Busy label="Designating: segment values are being brought over…" /> : null}
      </form>
      {report ? <DesignationReport report={report} /> : null}
    </Section>
  );
}

function DesignationReport({ report }: { report: NonNullable<WorkforceSettings['designation']> }) {
  return (
    <div role="status">
      <Notice>Designation saved.</Notice>
      {report.moved.length > 0 ? (
        <ul>
          {report.moved.map((m) => (
            <li key={m.slot}>
              Slot {m.slot}: {ownerLabel(m.before.owner)} {m.before.name ? `"${m.before.name}"` : ''} → {ownerLabel(m.after.owner)} {m.after.name ? `"${m.after.name}"` : ''}
              {m.deactivated > 0 ? ` (${m.deactivated} values deactivated)` : ''}
            </li>
          ))}
        </ul>
      ) : null}
      {report.values.length > 0 ? (
        <p className="muted">
          Values:{' '}
          {report.values.map((v) => `slot ${v.slot}: ${v.created} created, ${v.updated} updated, ${v.deactivated} deactivated${v.conflicts.length ? `, ${v.conflicts.length} conflicts` : ''}`).join('; ')}
        </p>
      ) : null}
    </div>
  );
}

/** The slots; the names of HR-only ones can be edited (a chart-owned slot is named by its chart). */
function Slots({ settings, onSaved }: { settings: WorkforceSettings; onSaved: () => void }) {
  const [names, setNames] = useState<Record<number, string>>(() => Object.fromEntries(settings.segments.map((s) => [s.slot, s.name ?? ''])));
  const [saved, setSaved] = useState(false);
  const save = useAction(async (hr: Segment[]) => {
    await api.put('/api/ccw/settings', { 'segment-names': Object.fromEntries(hr.map((s) => [String(s.slot), names[s.slot]?.trim() || null])) });
    setSaved(true);
    onSaved();
  });
  const hr = settings.segments.filter((s) => s.owner !== 'chart-of-accounts');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    void save.run(hr);
  };
  return (
    <Section title="Master data segments">
      <form onSubmit={submit} noValidate>
        <Table
          caption="The 11 master data segments"
          testId="slots"
          rows={settings.segments}
          rowKey={(s) => s.slot}
          rowProps={(s) => ({ 'data-owner': s.owner })}
          columns={[
            { header: 'Slot', rowHeader: true, cell: (s) => s.slot },
            { header: 'Owner', cell: (s) => ownerLabel(s.owner) },
            {
              header: 'Name',
              cell: (s) =>
                s.owner === 'chart-of-accounts' ? s.name : <TextField label={`Name of HR slot ${s.slot}`} value={names[s.slot] ?? ''} onChange={(v) => setNames({ ...names, [s.slot]: v })} />,
            },
          ]}
        />
        <ErrorMessages error={save.error} />
        {hr.length > 0 ? (
          <div className="buttons">
            <button type="submit" disabled={save.busy}>
              Save HR segment names
            </button>
          </div>
        ) : null}
        {saved ? <Notice>Segment names saved.</Notice> : null}
      </form>
    </Section>
  );
}
