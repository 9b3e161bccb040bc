import { MAX_SEGMENTS, type AccountType, type AccountTypeInput, type CoreService, type SegmentInput } from '../../core/index.ts';
import type { ColumnSpec, Layout } from './layout.ts';
import { rowLayout } from './row-import.ts';
import { booleanOf, textOf } from './row-values.ts';

const positions = Array.from({ length: MAX_SEGMENTS }, (_, i) => i + 1);
const codeField = (n: number) => `segment${n}Code`;
const nameField = (n: number) => `segment${n}Name`;

/** The chart of accounts layout (reference/file-formats.md "Core: Chart of accounts (account types)"). */
export const accountTypeColumns: readonly ColumnSpec[] = [
  { name: 'Name', field: 'name', required: true },
  { name: 'Active', field: 'active', required: true, kind: 'boolean' },
  { name: 'Currency Code', field: 'currency', required: true },
  ...positions.flatMap((n): ColumnSpec[] => [
    { name: `Segment ${n} Field Type Code`, field: codeField(n) },
    { name: `Segment ${n} Field Type Name`, field: nameField(n) },
  ]),
];

/** Full feed scope: every chart of accounts. */
export function accountTypesLayout(core: CoreService): Layout {
  const service = core.accountTypes;
  return rowLayout<AccountType, AccountTypeInput>(
    { id: 'core.account-types', title: 'Charts of accounts', folder: 'AccountTypes', columns: accountTypeColumns },
    {
      keyOf: (values) => {
        const name = textOf(values.name);
        return name === null ? { column: 'Name', message: "Name can't be blank" } : { text: name, label: 'Name', column: 'Name' };
      },
      locate: async (values, db) => ({ record: await service.find({ name: textOf(values.name)! }, db) }),
      idOf: (chart) => chart.id,
      isActive: (chart) => chart.active,
      toInput,
      currentOf: (chart) => ({ name: chart.name, active: chart.active, currency: chart.currency, segments: chart.segments.map(segmentInputOf) }),
      create: (input, actor, db) => service.create(input, actor, db),
      update: (chart, input, actor, db) => service.update(chart.id, input, actor, db),
      activeIds: (_scopes, db) => service.activeIds('all', db),
      deactivateMissing: (keepIds, _scopes, actor, db) => service.deactivateMissing(keepIds, 'all', actor, db),
      columnOf: (problem) => {
        const segment = /^Segment (\d+) field type (code|name)/.exec(problem.message);
        return segment ? `Segment ${segment[1]} Field Type ${segment[2] === 'code' ? 'Code' : 'Name'}` : undefined;
      },
    },
  );
}

function toInput(values: Record<string, unknown>, given: ReadonlySet<string>, chart: AccountType | undefined): AccountTypeInput {
  const input: AccountTypeInput = { name: textOf(values.name) ?? '' };
  const active = booleanOf(values.active);
  if (active !== undefined) input.active = active;
  if (given.has('currency')) input.currency = textOf(values.currency)?.toUpperCase() ?? '';
  const segments = segmentsOf(values, given, chart);
  if (segments) input.segments = segments;
  return input;
}

/**
 * Segments 1..k, k the highest position with a code or a name; a column the header lacks keeps the
 * chart's value, and each position keeps the lookup that backs it (the file cannot name one).
 */
function segmentsOf(values: Record<string, unknown>, given: ReadonlySet<string>, chart: AccountType | undefined): SegmentInput[] | undefined {
  if (!positions.some((n) => given.has(codeField(n)) || given.has(nameField(n)))) return undefined;
  const current = (n: number) => chart?.segments.find((s) => s.position === n);
  const code = (n: number) => (given.has(codeField(n)) ? textOf(values[codeField(n)]) : (current(n)?.fieldTypeCode ?? null));
  const name = (n: number) => (given.has(nameField(n)) ? textOf(values[nameField(n)]) : (current(n)?.fieldTypeName ?? null));
  const last = positions.findLast((n) => code(n) !== null || name(n) !== null) ?? 0;
  return positions.slice(0, last).map((n) => {
    const lookup = current(n)?.lookup;
    return { position: n, fieldTypeCode: code(n), fieldTypeName: name(n) ?? '', lookup: lookup ? { id: lookup.id } : null };
  });
}

function segmentInputOf(segment: AccountType['segments'][number]): SegmentInput {
  return {
    position: segment.position,
    fieldTypeCode: segment.fieldTypeCode,
    fieldTypeName: segment.fieldTypeName,
    lookup: segment.lookup ? { id: segment.lookup.id } : null,
  };
}
