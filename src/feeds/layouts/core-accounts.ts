import { MAX_SEGMENTS, type Account, type AccountInput, type CoreService } from '../../core/index.ts';
import type { ColumnSpec, Layout, OutcomeProblem } from './layout.ts';
import { rowLayout, type RowKey } from './row-import.ts';
import { booleanOf, textOf } from './row-values.ts';

const positions = Array.from({ length: MAX_SEGMENTS }, (_, i) => i + 1);

/** The accounts layout (reference/file-formats.md "Core: Accounts"). */
export const accountColumns: readonly ColumnSpec[] = [
  { name: 'Name', field: 'name' },
  { name: 'Active', field: 'active', required: true, kind: 'boolean' },
  { name: 'Chart of Accounts', field: 'accountType', required: true, element: 'account-type' },
  ...positions.map((n): ColumnSpec => ({ name: `Segment ${n}`, field: `segment${n}`, required: n === 1, element: `segment-${n}` })),
];

/** The row's segments, index 0 = segment 1, blank or absent = null. */
const segmentsOf = (values: Record<string, unknown>) => positions.map((n) => textOf(values[`segment${n}`]));

/** The code the service gives an account: its segments joined with `-` (a gap is the service's error). */
const codeOf = (values: Record<string, unknown>) => segmentsOf(values).filter((s) => s !== null).join('-');

const keyText = (chart: string, code: string) => `${chart}/${code}`;

/**
 * An account is identified by (chart of accounts, code); the code is its segments, so a row never
 * changes them: an update sets Name and Active. Full feed scope: the charts of accounts in the file.
 */
export function accountsLayout(core: CoreService): Layout {
  const service = core.accounts;
  return rowLayout<Account, AccountInput>(
    { id: 'core.accounts', title: 'Accounts', folder: 'Accounts', columns: accountColumns },
    {
      keyOf,
      locate: async (values, db) => {
        const chart = await core.accountTypes.find({ name: textOf(values.accountType)! }, db);
        if (!chart) return {};
        return { scopeId: chart.id, record: await service.find({ accountType: { id: chart.id }, code: codeOf(values) }, db) };
      },
      idOf: (account) => account.id,
      isActive: (account) => account.active,
      toInput: (values, given, account) => {
        const input: AccountInput = {};
        if (given.has('name')) input.name = textOf(values.name);
        const active = booleanOf(values.active);
        if (active !== undefined) input.active = active;
        if (account) return input;
        return { ...input, accountType: { name: textOf(values.accountType)! }, segments: segmentsOf(values) };
      },
      currentOf: (account) => ({ name: account.name, active: account.active }),
      create: (input, actor, db) => service.create(input, actor, db),
      update: (account, input, actor, db) => service.update(account.id, input, actor, db),
      activeIds: (chartIds, db) => service.activeIds({ accountTypeIds: chartIds }, db),
      deactivateMissing: async (keepIds, chartIds, actor, db) =>
        (await service.deactivateMissing(keepIds, { accountTypeIds: chartIds }, actor, db)).map((a) => keyText(a.accountType, a.code)),
    },
  );
}

function keyOf(values: Record<string, unknown>): RowKey | OutcomeProblem {
  const chart = textOf(values.accountType);
  if (chart === null) return { column: 'Chart of Accounts', message: "Chart of Accounts can't be blank" };
  if (textOf(values.segment1) === null) return { column: 'Segment 1', message: "Segment 1 can't be blank" };
  return { text: keyText(chart, codeOf(values)), label: 'Account', identity: JSON.stringify([chart, codeOf(values)]) };
}
