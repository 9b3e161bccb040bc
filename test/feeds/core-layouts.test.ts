import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dialects } from '../support/databases.ts';
import { startFeedHarness, type FeedHarness } from '../support/feeds.ts';

const lines = (...rows: string[]) => [...rows, ''].join('\n');
const segmentColumns = 'Segment 1 Field Type Code,Segment 1 Field Type Name,Segment 2 Field Type Code,Segment 2 Field Type Name';

for (const dialect of dialects()) {
  describe(`Core layouts (charts of accounts, accounts, lookups, lookup values) on ${dialect.name}`, { skip: dialect.skip }, () => {
    let h: FeedHarness;
    before(async () => {
      h = await startFeedHarness(dialect);
    });
    after(async () => h?.close());

    it('AccountTypes Delta: creates a chart, updates one (keeping the lookup behind a segment), leaves an equal one unchanged', async () => {
      const costCenters = await h.core.lookups.create({ name: 'Cost Centers' }, 'test');
      await h.core.accountTypes.create({ name: 'Corp', currency: 'USD', segments: [{ fieldTypeCode: 'CC', fieldTypeName: 'Cost Center', lookup: { id: costCenters.id } }] }, 'test');
      await h.core.accountTypes.create({ name: 'Same', currency: 'USD' }, 'test');
      const run = await h.upload(
        'AccountTypes',
        'charts_001.csv',
        lines(`Name,Status,Active,Currency Code,${segmentColumns}`, 'Corp,active,Yes,USD,CC,Cost Centre,PRJ,Project', 'Plant,active,,eur,LOC,Location,,', 'Same,active,Yes,usd,,,,'),
      );
      assert.equal(run.status, 'done');
      assert.equal(run.mode, 'delta');
      assert.equal(h.result('AccountTypes', 'charts_001.csv.result.csv'), lines('Line,Key,Outcome,Message', '2,Corp,updated,', '3,Plant,created,', '4,Same,unchanged,'));
      const corp = await h.core.accountTypes.find({ name: 'Corp' });
      assert.deepEqual(
        corp?.segments.map((s) => [s.position, s.fieldTypeCode, s.fieldTypeName, s.lookup?.name ?? null]),
        [
          [1, 'CC', 'Cost Centre', 'Cost Centers'],
          [2, 'PRJ', 'Project', null],
        ],
      );
      assert.equal((await h.core.accountTypes.find({ name: 'Plant' }))?.currency, 'EUR');
    });

    it('AccountTypes: Status alone decides; Status and Active that disagree make the row an error that changes nothing', async () => {
      const run = await h.upload('AccountTypes', 'charts_002.csv', lines('Name,Status,Active,Currency Code', 'Plant,inactive,Yes,EUR', 'Same,inactive,,USD'));
      assert.equal(run.status, 'done_with_errors');
      assert.equal(
        h.result('AccountTypes', 'charts_002.csv.result.csv'),
        lines('Line,Key,Outcome,Message', '2,Plant,error,"Status: Status ""inactive"" disagrees with Active ""Yes"""', '3,Same,deactivated,'),
      );
      assert.equal((await h.core.accountTypes.find({ name: 'Plant' }))?.active, true);
      assert.equal((await h.core.accountTypes.find({ name: 'Same' }))?.active, false);
    });

    it('AccountTypes Full (no Status): Active sets active, and active charts the file does not name are deactivated, with an empty Line', async () => {
      await h.core.accountTypes.create({ name: 'Legacy', currency: 'USD' }, 'test');
      const run = await h.upload('AccountTypes', 'charts_003.csv', lines('Name,Active,Currency Code', 'Corp,Yes,USD', 'Plant,No,EUR'));
      assert.equal(run.status, 'done');
      assert.equal(run.mode, 'full');
      assert.equal(run.resultText, '2 rows processed, creating 0 new rows, updating 0 rows, deactivating 2 rows, 0 errors');
      assert.equal(h.result('AccountTypes', 'charts_003.csv.result.csv'), lines('Line,Key,Outcome,Message', '2,Corp,unchanged,', '3,Plant,deactivated,', ',Legacy,deactivated,'));
      assert.equal((await h.core.accountTypes.find({ name: 'Legacy' }))?.active, false);
      assert.equal((await h.core.accountTypes.find({ name: 'Corp' }))?.segments.length, 2, 'a file without segment columns leaves the segments');
    });

    it('Accounts: keyed by chart and code; an update sets Name and Active; a Full file deactivates only in the charts it names', async () => {
      await h.core.accountTypes.create({ name: 'GL', currency: 'USD', segments: [{ fieldTypeName: 'Department' }, { fieldTypeName: 'Project' }] }, 'test');
      await h.core.accountTypes.create({ name: 'Ops', currency: 'USD', segments: [{ fieldTypeName: 'Site' }] }, 'test');
      await h.core.accounts.create({ accountType: { name: 'Ops' }, segments: ['X'] }, 'test');
      const header = 'Name,Active,Chart of Accounts,Segment 1,Segment 2';
      const delta = await h.upload('Accounts', 'accounts_001.csv', lines(`Status,${header}`, 'active,Travel,Yes,GL,100,200', 'active,Meals,Yes,GL,100,300', 'active,Root,Yes,GL,100,'));
      assert.equal(delta.status, 'done');
      assert.equal(
        h.result('Accounts', 'accounts_001.csv.result.csv'),
        lines('Line,Key,Outcome,Message', '2,GL/100-200,created,', '3,GL/100-300,created,', '4,GL/100,created,'),
      );
      const full = await h.upload('Accounts', 'accounts_002.csv', lines(header, 'Travel & Lodging,Yes,GL,100,200', 'Root,Yes,GL,100,'));
      assert.equal(full.status, 'done');
      assert.equal(
        h.result('Accounts', 'accounts_002.csv.result.csv'),
        lines('Line,Key,Outcome,Message', '2,GL/100-200,updated,', '3,GL/100,unchanged,', ',GL/100-300,deactivated,'),
      );
      const ops = await h.core.accounts.find({ accountType: { name: 'Ops' }, code: 'X' });
      assert.equal(ops?.active, true, 'a chart the Full file does not name keeps its accounts');
      assert.equal((await h.core.accounts.find({ accountType: { name: 'GL' }, code: '100-200' }))?.name, 'Travel & Lodging');
    });

    it('Lookups: level names; a level column the header lacks keeps its name; a Full file deactivates the lookups it does not name', async () => {
      const delta = await h.upload('Lookups', 'lookups_001.csv', lines('Name,Status,Description,Level 1 Name,Level 2 Name', 'Department,active,Org units,Division,Team', 'Colors,active,,,'));
      assert.equal(h.result('Lookups', 'lookups_001.csv.result.csv'), lines('Line,Key,Outcome,Message', '2,Department,created,', '3,Colors,created,'));
      assert.equal(delta.status, 'done');
      const full = await h.upload('Lookups', 'lookups_002.csv', lines('Name,Description,Level 1 Name', 'Department,Org units,Division', 'Cost Centers,,'));
      assert.equal(full.status, 'done');
      assert.equal(h.result('Lookups', 'lookups_002.csv.result.csv'), lines('Line,Key,Outcome,Message', '2,Department,unchanged,', '3,Cost Centers,unchanged,', ',Colors,deactivated,'));
      assert.deepEqual((await h.core.lookups.find({ name: 'Department' }))?.levelNames, ['Division', 'Team']);
    });

    it('LookupValues: a hierarchy by parent code, matched by External Ref Code, then Num, then Name; a Full file deactivates only in its lookups', async () => {
      await h.core.lookups.create({ name: 'Regions' }, 'test');
      const first = await h.upload(
        'LookupValues',
        'values_001.csv',
        lines(
          'Status,Lookup,Name,External Ref Num,Parent External Ref Code,Default',
          'active,Department,Engineering,10,,',
          'active,Department,Platform,20,10,Yes',
          'active,Department,Sales,30,,',
          'active,Regions,North,,,',
        ),
      );
      assert.equal(first.status, 'done');
      assert.equal(
        h.result('LookupValues', 'values_001.csv.result.csv'),
        lines('Line,Key,Outcome,Message', '2,Department/10,created,', '3,Department/20,created,', '4,Department/30,created,', '5,Regions/North,created,'),
      );
      const platform = await h.core.lookupValues.find({ lookup: { name: 'Department' }, externalRefCode: '10-20' });
      assert.deepEqual([platform?.parent?.name, platform?.depth, platform?.isDefault], ['Engineering', 2, true]);

      const byCode = await h.upload('LookupValues', 'values_002.csv', lines('Status,Lookup,Name,External Ref Code', 'active,Department,Platform Team,10-20', 'active,Regions,North,'));
      assert.equal(h.result('LookupValues', 'values_002.csv.result.csv'), lines('Line,Key,Outcome,Message', '2,Department/10-20,updated,', '3,Regions/North,unchanged,'));
      assert.equal(byCode.status, 'done');

      const full = await h.upload('LookupValues', 'values_003.csv', lines('Lookup,Name,External Ref Num,Parent External Ref Code', 'Department,Engineering,10,', 'Department,Platform Team,20,10'));
      assert.equal(full.status, 'done');
      assert.equal(
        h.result('LookupValues', 'values_003.csv.result.csv'),
        lines('Line,Key,Outcome,Message', '2,Department/10,unchanged,', '3,Department/20,unchanged,', ',Department/30,deactivated,'),
      );
      assert.equal((await h.core.lookupValues.find({ lookup: { name: 'Regions' }, name: 'North', parent: null }))?.active, true);
    });
  });
}
