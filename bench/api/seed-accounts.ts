import type { Db } from '../../src/db/index.ts';
import { bulkInsert } from '../lib/bulk-insert.ts';
import { createRandom, createSkewedPicker, pick } from '../lib/random.ts';
import { setIdentity } from './seed-users.ts';

/** Charts of accounts: one per legal entity's country; share = its part of all accounts. */
const charts = [
  { name: 'US COA', currency: 'USD', country: 'US', segments: 5, share: 30 },
  { name: 'CA COA', currency: 'CAD', country: 'CA', segments: 4, share: 8 },
  { name: 'UK COA', currency: 'GBP', country: 'UK', segments: 5, share: 12 },
  { name: 'DE COA', currency: 'EUR', country: 'DE', segments: 4, share: 10 },
  { name: 'FR COA', currency: 'EUR', country: 'FR', segments: 3, share: 8 },
  { name: 'NL COA', currency: 'EUR', country: 'NL', segments: 3, share: 6 },
  { name: 'IN COA', currency: 'INR', country: 'IN', segments: 5, share: 10 },
  { name: 'JP COA', currency: 'JPY', country: 'JP', segments: 4, share: 6 },
  { name: 'AU COA', currency: 'AUD', country: 'AU', segments: 3, share: 5 },
  { name: 'BR COA', currency: 'BRL', country: 'BR', segments: 4, share: 5 },
] as const;

const departments = [
  'FIN', 'ACC', 'HR', 'IT', 'OPS', 'SALES', 'MKT', 'RND', 'ENG', 'LEGAL', 'PROC', 'FAC', 'QA', 'SUPPORT', 'LOG',
  'MFG', 'CS', 'PMO', 'SEC', 'TREAS', 'TAX', 'AUDIT', 'COMMS', 'BD', 'PR', 'TRAIN', 'DATA', 'DESIGN', 'RISK', 'EXEC',
] as const;
const numbered = (prefix: string, from: number, count: number, step = 1) =>
  Array.from({ length: count }, (_, i) => `${prefix}${from + i * step}`);

/** Segment positions 1..5: what they hold and the values they draw from. */
const segmentKinds = [
  { code: 'COMPANY', name: 'Company', values: (country: string) => numbered(country, 100, 4, 100) },
  { code: 'DEPT', name: 'Department', values: () => [...departments] },
  { code: 'GLACCT', name: 'GL Account', values: () => numbered('', 60000, 600, 10) },
  { code: 'CC', name: 'Cost Center', values: () => numbered('CC', 1000, 300) },
  { code: 'PROJECT', name: 'Project', values: () => numbered('P', 2000, 150) },
] as const;

export interface ChartFixture {
  id: number;
  name: string;
  departments: string[];
}

/** 10 charts of accounts with 3-5 segments each, and `total` accounts spread over them by share. */
export async function seedAccounts(db: Db, total: number): Promise<ChartFixture[]> {
  const now = new Date().toISOString();
  const audit = { created_at: now, updated_at: now, created_by: 'bench-seed', updated_by: 'bench-seed' };
  await bulkInsert(db, 'core_account_types', charts.length, (i) => ({ id: i + 1, name: charts[i]!.name, active: true, currency: charts[i]!.currency, exported: false, ...audit }));
  await setIdentity(db, 'core_account_types');
  const segmentRows = charts.flatMap((chart, i) =>
    segmentKinds.slice(0, chart.segments).map((kind, p) => ({ account_type_id: i + 1, position: p + 1, field_type_code: kind.code, field_type_name: kind.name, lookup_id: null })),
  );
  await bulkInsert(db, 'core_account_type_segments', segmentRows.length, (i) => segmentRows[i]!);

  const accounts = planAccounts(total);
  await bulkInsert(db, 'core_accounts', accounts.length, (i) => accountRow(i + 1, accounts[i]!, audit));
  await setIdentity(db, 'core_accounts');
  return charts.map((chart, i) => ({ id: i + 1, name: chart.name, departments: [...new Set(accounts.filter((a) => a.chart === i).map((a) => a.segments[1] ?? ''))].filter(Boolean) }));
}

interface PlannedAccount {
  chart: number;
  segments: string[];
  active: boolean;
}

/** Unique segment combinations per chart; departments are skewed (a few big ones), the rest uniform. */
function planAccounts(total: number): PlannedAccount[] {
  const random = createRandom(4);
  const shares = charts.reduce((sum, c) => sum + c.share, 0);
  const planned: PlannedAccount[] = [];
  charts.forEach((chart, index) => {
    const count = index === charts.length - 1 ? total - planned.length : Math.round((total * chart.share) / shares);
    const pools = segmentKinds.slice(0, chart.segments).map((kind) => kind.values(chart.country));
    const pickers = pools.map((pool, p) => (p === 1 ? createSkewedPicker(pool, 0.6) : (r: () => number) => pick(r, pool)));
    const capacity = pools.reduce((product, pool) => product * pool.length, 1);
    if (count > capacity / 2) throw new Error(`${chart.name} cannot hold ${count} distinct accounts; lower --accounts`);
    const codes = new Set<string>();
    while (codes.size < count) {
      const segments = pickers.map((pickValue) => pickValue(random));
      const code = segments.join('-');
      if (codes.has(code)) continue;
      codes.add(code);
      planned.push({ chart: index, segments, active: random() < 0.95 });
    }
  });
  return planned;
}

function accountRow(id: number, account: PlannedAccount, audit: Record<string, string>): Record<string, unknown> {
  const segmentColumns: Record<string, string | null> = {};
  for (let n = 1; n <= 20; n++) segmentColumns[`segment_${n}`] = account.segments[n - 1] ?? null;
  return {
    id,
    account_type_id: account.chart + 1,
    name: account.segments.join(' '),
    code: account.segments.join('-'),
    active: account.active,
    exported: false,
    ...segmentColumns,
    ...audit,
  };
}
