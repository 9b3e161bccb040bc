import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import { SEGMENT_SLOTS, type SegmentValueInput, type WorkforceService } from '../../workforce/index.ts';
import { ccwLayout, ccwLayoutFamily, cellText, keyIn, namePattern, type CcwDeclaration } from './ccw-layout.ts';
import type { Layout } from './layout.ts';
import { writeByStatus, type SetTarget } from './set-import.ts';

/** Master Data, one segment (reference/file-formats.md): `MasterData_<slot>_...`, values keyed by Name within the slot. */
const masterData: CcwDeclaration = {
  id: 'ccw.master-data',
  title: 'Master data values',
  fileNames: 'MasterData_<slot>_...',
  pattern: namePattern('MasterData_(\\d+)'),
  columns: [
    { name: 'Name', field: 'name', required: true, max: 255 },
    { name: 'Code', field: 'code', max: 255 },
    { name: 'Description', field: 'description', max: 500 },
  ],
};

/**
 * The values of the ONE slot the name gives: Status 1 rows upsert by Name, Status 0 rows deactivate;
 * a Full file deactivates the slot's values it does not name. A slot the designated chart of
 * accounts owns is refused: its values come from Core.
 */
export function masterDataLayout(workforce: WorkforceService): Layout {
  return ccwLayoutFamily(masterData, ([slot = 0]) =>
    ccwLayout(
      { ...masterData, id: `${masterData.id}.${slot}`, title: `Master data values of segment ${slot}` },
      slotValues(workforce, slot),
      (db) => slotRefusal(workforce, slot, db),
    ),
  );
}

async function slotRefusal(workforce: WorkforceService, slot: number, db?: Kysely<Database>): Promise<string | undefined> {
  if (slot < 1 || slot > SEGMENT_SLOTS) return `there is no segment slot ${slot}: Master Data files are for slots 1 to ${SEGMENT_SLOTS}`;
  const { chart } = await workforce.settings.get(db);
  if (chart && slot <= chart.segments.length) {
    return `slot ${slot} belongs to chart of accounts "${chart.name}": its values come from Core, not from Master Data files`;
  }
  return undefined;
}

function slotValues(workforce: WorkforceService, slot: number): SetTarget<SegmentValueInput, string> {
  const { segments } = workforce;
  return {
    keyOf: (values) => keyIn(values, 'name', 'Name'),
    toInput: (values, given) => {
      const input: SegmentValueInput = { name: cellText(values.name) ?? '', active: values.active !== false };
      if (given.has('code')) input.code = cellText(values.code);
      if (given.has('description')) input.description = cellText(values.description);
      return input;
    },
    write: (inputs, db) =>
      writeByStatus(
        inputs,
        (input) => input.name,
        (rows) => segments.upsertValues(slot, rows, db),
        (names) => segments.deactivateValues(slot, names, db),
      ),
    active: (db) => segments.activeValueNames(slot, db),
    identityOf: (name) => name,
    deactivate: (names, db) => segments.deactivateValues(slot, names, db),
    columnOf: (message) => /^(Name|Code|Description) /.exec(message)?.[1] ?? (message.startsWith('Value ') ? 'Name' : undefined),
  };
}
