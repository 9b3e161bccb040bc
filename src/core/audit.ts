import { isoNow, toDate } from '../db/index.ts';
import type { Actor } from './users/user.types.ts';

export interface Audit {
  createdAt: Date;
  updatedAt: Date;
  createdBy: string | null;
  updatedBy: string | null;
}

export function toAudit(row: { created_at: Date | string; updated_at: Date | string; created_by: string | null; updated_by: string | null }): Audit {
  return { createdAt: toDate(row.created_at), updatedAt: toDate(row.updated_at), createdBy: row.created_by, updatedBy: row.updated_by };
}

export function createdColumns(actor: Actor, clock: () => Date) {
  const now = isoNow(clock);
  return { created_at: now, updated_at: now, created_by: actor, updated_by: actor };
}

export function updatedColumns(actor: Actor, clock: () => Date) {
  return { updated_at: isoNow(clock), updated_by: actor };
}

/** Copies the keys present in `input` (present-but-null included) to their columns. */
export function presentColumns<I extends object>(input: I, map: Array<[keyof I, string]>): Record<string, unknown> {
  const columns: Record<string, unknown> = {};
  for (const [from, to] of map) if (from in input) columns[to] = input[from] ?? null;
  return columns;
}
