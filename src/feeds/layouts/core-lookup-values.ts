import type { CoreService, LookupValue, LookupValueInput, LookupValueMatch, LookupValueRef } from '../../core/index.ts';
import type { ColumnSpec, Layout, OutcomeProblem } from './layout.ts';
import { rowLayout, type RowKey } from './row-import.ts';
import { booleanOf, textOf } from './row-values.ts';

/** The lookup values layout (reference/file-formats.md "Core: Lookup values"). */
export const lookupValueColumns: readonly ColumnSpec[] = [
  { name: 'Name', field: 'name', required: true },
  { name: 'Active', field: 'active', kind: 'boolean' },
  { name: 'Lookup', field: 'lookup', required: true },
  { name: 'Description', field: 'description' },
  { name: 'External Ref Num', field: 'externalRefNum', element: 'external-ref-num' },
  { name: 'External Ref Code', field: 'externalRefCode', element: 'external-ref-code' },
  { name: 'Chart of Accounts', field: 'accountType', element: 'account-type' },
  { name: 'Parent External Ref Code', field: 'parent', element: 'parent' },
  { name: 'Default', field: 'isDefault', kind: 'boolean', element: 'is-default' },
];

const keyText = (lookup: string, value: string) => `${lookup}/${value}`;

/**
 * A value is matched within its lookup by, in order, External Ref Code, External Ref Num, Name (the
 * last two under the row's parent, none = a root value). Full feed scope: the lookups in the file.
 */
export function lookupValuesLayout(core: CoreService): Layout {
  const service = core.lookupValues;
  return rowLayout<LookupValue, LookupValueInput>(
    { id: 'core.lookup-values', title: 'Lookup values', folder: 'LookupValues', columns: lookupValueColumns },
    {
      keyOf,
      locate: async (values, db) => {
        const lookup = await core.lookups.find({ name: textOf(values.lookup)! }, db);
        if (!lookup) return {};
        return { scopeId: lookup.id, record: await service.find(matchOf(values), db) };
      },
      idOf: (value) => value.id,
      isActive: (value) => value.active,
      toInput,
      currentOf: (value) => ({
        name: value.name,
        description: value.description,
        active: value.active,
        lookup: { name: value.lookup.name },
        externalRefNum: value.externalRefNum,
        externalRefCode: value.externalRefCode,
        parent: value.parent ? { externalRefCode: value.parent.externalRefCode ?? '' } : null,
        isDefault: value.isDefault,
        accountType: value.accountType ? { name: value.accountType.name } : null,
      }),
      create: (input, actor, db) => service.create(input, actor, db),
      update: (value, input, actor, db) => service.update(value.id, input, actor, db),
      activeIds: (lookupIds, db) => service.activeIds({ lookupIds }, db),
      deactivateMissing: async (keepIds, lookupIds, actor, db) =>
        (await service.deactivateMissing(keepIds, { lookupIds }, actor, db)).map(refText),
    },
  );
}

function keyOf(values: Record<string, unknown>): RowKey | OutcomeProblem {
  const lookup = textOf(values.lookup);
  if (lookup === null) return { column: 'Lookup', message: "Lookup can't be blank" };
  const match = matchOf(values);
  const parent = 'parent' in match ? (match.parent?.externalRefCode ?? '') : '';
  if ('externalRefCode' in match) return { text: keyText(lookup, match.externalRefCode), label: 'Lookup value', identity: JSON.stringify([lookup, 'code', match.externalRefCode]) };
  if ('externalRefNum' in match) return { text: keyText(lookup, match.externalRefNum), label: 'Lookup value', identity: JSON.stringify([lookup, 'num', parent, match.externalRefNum]) };
  if (match.name === '') return { column: 'Name', message: "Name can't be blank" };
  return { text: keyText(lookup, match.name), label: 'Lookup value', identity: JSON.stringify([lookup, 'name', parent, match.name]) };
}

function matchOf(values: Record<string, unknown>): LookupValueMatch {
  const lookup = { name: textOf(values.lookup) ?? '' };
  const code = textOf(values.externalRefCode);
  if (code !== null) return { lookup, externalRefCode: code };
  const parentCode = textOf(values.parent);
  const parent = parentCode === null ? null : { externalRefCode: parentCode };
  const num = textOf(values.externalRefNum);
  return num !== null ? { lookup, externalRefNum: num, parent } : { lookup, name: textOf(values.name) ?? '', parent };
}

function toInput(values: Record<string, unknown>, given: ReadonlySet<string>): LookupValueInput {
  const input: LookupValueInput = { name: textOf(values.name) ?? '', lookup: { name: textOf(values.lookup) ?? '' } };
  if (given.has('description')) input.description = textOf(values.description);
  const active = booleanOf(values.active);
  if (active !== undefined) input.active = active;
  if (given.has('externalRefNum')) input.externalRefNum = textOf(values.externalRefNum);
  // A blank External Ref Code is derived by the service (the parent's code and this value's ref num).
  const code = textOf(values.externalRefCode);
  if (code !== null) input.externalRefCode = code;
  if (given.has('parent')) input.parent = textOf(values.parent) === null ? null : { externalRefCode: textOf(values.parent)! };
  const isDefault = booleanOf(values.isDefault);
  if (isDefault !== undefined) input.isDefault = isDefault;
  if (given.has('accountType')) input.accountType = textOf(values.accountType) === null ? null : { name: textOf(values.accountType)! };
  return input;
}

function refText(ref: LookupValueRef): string {
  return keyText(ref.lookup, ref.externalRefCode ?? ref.externalRefNum ?? ref.name);
}
