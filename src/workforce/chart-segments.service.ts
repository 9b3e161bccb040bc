import { isoNow, toBool, type Db } from '../db/index.ts';
import { writePairs } from './relationships.service.ts';
import { insertValues, setValuesActive, updateValue, valueDiffers, valuesByName, valuesBySourceKey, valuesByText, type ValueColumns } from './segment-values.repo.ts';
import { slotsOf, type SettingsService } from './settings.service.ts';
import type { DesignatedChart, Executor, SegmentOwner } from './types.ts';
import { chunks } from './users.repo.ts';

/** A value of a chart-owned slot as the chart holds it now; `sourceKey` identifies it across renames. */
export interface ChartValue {
  sourceKey: string;
  name: string;
  code: string | null;
  description: string | null;
  active: boolean;
}

export interface ValueCounts {
  created: number;
  updated: number;
  unchanged: number;
  deactivated: number;
  /** Values skipped because another value of the slot already has their name. */
  conflicts: string[];
}

export interface SlotMove {
  slot: number;
  before: { owner: SegmentOwner; name: string | null };
  after: { owner: SegmentOwner; name: string | null };
  /** Values of the slot deactivated because they belonged to the previous owner. */
  deactivated: number;
}

export interface DesignationReport {
  previous: { sourceId: number; name: string } | null;
  current: { sourceId: number; name: string } | null;
  /** Only the slots whose owner or name changed. */
  moved: SlotMove[];
}

export function emptyCounts(): ValueCounts {
  return { created: 0, updated: 0, unchanged: 0, deactivated: 0, conflicts: [] };
}

/** Sync only: writes the slots owned by the designated chart of accounts. HR slots are never touched here. */
export function createChartSegmentsService(deps: { db: Db; clock: () => Date; settings: SettingsService }) {
  async function deactivateWhere(db: Executor, slot: number, sourced: boolean): Promise<number> {
    let query = db.selectFrom('workforce_segment_values').select('id').where('slot', '=', slot).where('active', '=', true);
    query = sourced ? query.where('source_key', 'is not', null) : query.where('source_key', 'is', null);
    const ids = (await query.execute()).map((r) => r.id);
    await setValuesActive(db, ids, false, isoNow(deps.clock));
    return ids.length;
  }

  return {
    /**
     * Records the designated chart (or none) and re-maps the slots: a slot that changes owner, or gets
     * another chart, has the previous owner's values deactivated. Reports what moved.
     */
    async designate(db: Executor, chart: DesignatedChart | null): Promise<DesignationReport> {
      const before = await deps.settings.get(db);
      await deps.settings.setChart(db, chart);
      const after = await deps.settings.get(db);
      const beforeSlots = slotsOf(before);
      const changedChart = before.chart?.sourceId !== chart?.sourceId;
      const moved: SlotMove[] = [];
      for (const slot of slotsOf(after)) {
        const old = beforeSlots[slot.slot - 1]!;
        const ownerChanged = old.owner !== slot.owner;
        let deactivated = 0;
        if (old.owner === 'chart-of-accounts' && (ownerChanged || changedChart)) deactivated += await deactivateWhere(db, slot.slot, true);
        if (old.owner === 'hr' && slot.owner === 'chart-of-accounts') deactivated += await deactivateWhere(db, slot.slot, false);
        if (ownerChanged || old.name !== slot.name || deactivated > 0) {
          moved.push({ slot: slot.slot, before: { owner: old.owner, name: old.name }, after: { owner: slot.owner, name: slot.name }, deactivated });
        }
      }
      const ref = (c: DesignatedChart | null) => (c ? { sourceId: c.sourceId, name: c.name } : null);
      return { previous: ref(before.chart), current: ref(chart), moved };
    },

    /**
     * Writes values of a chart-owned slot, matched by source key (then adopting a value of the same name).
     * `complete`: the list is the whole slot, so other values of the slot are deactivated.
     */
    async syncValues(db: Executor, slot: number, values: readonly ChartValue[], complete: boolean): Promise<ValueCounts> {
      const counts = emptyCounts();
      const bySource = await valuesBySourceKey(db, slot, values.map((v) => v.sourceKey));
      const byName = await valuesByName(db, slot, values.map((v) => v.name));
      const now = isoNow(deps.clock);
      const keys = new Set(values.map((v) => v.sourceKey));
      const names = new Set<string>();
      const inserts: ValueColumns[] = [];
      for (const value of values) {
        if (names.has(value.name)) {
          counts.conflicts.push(value.name);
          continue;
        }
        names.add(value.name);
        const wanted: ValueColumns = { name: value.name, code: value.code, description: value.description, active: value.active, source_key: value.sourceKey };
        const named = byName.get(value.name);
        const row = bySource.get(value.sourceKey) ?? (named && (named.source_key === null || !keys.has(named.source_key)) ? named : undefined);
        if (!row) {
          inserts.push(wanted);
          counts.created++;
        } else if (valueDiffers(row, wanted)) {
          await updateValue(db, row.id, wanted, now);
          counts[toBool(row.active) && !wanted.active ? 'deactivated' : 'updated']++;
        } else counts.unchanged++;
      }
      await insertValues(db, slot, inserts, now);
      if (complete) counts.deactivated += await deactivateOthers(db, slot, keys, now);
      return counts;
    },

    /**
     * Relationships between chart slots `parentSlot` and `parentSlot + 1`, from the accounts' value pairs
     * (account segment text matched to values by code, else name). For the parents named in
     * `parentTexts`, the given pairs become active and their other children inactive.
     */
    async syncChildren(db: Executor, parentSlot: number, parentTexts: readonly string[], pairs: ReadonlyArray<{ parent: string; child: string }>): Promise<number> {
      const parents = await valuesByText(db, parentSlot, parentTexts);
      const children = await valuesByText(db, parentSlot + 1, pairs.map((p) => p.child));
      const wanted = pairs
        .map((p) => ({ parentId: parents.get(p.parent)?.id, childId: children.get(p.child)?.id }))
        .filter((p): p is { parentId: number; childId: number } => p.parentId !== undefined && p.childId !== undefined);
      const now = isoNow(deps.clock);
      const changed = (await writePairs(db, wanted, true, now)).filter((o) => o !== 'unchanged').length;
      const keep = new Set(wanted.map((p) => `${p.parentId}:${p.childId}`));
      const parentIds = [...new Set([...parents.values()].map((r) => r.id))];
      const stale: Array<{ parentId: number; childId: number }> = [];
      for (const part of chunks(parentIds)) {
        const rows = await db
          .selectFrom('workforce_segment_relationships as r')
          .innerJoin('workforce_segment_values as c', 'c.id', 'r.child_value_id')
          .select(['r.parent_value_id', 'r.child_value_id'])
          .where('r.parent_value_id', 'in', part)
          .where('c.slot', '=', parentSlot + 1)
          .where('r.active', '=', true)
          .execute();
        for (const r of rows) if (!keep.has(`${r.parent_value_id}:${r.child_value_id}`)) stale.push({ parentId: r.parent_value_id, childId: r.child_value_id });
      }
      await writePairs(db, stale, false, now);
      return changed + stale.length;
    },
  };
}

async function deactivateOthers(db: Executor, slot: number, keep: ReadonlySet<string>, now: string): Promise<number> {
  const rows = await db.selectFrom('workforce_segment_values').select(['id', 'source_key']).where('slot', '=', slot).where('active', '=', true).execute();
  const ids = rows.filter((r) => r.source_key === null || !keep.has(r.source_key)).map((r) => r.id);
  await setValuesActive(db, ids, false, now);
  return ids.length;
}

export type ChartSegmentsService = ReturnType<typeof createChartSegmentsService>;
