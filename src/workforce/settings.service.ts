import { isoNow, type Db } from '../db/index.ts';
import { ValidationError, type FieldProblem } from '../shared/errors.ts';
import { SEGMENT_SLOTS, type DesignatedChart, type Executor, type SegmentSlot, type WorkforceSettings } from './types.ts';

const CHART_KEY = 'chart_of_accounts';
const NAMES_KEY = 'segment_names';
export const MAX_SEGMENT_NAME = 100;

async function readKey<T>(db: Executor, key: string): Promise<T | undefined> {
  const row = await db.selectFrom('workforce_settings').select('value').where('key', '=', key).executeTakeFirst();
  return row ? (JSON.parse(row.value) as T) : undefined;
}

async function writeKey(db: Executor, key: string, value: unknown, clock: () => Date): Promise<void> {
  const row = { key, value: JSON.stringify(value), updated_at: isoNow(clock) };
  await db
    .insertInto('workforce_settings')
    .values(row)
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: row.value, updated_at: row.updated_at }))
    .execute();
}

/** Slots 1..k belong to the designated chart (its segment names), k+1..11 are HR-only (named in settings). */
export function slotsOf(settings: WorkforceSettings): SegmentSlot[] {
  const chartSegments = settings.chart?.segments ?? [];
  return Array.from({ length: SEGMENT_SLOTS }, (_, i) => {
    const slot = i + 1;
    const segment = chartSegments.find((s) => s.slot === slot);
    return segment
      ? { slot, name: segment.name, owner: 'chart-of-accounts' as const }
      : { slot, name: settings.segmentNames[slot] ?? null, owner: 'hr' as const };
  });
}

export function createSettingsService(deps: { db: Db; clock: () => Date }) {
  const { kysely } = deps.db;

  async function get(db: Executor = kysely): Promise<WorkforceSettings> {
    const chart = (await readKey<DesignatedChart | null>(db, CHART_KEY)) ?? null;
    const names = (await readKey<Record<string, string>>(db, NAMES_KEY)) ?? {};
    return { chart, segmentNames: Object.fromEntries(Object.entries(names).map(([slot, name]) => [Number(slot), name])) };
  }

  return {
    get,

    async slots(db: Executor = kysely): Promise<SegmentSlot[]> {
      return slotsOf(await get(db));
    },

    /** Names HR-only slots; null removes a name. A slot owned by the chart of accounts is named by the chart. */
    async setSegmentNames(names: Record<number, string | null>, db: Executor = kysely): Promise<WorkforceSettings> {
      const current = await get(db);
      const chartSlots = current.chart?.segments.length ?? 0;
      const problems: FieldProblem[] = [];
      const merged: Record<number, string> = { ...current.segmentNames };
      for (const [key, raw] of Object.entries(names)) {
        const slot = Number(key);
        const name = raw?.trim() ?? null;
        if (!Number.isInteger(slot) || slot < 1 || slot > SEGMENT_SLOTS) problems.push({ field: 'segment-names', message: `Slot "${key}" must be 1 to ${SEGMENT_SLOTS}` });
        else if (slot <= chartSlots) problems.push({ field: 'segment-names', message: `Slot ${slot} is owned by chart of accounts "${current.chart!.name}" and named by it` });
        else if (name !== null && (name === '' || name.length > MAX_SEGMENT_NAME)) problems.push({ field: 'segment-names', message: `Name of slot ${slot} must be 1 to ${MAX_SEGMENT_NAME} characters` });
        else if (name === null) delete merged[slot];
        else merged[slot] = name;
      }
      if (problems.length > 0) throw new ValidationError('settings', problems);
      await writeKey(db, NAMES_KEY, merged, deps.clock);
      return get(db);
    },

    /** Sync only: records which Core chart is designated (null: none). */
    async setChart(db: Executor, chart: DesignatedChart | null): Promise<void> {
      await writeKey(db, CHART_KEY, chart, deps.clock);
    },
  };
}

export type SettingsService = ReturnType<typeof createSettingsService>;
