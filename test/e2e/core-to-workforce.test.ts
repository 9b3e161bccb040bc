import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PASSWORD, startSftpHarness, type SftpHarness } from '../sftp/support.ts';
import { dialects } from '../support/databases.ts';
import { sftpPut, waitFor } from './processes.ts';

const usersHeader = 'Login,Status,Email,First Name,Last Name,Employee Number,Approver Login,User Role Names,Contingent Workforce User,Approval Limit';

for (const dialect of dialects()) {
  describe(`Core to Workforce through SFTP files on ${dialect.name}`, { skip: dialect.skip }, () => {
    let h: SftpHarness;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'workgate-c2w-'));
    let sequence = 0;
    before(async () => {
      h = await startSftpHarness({ dialect, env: { WORKGATE_ROLES: 'sftp,http,worker', WORKGATE_SYNC_POLL_MS: '50' } });
      await h.createAccount({ username: 'acme' });
    });
    after(async () => {
      await h?.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    /** Puts a file through SFTP and waits for its run to end. */
    async function upload(folder: string, name: string, content: string): Promise<{ status: string; 'result-text': string }> {
      const local = path.join(dir, `${++sequence}-${name}`);
      fs.writeFileSync(local, content);
      await sftpPut(h.port, 'acme', PASSWORD, local, `/Incoming/${folder}/${name}`);
      return waitFor(async () => {
        const runs = (await h.api('GET', `/api/data_file_sources?file_name=${encodeURIComponent(name)}`)).body as Array<{ status: string; 'result-text': string }>;
        const run = runs[0];
        return run && !['pending', 'loading'].includes(run.status) ? run : undefined;
      }, `run of ${name}`);
    }

    const ccwUser = async (login: string) => {
      const res = await h.api('GET', `/api/ccw/users/${login}`);
      return res.status === 200 ? res.body : undefined;
    };

    it('a Users file creates Core users and, for licensed ones, Workforce users with fields, first roles and supervisors', async () => {
      const run = await upload(
        'Users',
        'users_1.csv',
        [
          usersHeader,
          'ceo,active,ceo@example.com,Cee,Eo,E1,,Admin,Yes,100000.00 USD',
          'vp,active,vp@example.com,Vee,Pee,E2,ceo,Buyer,Yes,5000.00 USD',
          'mgr,active,mgr@example.com,Man,Ager,E3,vp,User,Yes,500.00 USD',
          'clerk,active,clerk@example.com,Cle,Rk,E4,mgr,User,Yes,',
          'outsider,active,out@example.com,Out,Sider,E5,ceo,User,No,',
        ].join('\n'),
      );
      assert.equal(run.status, 'done', run['result-text']);
      const clerk = await waitFor(() => ccwUser('clerk'), 'clerk synced');
      assert.equal(clerk['first-name'], 'Cle');
      assert.equal(clerk['employee-number'], 'E4');
      assert.equal(clerk.status, 'active');
      assert.equal(clerk.supervisor['user-name'], 'mgr');
      assert.deepEqual(clerk.roles.map((r: { name: string }) => r.name), ['Engaging Manager'], 'no matching role: Engaging Manager');
      const ceo = await waitFor(() => ccwUser('ceo'), 'ceo synced');
      assert.deepEqual(ceo.roles.map((r: { name: string }) => r.name), ['Admin'], 'a Core role that is also a Workforce role is given');
      assert.equal(await ccwUser('outsider'), undefined, 'no licence, no Workforce user');
    });

    it('the approval chain for an amount stops at the first supervisor whose limit covers it', async () => {
      const chain = async (amount: string) =>
        ((await h.api('GET', `/api/ccw/users/clerk/approval-chain?amount=${amount}&currency=USD`)).body as Array<{ 'user-name': string }>).map((u) => u['user-name']);
      assert.deepEqual(await chain('400'), ['mgr']);
      assert.deepEqual(await chain('2000'), ['mgr', 'vp']);
      assert.deepEqual(await chain('50000'), ['mgr', 'vp', 'ceo']);
    });

    it('a later Core role change leaves the Workforce role; a licence removed deactivates the Workforce user', async () => {
      const run = await upload('Users', 'users_2.csv', [usersHeader, 'clerk,active,clerk@example.com,Cle,Rk,E4,mgr,Admin,Yes,', 'mgr,active,mgr@example.com,Man,Ager,E3,vp,User,No,500.00 USD'].join('\n'));
      assert.equal(run.status, 'done', run['result-text']);
      const mgr = await waitFor(async () => {
        const user = await ccwUser('mgr');
        return user?.status === 'inactive' ? user : undefined;
      }, 'mgr deactivated in Workforce');
      assert.equal(mgr.status, 'inactive');
      const clerk = await ccwUser('clerk');
      assert.deepEqual(clerk.roles.map((r: { name: string }) => r.name), ['Engaging Manager'], 'Workforce roles are managed in Workforce');
    });

    it('a designated 3-segment chart owns slots 1..3; Master Data loads for slot 4 and is refused for slot 2; relationships filter values', async () => {
      const chart = await h.api('POST', '/api/account_types', {
        name: 'US COA',
        currency: { code: 'USD' },
        segments: [{ 'field-type-name': 'Company' }, { 'field-type-name': 'Department' }, { 'field-type-name': 'Account' }],
      });
      assert.equal(chart.status, 201, JSON.stringify(chart.body));
      const settings = await h.api('PUT', '/api/ccw/settings', { 'chart-of-accounts': { name: 'US COA' }, 'segment-names': { '4': 'Site Location', '5': 'Building' } });
      assert.equal(settings.status, 200, JSON.stringify(settings.body));
      const slots = (await h.api('GET', '/api/ccw/segments')).body as Array<{ slot: number; owner: string }>;
      assert.deepEqual(slots.filter((s) => s.owner === 'chart-of-accounts').map((s) => s.slot), [1, 2, 3]);

      const sites = await upload('CCW', 'MasterData_4_sites.csv', 'Name|Code|Description|Status\nBerlin|BER|Berlin office|1\nParis|PAR|Paris office|1\n');
      assert.equal(sites.status, 'done', sites['result-text']);
      const buildings = await upload('CCW', 'MasterData_5_buildings.csv', 'Name,Code,Status\nB1,B1,1\nB2,B2,1\nP1,P1,1\n');
      assert.equal(buildings.status, 'done', buildings['result-text']);
      const refused = await upload('CCW', 'MasterData_2_departments.csv', 'Name,Code,Status\nSales,S,1\n');
      assert.equal(refused.status, 'failed');
      assert.match(refused['result-text'], /slot 2 belongs to chart of accounts "US COA"/);

      const pairs = await upload('CCW', 'MasterDataRelationship_4_5_sites.csv', 'Status,Parent Segment Name,Child Segment Name\n1,Berlin,B1\n1,Berlin,B2\n1,Paris,P1\n');
      assert.equal(pairs.status, 'done', pairs['result-text']);
      const berlin = (await h.api('GET', '/api/ccw/segments/5/values?parent_value=Berlin')).body as Array<{ name: string }>;
      assert.deepEqual(berlin.map((v) => v.name).sort(), ['B1', 'B2']);
    });
  });
}
