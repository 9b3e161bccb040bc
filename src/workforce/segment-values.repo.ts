import type { Selectable } from 'kysely';
import { toBool, toDate } from '../db/index.ts';
import type { WorkforceSegmentValueTable } from '../db/schema.ts';
import type { Executor, SegmentValue } from './types.ts';
import { chunks } from './users.repo.ts';

export type ValueRow = Selectable<WorkforceSegmentValueTable>;

export function toSegmentValue(row: ValueRow): SegmentValue {
  return {
    id: row.id,
    slot: row.slot,
    name: row.name,
    code: row.code,
    description: row.description,
    active: toBool(row.active),
    fromChart: row.source_key !== null,
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  };
}

export async function valuesByName(db: Executor, slot: number, names: readonly string[]): Promise<Map<string, ValueRow>> {
  const out = new Map<string, ValueRow>();
  for (const part of chunks([...new Set(names)])) {
    const rows = await db.selectFrom('workforce_segment_values').selectAll().where('slot', '=', slot).where('name', 'in', part).execute();
    for (const row of rows) out.set(row.name, row);
  }
  return out;
}

export async function valuesBySourceKey(db: Executor, slot: number, keys: readonly string[]): Promise<Map<string, ValueRow>> {
  const out = new Map<string, ValueRow>();
  for (const part of chunks([...new Set(keys)])) {
    const rows = await db.selectFrom('workforce_segment_values').selectAll().where('slot', '=', slot).where('source_key', 'in', part).execute();
    for (const row of rows) out.set(row.source_key!, row);
  }
  return out;
}

/** Values of a slot matched by code, else by name (how account segment text names a value). */
export async function valuesByText(db: Executor, slot: number, texts: readonly string[]): Promise<Map<string, ValueRow>> {
  const out = new Map<string, ValueRow>();
  for (const part of chunks([...new Set(texts)])) {
    const rows = await db
      .selectFrom('workforce_segment_values')
      .selectAll()
      .where('slot', '=', slot)
      .where((eb) => eb.or([eb('code', 'in', part), eb('name', 'in', part)]))
      .orderBy('id')
      .execute();
    for (const row of rows) if (row.name !== null && part.includes(row.name) && !out.has(row.name)) out.set(row.name, row);
    for (const row of rows) if (row.code !== null && part.includes(row.code)) out.set(row.code, row);
  }
  return out;
}

export async function setValuesActive(db: Executor, ids: readonly number[], active: boolean, now: string): Promise<void> {
  for (const part of chunks(ids)) {
    await db.updateTable('workforce_segment_values').set({ active, updated_at: now }).where('id', 'in', part).execute();
  }
}

export interface ValueColumns {
  name: string;
  code: string | null;
  description: string | null;
  active: boolean;
  source_key: string | null;
}

export function valueDiffers(row: ValueRow, wanted: ValueColumns): boolean {
  return row.name !== wanted.name || row.code !== wanted.code || row.description !== wanted.description
    || toBool(row.active) !== wanted.active || row.source_key !== wanted.source_key;
}

export async function insertValues(db: Executor, slot: number, values: ValueColumns[], now: string): Promise<void> {
  for (const part of chunks(values)) {
    await db.insertInto('workforce_segment_values').values(part.map((v) => ({ ...v, slot, created_at: now, updated_at: now }))).execute();
  }
}

export async function updateValue(db: Executor, id: number, values: ValueColumns, now: string): Promise<void> {
  await db.updateTable('workforce_segment_values').set({ ...values, updated_at: now }).where('id', '=', id).execute();
}
