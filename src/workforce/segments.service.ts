import { sql } from 'kysely';
import { isoNow, type Db } from '../db/index.ts';
import { applyListQuery } from '../query/compile-list-query.ts';
import type { ListQuery } from '../query/types.ts';
import { AppError, ValidationError } from '../shared/errors.ts';
import { segmentValueQuerySchema } from './query-schemas.ts';
import { insertValues, setValuesActive, toSegmentValue, updateValue, valueDiffers, valuesByName, type ValueColumns, type ValueRow } from './segment-values.repo.ts';
import type { SettingsService } from './settings.service.ts';
import { SEGMENT_SLOTS, type Executor, type RowResult, type SegmentValue, type SegmentValueInput } from './types.ts';

export interface ParentFilter {
  /** Name of a value in the parent slot. */
  value: string;
  /** The parent slot; any slot related to this one when absent. */
  slot?: number;
}

export function checkSlot(slot: number, field = 'slot'): void {
  if (!Number.isInteger(slot) || slot < 1 || slot > SEGMENT_SLOTS) {
    throw new ValidationError('segment', [{ field, message: `Segment slot ${slot} does not exist (1 to ${SEGMENT_SLOTS})` }]);
  }
}

/** Per-row rules of a Master Data row; the message, or undefined when the row is good. */
function rowProblem(row: SegmentValueInput): string | undefined {
  const name = row.name?.trim() ?? '';
  if (name === '') return "Name can't be blank";
  if (name.length > 255) return 'Name is too long (maximum is 255 characters)';
  if ((row.code?.trim().length ?? 0) > 255) return 'Code is too long (maximum is 255 characters)';
  if ((row.description?.trim().length ?? 0) > 500) return 'Description is too long (maximum is 500 characters)';
  return undefined;
}

function columnsOf(row: SegmentValueInput, existing: ValueRow | undefined): ValueColumns {
  return {
    name: row.name.trim(),
    code: row.code === undefined ? (existing?.code ?? null) : row.code?.trim() || null,
    description: row.description === undefined ? (existing?.description ?? null) : row.description?.trim() || null,
    active: row.active ?? true,
    source_key: null,
  };
}

export function createSegmentsService(deps: { db: Db; clock: () => Date; settings: SettingsService }) {
  const { kysely, adapter } = deps.db;

  /** Refuses writes to a slot the designated chart of accounts owns, naming the slot and the chart. */
  async function requireHrSlot(slot: number, db: Executor): Promise<void> {
    checkSlot(slot);
    const settings = await deps.settings.get(db);
    if (settings.chart && slot <= settings.chart.segments.length) {
      throw new AppError('conflict', `Segment ${slot} is owned by chart of accounts "${settings.chart.name}": its values come from Core, not from Master Data files`);
    }
  }

  return {
    requireHrSlot,

    async listValues(slot: number, query: ListQuery, parent?: ParentFilter): Promise<SegmentValue[]> {
      checkSlot(slot);
      let qb = kysely.selectFrom('workforce_segment_values').selectAll('workforce_segment_values').where('workforce_segment_values.slot', '=', slot);
      if (parent) {
        if (parent.slot !== undefined) checkSlot(parent.slot, 'parent_slot');
        const parentSlot = parent.slot === undefined ? sql`` : sql` and p.slot = ${parent.slot}`;
        qb = qb.where(
          sql<boolean>`workforce_segment_values.id in (select r.child_value_id from workforce_segment_relationships r join workforce_segment_values p on p.id = r.parent_value_id where r.active = ${true} and p.name = ${parent.value}${parentSlot})`,
        );
      }
      const rows = await applyListQuery(qb, segmentValueQuerySchema, query, adapter).execute();
      return (rows as ValueRow[]).map(toSegmentValue);
    },

    async getValue(slot: number, name: string, db: Executor = kysely): Promise<SegmentValue | undefined> {
      const row = (await valuesByName(db, slot, [name])).get(name);
      return row ? toSegmentValue(row) : undefined;
    },

    /**
     * Creates or updates values of an HR-only slot (a Master Data file's rows, Delta or Full), by Name.
     * Bad rows are reported per row and skipped; a chart-owned slot is refused as a whole (AppError conflict).
     */
    async upsertValues(slot: number, rows: readonly SegmentValueInput[], db: Executor = kysely): Promise<RowResult[]> {
      await requireHrSlot(slot, db);
      const existing = await valuesByName(db, slot, rows.map((r) => r.name?.trim() ?? ''));
      const now = isoNow(deps.clock);
      const seen = new Map<string, number>();
      const inserts: ValueColumns[] = [];
      const results: RowResult[] = [];
      for (const [index, row] of rows.entries()) {
        const problem = rowProblem(row);
        const key = row.name?.trim() ?? '';
        if (problem || seen.has(key)) {
          results.push({ index, key, outcome: 'error', message: problem ?? `Name "${key}" appears more than once (first in row ${seen.get(key)! + 1})` });
          continue;
        }
        seen.set(key, index);
        const current = existing.get(key);
        const wanted = columnsOf(row, current);
        if (!current) inserts.push(wanted);
        else if (valueDiffers(current, wanted)) await updateValue(db, current.id, wanted, now);
        results.push({ index, key, outcome: !current ? 'created' : valueDiffers(current, wanted) ? 'updated' : 'unchanged' });
      }
      await insertValues(db, slot, inserts, now);
      return results;
    },

    /** Deactivates values of an HR-only slot by Name (a Delta row with Status 0, or absent from a Full file). */
    async deactivateValues(slot: number, names: readonly string[], db: Executor = kysely): Promise<RowResult[]> {
      await requireHrSlot(slot, db);
      const existing = await valuesByName(db, slot, names);
      const done = new Set<string>();
      const results: RowResult[] = names.map((name, index) => {
        const row = existing.get(name);
        if (!row) return { index, key: name, outcome: 'error' as const, message: `Value "${name}" does not exist in segment ${slot}` };
        const active = (row.active === true || row.active === 1) && !done.has(name);
        done.add(name);
        return { index, key: name, outcome: active ? ('deactivated' as const) : ('unchanged' as const) };
      });
      const ids = results.filter((r) => r.outcome === 'deactivated').map((r) => existing.get(r.key)!.id);
      await setValuesActive(db, ids, false, isoNow(deps.clock));
      return results;
    },

    /** Names of the active values of a slot: what a Full file is compared with (and the safety hold counts). */
    async activeValueNames(slot: number, db: Executor = kysely): Promise<string[]> {
      checkSlot(slot);
      const rows = await db.selectFrom('workforce_segment_values').select('name').where('slot', '=', slot).where('active', '=', true).orderBy('name').execute();
      return rows.map((r) => r.name);
    },
  };
}

export type SegmentsService = ReturnType<typeof createSegmentsService>;
