import type { Selectable } from 'kysely';
import { isoNow, toBool, toDate, type Db } from '../db/index.ts';
import type { WorkforceWorkLocationTable } from '../db/schema.ts';
import { applyListQuery } from '../query/compile-list-query.ts';
import type { ListQuery } from '../query/types.ts';
import { NotFoundError } from '../shared/errors.ts';
import { workLocationQuerySchema } from './query-schemas.ts';
import type { Executor, RowResult, WorkLocation, WorkLocationInput } from './types.ts';
import { chunks } from './users.repo.ts';

type Row = Selectable<WorkforceWorkLocationTable>;

const limits: Array<[keyof WorkLocationInput, string, number, boolean]> = [
  ['code', 'Code', 100, true],
  ['name', 'Name', 200, false],
  ['addressLine1', 'Address Line1', 400, true],
  ['addressLine2', 'Address Line2', 400, false],
  ['city', 'City', 100, true],
  ['state', 'State', 100, true],
  ['postalCode', 'Postal Code', 20, false],
];

/** Every problem of one row, joined; undefined when the row is good. */
function rowProblem(row: WorkLocationInput): string | undefined {
  const problems: string[] = [];
  for (const [key, label, max, required] of limits) {
    const value = (row[key] as string | null | undefined)?.trim() ?? '';
    if (required && value === '') problems.push(`${label} can't be blank`);
    else if (value.length > max) problems.push(`${label} is too long (maximum is ${max} characters)`);
  }
  const country = row.country?.trim() ?? '';
  if (!/^[A-Za-z]{3}$/.test(country)) problems.push(`Country "${country}" must be an ISO 3166 alpha-3 code such as USA`);
  return problems.length ? problems.join('; ') : undefined;
}

function columnsOf(row: WorkLocationInput) {
  const text = (v: string | null | undefined) => v?.trim() || null;
  return {
    code: row.code.trim(),
    name: text(row.name),
    address_line1: row.addressLine1.trim(),
    address_line2: text(row.addressLine2),
    city: row.city.trim(),
    state: row.state.trim(),
    postal_code: text(row.postalCode),
    country: row.country.trim().toUpperCase(),
    active: row.active ?? true,
  };
}

type Columns = ReturnType<typeof columnsOf>;

function differs(row: Row, wanted: Columns): boolean {
  return (Object.keys(wanted) as Array<keyof Columns>).some((k) => (k === 'active' ? toBool(row.active) !== wanted.active : row[k] !== wanted[k]));
}

function toLocation(row: Row): WorkLocation {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    addressLine1: row.address_line1,
    addressLine2: row.address_line2,
    city: row.city,
    state: row.state,
    postalCode: row.postal_code,
    country: row.country,
    active: toBool(row.active),
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  };
}

export function createWorkLocationsService(deps: { db: Db; clock: () => Date }) {
  const { kysely, adapter } = deps.db;

  async function byCode(db: Executor, codes: readonly string[]): Promise<Map<string, Row>> {
    const out = new Map<string, Row>();
    for (const part of chunks([...new Set(codes)])) {
      for (const row of await db.selectFrom('workforce_work_locations').selectAll().where('code', 'in', part).execute()) out.set(row.code, row);
    }
    return out;
  }

  return {
    async list(query: ListQuery): Promise<WorkLocation[]> {
      const rows = await applyListQuery(kysely.selectFrom('workforce_work_locations').selectAll('workforce_work_locations'), workLocationQuerySchema, query, adapter).execute();
      return (rows as Row[]).map(toLocation);
    },

    async get(code: string): Promise<WorkLocation> {
      const row = (await byCode(kysely, [code])).get(code);
      if (!row) throw new NotFoundError('work-location', `"${code}"`);
      return toLocation(row);
    },

    /** A Work Location file's rows (Delta or Full), keyed by Code; bad rows are reported and skipped. */
    async upsert(rows: readonly WorkLocationInput[], db: Executor = kysely): Promise<RowResult[]> {
      const existing = await byCode(db, rows.map((r) => r.code?.trim() ?? ''));
      const now = isoNow(deps.clock);
      const seen = new Set<string>();
      const inserts: Columns[] = [];
      const results: RowResult[] = [];
      for (const [index, row] of rows.entries()) {
        const key = row.code?.trim() ?? '';
        const problem = rowProblem(row) ?? (seen.has(key) ? `Code "${key}" appears more than once` : undefined);
        if (problem) {
          results.push({ index, key, outcome: 'error', message: problem });
          continue;
        }
        seen.add(key);
        const wanted = columnsOf(row);
        const current = existing.get(key);
        const changed = !current || differs(current, wanted);
        if (!current) inserts.push(wanted);
        else if (changed) await db.updateTable('workforce_work_locations').set({ ...wanted, updated_at: now }).where('id', '=', current.id).execute();
        const deactivated = current && changed && toBool(current.active) && !wanted.active;
        results.push({ index, key, outcome: !current ? 'created' : deactivated ? 'deactivated' : changed ? 'updated' : 'unchanged' });
      }
      for (const part of chunks(inserts, 200)) {
        await db.insertInto('workforce_work_locations').values(part.map((c) => ({ ...c, created_at: now, updated_at: now }))).execute();
      }
      return results;
    },

    /** Deactivates work locations by Code (Status 0, or absent from a Full file). */
    async deactivate(codes: readonly string[], db: Executor = kysely): Promise<RowResult[]> {
      const existing = await byCode(db, codes);
      const now = isoNow(deps.clock);
      const results: RowResult[] = [];
      for (const [index, code] of codes.entries()) {
        const row = existing.get(code);
        if (!row) results.push({ index, key: code, outcome: 'error', message: `Work location "${code}" does not exist` });
        else if (!toBool(row.active)) results.push({ index, key: code, outcome: 'unchanged' });
        else {
          await db.updateTable('workforce_work_locations').set({ active: false, updated_at: now }).where('id', '=', row.id).execute();
          existing.set(code, { ...row, active: false });
          results.push({ index, key: code, outcome: 'deactivated' });
        }
      }
      return results;
    },

    async activeCodes(db: Executor = kysely): Promise<string[]> {
      const rows = await db.selectFrom('workforce_work_locations').select('code').where('active', '=', true).orderBy('code').execute();
      return rows.map((r) => r.code);
    },
  };
}

export type WorkLocationsService = ReturnType<typeof createWorkLocationsService>;
