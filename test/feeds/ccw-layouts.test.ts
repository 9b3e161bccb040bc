import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { workforceLayouts } from '../../src/feeds/layouts/registry.ts';
import { validateFile } from '../../src/feeds/validate.ts';
import { defaultListQuery } from '../../src/query/types.ts';
import { dialects } from '../support/databases.ts';
import { startFeedHarness, type FeedHarness } from '../support/feeds.ts';

/**
 * The /Incoming/CCW layouts (issue 6) through the whole pipeline: the file's name says the layout,
 * comma or pipe, Status 1/0 (Delta) or no Status (Full), with the result lines the customer reads.
 */
const csv = (...rows: string[]) => rows.join('\n') + '\n';
const resultOf = (...rows: string[]) => ['Line,Key,Outcome,Message', ...rows, ''].join('\n');
/** A result cell with quotes in it, as the result file writes it. */
const quoted = (text: string) => `"${text.replaceAll('"', '""')}"`;
const usCoa = {
  sourceId: 1,
  name: 'US COA',
  segments: ['Department', 'Cost Center', 'Project'].map((name, i) => ({ slot: i + 1, name, lookupId: null })),
};

for (const dialect of dialects()) {
  describe(`/Incoming/CCW layouts on ${dialect.name}`, { skip: dialect.skip }, () => {
    let h: FeedHarness;
    before(async () => {
      h = await startFeedHarness(dialect);
      await h.workforce.chartSegments.designate(h.database.db.kysely, usCoa);
    });
    after(async () => h?.close());

    /** Uploads to /Incoming/CCW, then checks the run's status and its result file line by line. */
    async function expect(name: string, content: string, status: string, ...lines: string[]) {
      const run = await h.upload('CCW', name, content);
      assert.equal(h.result('CCW', run.resultFile ?? `${name}.result.csv`), resultOf(...lines));
      assert.equal(run.status, status);
      return run;
    }
    const activeNames = async (slot: number, parent?: { value: string; slot: number }) =>
      (await h.workforce.segments.listValues(slot, defaultListQuery({ conditions: [{ path: [], field: 'active', operator: 'eq', values: [true] }] }), parent)).map((v) => v.name).sort();

    it('a chart with 3 segments designated gives slots 1..3: a Master Data file for slot 4 loads (comma), one for slot 2 is refused naming slot and chart', async () => {
      const slots = await h.workforce.settings.slots();
      assert.deepEqual(slots.map((s) => s.owner), [...Array(3).fill('chart-of-accounts'), ...Array(8).fill('hr')]);
      const run = await expect('MasterData_4_sites.csv', csv('Name,Code,Description,Status', 'Berlin,BER,Head office,1', 'Paris,PAR,,1', 'Lyon,LYS,,1'), 'done', '2,Berlin,created,', '3,Paris,created,', '4,Lyon,created,');
      assert.equal(run.layout, 'ccw.master-data.4');
      assert.equal(run.mode, 'delta');
      assert.deepEqual(await activeNames(4), ['Berlin', 'Lyon', 'Paris']);
      assert.equal((await h.workforce.segments.getValue(4, 'Berlin'))?.description, 'Head office');

      const refused = 'slot 2 belongs to chart of accounts "US COA": its values come from Core, not from Master Data files';
      const chartSlot = await expect('MasterData_2_cost_centers.csv', csv('Name,Status', '4100,1'), 'failed', `,,error,${quoted(refused)}`);
      assert.deepEqual(await h.feeds.runs.errors(chartSlot.id), [{ line: null, column: null, message: refused }]);
      assert.deepEqual(await activeNames(2), [], 'nothing was written to the chart-owned slot');
      await expect('masterdata_12_x.TXT', csv('Name,Status', 'X,1'), 'failed', ',,error,there is no segment slot 12: Master Data files are for slots 1 to 11');
    });

    it('pipe-delimited Master Data and Relationships; a relationship naming an unknown value is a row error naming it; relationships filter the child slot', async () => {
      await expect('MasterData_5_floors.txt', csv('Name|Code|Status', 'B1|1|1', 'B2|2|1', 'P1|1|1', 'L1|1|1'), 'done', '2,B1,created,', '3,B2,created,', '4,P1,created,', '5,L1,created,');
      const run = await expect(
        'MasterDataRelationship_4_5_sites.txt',
        csv('Status|Parent Segment Name|Parent Segment Code|Child Segment Name', '1|Berlin|BER|B1', '1|Berlin||B2', '1|Paris|PAR|P1', '1|Paris||Nowhere', '1|Rome||P1', '1|Lyon|XXX|L1', '1|Lyon||L1'),
        'done_with_errors',
        '2,Berlin -> B1,created,',
        '3,Berlin -> B2,created,',
        '4,Paris -> P1,created,',
        '5,Paris -> Nowhere,error,"Child Segment Name: Child value ""Nowhere"" does not exist in segment 5"',
        '6,Rome -> P1,error,"Parent Segment Name: Parent value ""Rome"" does not exist in segment 4"',
        '7,Lyon -> L1,error,"Relationship ""Lyon -> L1"" appears on lines 7, 8: a record may appear only once per file"',
        '8,Lyon -> L1,error,"Relationship ""Lyon -> L1"" appears on lines 7, 8: a record may appear only once per file"',
      );
      assert.equal(run.layout, 'ccw.master-data-relationship.4-5');
      assert.equal(run.resultText, '7 rows processed, creating 3 new rows, updating 0 rows, deactivating 0 rows, 4 errors');
      assert.deepEqual(await activeNames(5, { value: 'Berlin', slot: 4 }), ['B1', 'B2']);
      assert.deepEqual(await activeNames(5, { value: 'Paris', slot: 4 }), ['P1']);
      await expect('MasterDataRelationship_4_5_lyon.csv', csv('Status,Parent Segment Name,Parent Segment Code,Child Segment Name', '1,Lyon,XXX,L1'), 'done_with_errors', `2,Lyon -> L1,error,${quoted('Parent Segment Code: Parent value "Lyon" has code LYS, not XXX')}`);
      await expect('MasterDataRelationship_1_2_x.csv', csv('Status,Parent Segment Name,Child Segment Name', '1,A,B'), 'failed', ',,error,"slots 1 and 2 belong to chart of accounts ""US COA"": their relationships come from its accounts in Core"');
    });

    it('a Relationships Full file (no Status) is the complete set of pairs of its two slots: the others are deactivated', async () => {
      const run = await expect('MasterDataRelationship_4_5_full.csv', csv('Parent Segment Name,Child Segment Name', 'Berlin,B1', 'Paris,P1'), 'done', '2,Berlin -> B1,unchanged,', '3,Paris -> P1,unchanged,', ',Berlin -> B2,deactivated,');
      assert.equal(run.mode, 'full');
      assert.deepEqual(await activeNames(5, { value: 'Berlin', slot: 4 }), ['B1']);
    });

    it('Status values other than 1 and 0 are row errors with the exact text; a name twice in a file makes both rows errors', async () => {
      await expect(
        'MasterData_4_status.csv',
        csv('Name,Status,Description', 'Berlin,active,x', 'Paris,2,x', 'Lyon,,x', 'Nice,1,a', 'Nice,1,b', 'Lyon2,0,'),
        'done_with_errors',
        '2,Berlin,error,"Status: Status ""active"" must be 1 or 0"',
        '3,Paris,error,"Status: Status ""2"" must be 1 or 0"',
        '4,Lyon,error,"Status: Status """" must be 1 or 0"',
        '5,Nice,error,"Name: Name ""Nice"" appears on lines 5, 6: a record may appear only once per file"',
        '6,Nice,error,"Name: Name ""Nice"" appears on lines 5, 6: a record may appear only once per file"',
        '7,Lyon2,error,"Name: Value ""Lyon2"" does not exist in segment 4"',
      );
      assert.equal((await h.workforce.segments.getValue(4, 'Berlin'))?.description, 'Head office', 'error rows change nothing');
    });

    it('Delta Status 0 deactivates; a Master Data Full file deactivates the values it does not name, never deleting them', async () => {
      await expect('MasterData_4_delta.csv', csv('Name,Status', 'Lyon,0', 'Nice,0'), 'done_with_errors', '2,Lyon,deactivated,', '3,Nice,error,"Name: Value ""Nice"" does not exist in segment 4"');
      const run = await expect('MasterData_4_full.csv', csv('Name,Description', 'Berlin,Head office', 'Madrid,New'), 'done', '2,Berlin,unchanged,', '3,Madrid,created,', ',Paris,deactivated,');
      assert.equal(run.mode, 'full');
      assert.equal(run.resultText, '2 rows processed, creating 1 new rows, updating 0 rows, deactivating 1 rows, 0 errors');
      assert.deepEqual(await activeNames(4), ['Berlin', 'Madrid']);
      assert.equal((await h.workforce.segments.getValue(4, 'Paris'))?.active, false, 'kept, inactive');
      assert.equal((await h.workforce.segments.getValue(4, 'Berlin'))?.code, 'BER', 'a Full file without Code keeps the codes');
      assert.deepEqual(await activeNames(5), ['B1', 'B2', 'L1', 'P1'], 'other slots are untouched');
    });

    it('Work Location: Country must be a real ISO 3166 alpha-3 code; lengths per the reference; Status 0 deactivates', async () => {
      const header = 'Code|Name|Address Line1|Address Line2|City|State|Postal Code|Country|Status';
      const longCity = 'C'.repeat(101);
      await expect(
        'WorkLocation_2024.txt',
        csv(header, 'HQ|Head office|1 Main St||Springfield|IL|62701|USA|1', 'PAR|Paris|5 rue X||Paris|IDF||fra|1', 'ZZ|Nowhere|x||y|z||ZZZ|1', 'UK|London|x||y|z||UK|1', 'LC|Long|x||' + longCity + '|z||DEU|1', 'NA|No address|||Berlin|BE||DEU|1'),
        'done_with_errors',
        '2,HQ,created,',
        '3,PAR,created,',
        '4,ZZ,error,"Country: Country ""ZZZ"" is not an ISO 3166 alpha-3 country code (such as USA, GBR or DEU)"',
        '5,UK,error,"Country: Country ""UK"" is not an ISO 3166 alpha-3 country code (such as USA, GBR or DEU)"',
        '6,LC,error,City: City is too long (101 characters; maximum is 100)',
        "7,NA,error,Address Line1: Address Line1 can't be blank",
      );
      const paris = await h.workforce.workLocations.get('PAR');
      assert.equal(paris.country, 'FRA');
      assert.equal(paris.postalCode, null);
      await expect('WorkLocation_2025.csv', csv('Code,Address Line1,City,State,Country,Status', 'PAR,5 rue X,Paris,IDF,FRA,0'), 'done', '2,PAR,deactivated,');
      assert.equal((await h.workforce.workLocations.get('PAR')).active, false);
    });

    it('the stand-alone User file and the CW External Reference file are refused with their reasons', async () => {
      await expect(
        'User_20240101.csv',
        csv('User ID,Last Name,First Name,Email,Status', 'u1,Doe,Jane,jane@example.com,1'),
        'failed',
        ',,error,this Workgate runs with Core: users come from /Incoming/Users and synchronization; the stand-alone Workforce User file is not accepted',
      );
      await expect(
        'CWExternalReference_1.csv',
        csv('CCW CW Number,CW external reference ID 1', 'CW1,EXT1'),
        'failed',
        ',,error,"contingent workers are not managed by this Workgate yet: there is no contingent worker whose external references a CWExternalReference file could set, so it is not accepted"',
      );
    });

    it('a dry run (feeds validate) takes the layout of the name too: outcomes of a slot-4 file and nothing kept; a chart slot refused', async () => {
      const dryRun = (name: string) => validateFile({ db: h.database.db, layouts: workforceLayouts(h) }, { content: Readable.from([csv('Name,Status', 'Rome,1')]), name, folder: 'CCW' });
      const report = await dryRun('MasterData_4_dry.csv');
      assert.equal(report.layout, 'ccw.master-data.4');
      assert.deepEqual(report.outcomes.map((o) => [o.line, o.key, o.outcome]), [[2, 'Rome', 'created']]);
      assert.equal(await h.workforce.segments.getValue(4, 'Rome'), undefined);
      await assert.rejects(dryRun('MasterData_3_dry.csv'), { name: 'FeedFileError', message: /^slot 3 belongs to chart of accounts "US COA"/ });
    });

    it('a name that says no layout fails the run, naming the expected prefixes', async () => {
      const message =
        'the name "Sites_2024.csv" does not say which layout it is; names in /Incoming/CCW start with one of: MasterData_<slot>_..., ' +
        'MasterDataRelationship_<parent slot>_<child slot>_..., WorkLocation_..., User_..., CWExternalReference_...';
      const run = await expect('Sites_2024.csv', csv('Name,Status', 'x,1'), 'failed', `,,error,${quoted(message)}`);
      assert.deepEqual(await h.feeds.runs.errors(run.id), [{ line: null, column: null, message }]);
    });
  });
}
