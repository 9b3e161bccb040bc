import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.ts';
import { SEGMENT_SLOTS, type RelationshipInput, type WorkforceService } from '../../workforce/index.ts';
import { ccwLayout, ccwLayoutFamily, cellText, namePattern, type CcwDeclaration } from './ccw-layout.ts';
import type { Layout } from './layout.ts';
import type { SetTarget } from './set-import.ts';

/** Master Data Relationships (reference/file-formats.md): which child slot values are valid under a parent slot value. */
const relationships: CcwDeclaration = {
  id: 'ccw.master-data-relationship',
  title: 'Master data relationships',
  fileNames: 'MasterDataRelationship_<parent slot>_<child slot>_...',
  pattern: namePattern('MasterDataRelationship_(\\d+)_(\\d+)'),
  columns: [
    { name: 'Parent Segment Name', field: 'parentName', required: true, max: 255 },
    { name: 'Parent Segment Code', field: 'parentCode', max: 255 },
    { name: 'Child Segment Name', field: 'childName', required: true, max: 255 },
    { name: 'Child Segment Code', field: 'childCode', max: 255 },
  ],
};

type Pair = { parentName: string; childName: string };

/**
 * The pairs of the parent and child slots the name gives, by value Name (and Code when given); a row
 * naming a value the slot does not have is an error naming it. A Full file is the complete set of
 * pairs of those two slots: the others are deactivated.
 */
export function relationshipsLayout(workforce: WorkforceService): Layout {
  return ccwLayoutFamily(relationships, ([parent = 0, child = 0]) =>
    ccwLayout(
      { ...relationships, id: `${relationships.id}.${parent}-${child}`, title: `Master data relationships of segments ${parent} and ${child}` },
      pairsOf(workforce, parent, child),
      (db) => pairRefusal(workforce, parent, child, db),
    ),
  );
}

async function pairRefusal(workforce: WorkforceService, parent: number, child: number, db?: Kysely<Database>): Promise<string | undefined> {
  const missing = [parent, child].find((slot) => slot < 1 || slot > SEGMENT_SLOTS);
  if (missing !== undefined) return `there is no segment slot ${missing}: Master Data Relationship files relate slots 1 to ${SEGMENT_SLOTS}`;
  if (parent === child) return `a relationship links two different segment slots, not slot ${parent} with itself`;
  const { chart } = await workforce.settings.get(db);
  if (chart && parent <= chart.segments.length && child <= chart.segments.length) {
    return `slots ${parent} and ${child} belong to chart of accounts "${chart.name}": their relationships come from its accounts in Core`;
  }
  return undefined;
}

const identityOf = (pair: Pair) => JSON.stringify([pair.parentName, pair.childName]);

function pairsOf(workforce: WorkforceService, parent: number, child: number): SetTarget<RelationshipInput, Pair> {
  const service = workforce.relationships;
  return {
    keyOf: (values) => {
      const [parentName, childName] = [cellText(values.parentName), cellText(values.childName)];
      if (parentName === null) return { column: 'Parent Segment Name', message: "Parent Segment Name can't be blank" };
      if (childName === null) return { column: 'Child Segment Name', message: "Child Segment Name can't be blank" };
      return { text: `${parentName} -> ${childName}`, identity: identityOf({ parentName, childName }), label: 'Relationship' };
    },
    toInput: (values, given) => {
      const input: RelationshipInput = { parentName: cellText(values.parentName) ?? '', childName: cellText(values.childName) ?? '', active: values.active !== false };
      if (given.has('parentCode')) input.parentCode = cellText(values.parentCode);
      if (given.has('childCode')) input.childCode = cellText(values.childCode);
      return input;
    },
    write: (inputs, db) => service.upsert(parent, child, inputs, db),
    active: (db) => service.active(parent, child, db),
    identityOf,
    deactivate: (pairs, db) => service.deactivate(parent, child, pairs, db),
    columnOf: (message) => {
      const side = /^(Parent|Child) (value "[^"]*" has code)?/.exec(message);
      return side ? `${side[1]} Segment ${side[2] ? 'Code' : 'Name'}` : undefined;
    },
  };
}
