import type { CoreService, Lookup, LookupInput } from '../../core/index.ts';
import type { ColumnSpec, Layout } from './layout.ts';
import { rowLayout } from './row-import.ts';
import { booleanOf, textOf } from './row-values.ts';

const MAX_LEVELS = 10;
const levels = Array.from({ length: MAX_LEVELS }, (_, i) => i + 1);
const levelField = (n: number) => `level${n}Name`;

/** The lookups layout (reference/file-formats.md, under "Core: Lookup values"). */
export const lookupColumns: readonly ColumnSpec[] = [
  { name: 'Name', field: 'name', required: true },
  { name: 'Description', field: 'description' },
  { name: 'Active', field: 'active', kind: 'boolean' },
  ...levels.map((n): ColumnSpec => ({ name: `Level ${n} Name`, field: levelField(n) })),
];

/** A lookup is identified by its name. Full feed scope: every lookup. */
export function lookupsLayout(core: CoreService): Layout {
  const service = core.lookups;
  return rowLayout<Lookup, LookupInput>(
    { id: 'core.lookups', title: 'Lookups', folder: 'Lookups', columns: lookupColumns },
    {
      keyOf: (values) => {
        const name = textOf(values.name);
        return name === null ? { column: 'Name', message: "Name can't be blank" } : { text: name, label: 'Name', column: 'Name' };
      },
      locate: async (values, db) => ({ record: await service.find({ name: textOf(values.name)! }, db) }),
      idOf: (lookup) => lookup.id,
      isActive: (lookup) => lookup.active,
      toInput,
      currentOf: (lookup) => ({ name: lookup.name, description: lookup.description, active: lookup.active, levelNames: lookup.levelNames }),
      create: (input, actor, db) => service.create(input, actor, db),
      update: (lookup, input, actor, db) => service.update(lookup.id, input, actor, db),
      activeIds: (_scopes, db) => service.activeIds('all', db),
      deactivateMissing: (keepIds, _scopes, actor, db) => service.deactivateMissing(keepIds, 'all', actor, db),
      columnOf: (problem) => {
        const level = /^Level (\d+) name/.exec(problem.message);
        return level ? `Level ${level[1]} Name` : undefined;
      },
    },
  );
}

function toInput(values: Record<string, unknown>, given: ReadonlySet<string>, lookup: Lookup | undefined): LookupInput {
  const input: LookupInput = { name: textOf(values.name) ?? '' };
  if (given.has('description')) input.description = textOf(values.description);
  const active = booleanOf(values.active);
  if (active !== undefined) input.active = active;
  if (levels.some((n) => given.has(levelField(n)))) {
    // Levels 1..k, k the highest named; a column the header lacks keeps the lookup's level name.
    const name = (n: number) => (given.has(levelField(n)) ? textOf(values[levelField(n)]) : (lookup?.levelNames[n - 1] || null));
    const last = levels.findLast((n) => name(n) !== null) ?? 0;
    input.levelNames = levels.slice(0, last).map((n) => name(n) ?? '');
  }
  return input;
}
