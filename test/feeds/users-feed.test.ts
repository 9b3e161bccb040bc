import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dialects } from '../support/databases.ts';
import { startFeedHarness, type FeedHarness } from '../support/feeds.ts';

const header = 'Login,Status,Email,First Name,Last Name,Employee Number,Approver Login,User Role Names,Contingent Workforce User';

for (const dialect of dialects()) {
  describe(`Users feed on ${dialect.name}`, { skip: dialect.skip }, () => {
    let h: FeedHarness;
    before(async () => {
      h = await startFeedHarness(dialect);
    });
    after(async () => h?.close());

    it('applies a Delta file: creates users with managers named later in the file, reports each line, archives the original', async () => {
      const run = await h.upload(
        'Users',
        'users_001.csv',
        [
          header,
          'jdoe,active,jdoe@example.com,John,Doe,E1,boss,"Buyer,User",Yes',
          'boss,active,boss@example.com,Big,Boss,E2,,Admin,No',
          'bad,active,not-an-email,Bad,Row,E3,,,No',
        ].join('\r\n'),
      );
      assert.equal(run.status, 'done_with_errors');
      assert.equal(run.mode, 'delta');
      assert.equal(run.resultText, '3 rows processed, creating 2 new rows, updating 0 rows, deactivating 0 rows, 1 errors');
      assert.equal(
        h.result('Users', 'users_001.csv.result.csv'),
        [
          'Line,Key,Outcome,Message',
          '2,E1,created,',
          '3,E2,created,',
          '4,E3,error,"Email: Email ""not-an-email"" is not a valid email address"',
          '',
        ].join('\n'),
      );
      assert.deepEqual(h.archived('Users'), ['users_001.csv']);
      const jdoe = await h.core.users.find({ login: 'jdoe' });
      assert.equal(jdoe?.manager?.login, 'boss');
      assert.deepEqual(jdoe?.roles.map((r) => r.name), ['Buyer', 'User']);
      assert.equal(jdoe?.ccwUser, true);
      const errors = await h.feeds.runs.errors(run.id);
      assert.deepEqual(errors, [{ line: 4, column: 'Email', message: 'Email "not-an-email" is not a valid email address' }]);
    });

    it('skips a file whose content was already applied, as a duplicate', async () => {
      const content = [header, 'solo,active,solo@example.com,So,Lo,E9,,,No'].join('\n');
      const first = await h.upload('Users', 'users_002.csv', content);
      assert.equal(first.status, 'done');
      const second = await h.upload('Users', 'users_002_again.csv', content);
      assert.equal(second.status, 'duplicate');
      assert.match(h.result('Users', 'users_002_again.csv.result.csv'), /skipped: the same content was already applied by data file source \d+ \(users_002.csv\)/);
    });

    it('rejects a file whose header lacks a required column, naming it', async () => {
      const run = await h.upload('Users', 'users_003.csv', 'Login,Status,First Name\nx,active,X\n');
      assert.equal(run.status, 'failed');
      assert.match(h.result('Users', 'users_003.csv.result.csv'), /1,,error,"line 1: the header lacks the required columns ""Email"", ""Last Name"""/);
    });
  });
}
