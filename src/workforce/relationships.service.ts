import { isoNow, toBool, type Db } from '../db/index.ts';
import { AppError } from '../shared/errors.ts';
import { valuesByName, type ValueRow } from './segment-values.repo.ts';
import { checkSlot } from './segments.service.ts';
import type { SettingsService } from './settings.service.ts';
import type { Executor, RelationshipInput, RowResult } from './types.ts';
import { chunks } from './users.repo.ts';

interface Pair {
  parentId: number;
  childId: number;
}

/** Makes the given pairs active (creating missing ones) or inactive; returns which changed. */
export async function writePairs(db: Executor, pairs: readonly Pair[], active: boolean, now: string): Promise<Array<'created' | 'updated' | 'unchanged'>> {
  const existing = new Map<string, { id: number; active: boolean }>();
  for (const part of chunks(pairs)) {
    const rows = await db
      .selectFrom('workforce_segment_relationships')
      .select(['id', 'parent_value_id', 'child_value_id', 'active'])
      .where('parent_value_id', 'in', part.map((p) => p.parentId))
      .where('child_value_id', 'in', part.map((p) => p.childId))
      .execute();
    for (const r of rows) existing.set(`${r.parent_value_id}:${r.child_value_id}`, { id: r.id, active: toBool(r.active) });
  }
  const outcomes = pairs.map((p) => {
    const row = existing.get(`${p.parentId}:${p.childId}`);
    return !row ? ('created' as const) : row.active !== active ? ('updated' as const) : ('unchanged' as const);
  });
  const inserts = pairs.filter((_, i) => outcomes[i] === 'created').map((p) => ({ parent_value_id: p.parentId, child_value_id: p.childId, active, created_at: now, updated_at: now }));
  const uniqueInserts = [...new Map(inserts.map((r) => [`${r.parent_value_id}:${r.child_value_id}`, r])).values()];
  for (const part of chunks(uniqueInserts)) await db.insertInto('workforce_segment_relationships').values(part).execute();
  const updates = pairs.filter((_, i) => outcomes[i] === 'updated').map((p) => existing.get(`${p.parentId}:${p.childId}`)!.id);
  for (const part of chunks(updates)) await db.updateTable('workforce_segment_relationships').set({ active, updated_at: now }).where('id', 'in', part).execute();
  return outcomes;
}

export function createRelationshipsService(deps: { db: Db; clock: () => Date; settings: SettingsService }) {
  const { kysely } = deps.db;

  async function checkSlots(parentSlot: number, childSlot: number, db: Executor): Promise<void> {
    checkSlot(parentSlot, 'parent slot');
    checkSlot(childSlot, 'child slot');
    if (parentSlot === childSlot) throw new AppError('bad_request', `A relationship links two different segments (got ${parentSlot} and ${childSlot})`);
    const chart = (await deps.settings.get(db)).chart;
    const k = chart?.segments.length ?? 0;
    if (parentSlot <= k && childSlot <= k) {
      throw new AppError('conflict', `Segments ${parentSlot} and ${childSlot} are owned by chart of accounts "${chart!.name}": their relationships come from its accounts`);
    }
  }

  /** Resolves each row's parent and child by Name (and Code, when given); bad rows become error results. */
  async function resolve(parentSlot: number, childSlot: number, rows: readonly RelationshipInput[], db: Executor) {
    const parents = await valuesByName(db, parentSlot, rows.map((r) => r.parentName?.trim() ?? ''));
    const children = await valuesByName(db, childSlot, rows.map((r) => r.childName?.trim() ?? ''));
    const problem = (row: RelationshipInput, slot: number, name: string, code: string | null | undefined, value: ValueRow | undefined, what: string) => {
      if (name === '') return `${what} Segment Name can't be blank`;
      if (!value) return `${what} value "${name}" does not exist in segment ${slot}`;
      if (code && value.code !== code.trim()) return `${what} value "${name}" has code ${value.code ?? '(none)'}, not ${code.trim()}`;
      return undefined;
    };
    return rows.map((row, index) => {
      const parentName = row.parentName?.trim() ?? '';
      const childName = row.childName?.trim() ?? '';
      const parent = parents.get(parentName);
      const child = children.get(childName);
      const message = problem(row, parentSlot, parentName, row.parentCode, parent, 'Parent') ?? problem(row, childSlot, childName, row.childCode, child, 'Child');
      return { index, key: `${parentName} -> ${childName}`, message, pair: parent && child ? { parentId: parent.id, childId: child.id } : undefined };
    });
  }

  async function write(parentSlot: number, childSlot: number, rows: readonly RelationshipInput[], active: (row: RelationshipInput) => boolean, db: Executor): Promise<RowResult[]> {
    await checkSlots(parentSlot, childSlot, db);
    const resolved = await resolve(parentSlot, childSlot, rows, db);
    const results: RowResult[] = [];
    const now = isoNow(deps.clock);
    for (const flag of [true, false]) {
      const good = resolved.filter((r) => !r.message && active(rows[r.index]!) === flag);
      const outcomes = await writePairs(db, good.map((r) => r.pair!), flag, now);
      good.forEach((r, i) => results.push({ index: r.index, key: r.key, outcome: !flag && outcomes[i] === 'updated' ? 'deactivated' : outcomes[i]! }));
    }
    for (const r of resolved) if (r.message) results.push({ index: r.index, key: r.key, outcome: 'error', message: r.message });
    return results.sort((a, b) => a.index - b.index);
  }

  return {
    /** A Relationship file's rows (Delta or Full): Status 0 (active false) deactivates the pair. */
    upsert: (parentSlot: number, childSlot: number, rows: readonly RelationshipInput[], db: Executor = kysely) =>
      write(parentSlot, childSlot, rows, (row) => row.active ?? true, db),

    deactivate: (parentSlot: number, childSlot: number, rows: readonly RelationshipInput[], db: Executor = kysely) =>
      write(parentSlot, childSlot, rows, () => false, db),

    /** The active pairs between two slots, by name: what a Full file is compared with. */
    async active(parentSlot: number, childSlot: number, db: Executor = kysely): Promise<Array<{ parentName: string; childName: string }>> {
      return db
        .selectFrom('workforce_segment_relationships as r')
        .innerJoin('workforce_segment_values as p', 'p.id', 'r.parent_value_id')
        .innerJoin('workforce_segment_values as c', 'c.id', 'r.child_value_id')
        .select(['p.name as parentName', 'c.name as childName'])
        .where('r.active', '=', true)
        .where('p.slot', '=', parentSlot)
        .where('c.slot', '=', childSlot)
        .orderBy('p.name')
        .orderBy('c.name')
        .execute();
    },
  };
}

export type RelationshipsService = ReturnType<typeof createRelationshipsService>;
