import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dialects } from '../../../test/support/databases.ts';
import { startSyncHarness, type SyncHarness } from '../../../test/support/sync.ts';
import { evaluateIdentity, findCoreUser } from './access.ts';

for (const dialect of dialects()) {
  describe(`identity to Core user on ${dialect.name}`, { skip: dialect.skip }, () => {
    let h: SyncHarness;
    before(async () => {
      h = await startSyncHarness(dialect);
      await h.core.users.create({ login: 'emma', email: 'emma@example.com', firstname: 'Emma', lastname: 'E', ccwUser: true }, 'test');
      await h.core.users.create({ login: 'tw1', email: 'tw1@example.com', firstname: 'T', lastname: 'One', ssoIdentifier: 'shared' }, 'test');
      await h.core.users.create({ login: 'tw2', email: 'tw2@example.com', firstname: 'T', lastname: 'Two', ssoIdentifier: 'shared' }, 'test');
      await h.core.users.create({ login: 'taken', email: 'taken@example.com', firstname: 'T', lastname: 'K', ssoIdentifier: 'someone-else' }, 'test');
      await h.sync.applier.drain();
      await h.core.users.create({ login: 'unsynced', email: 'unsynced@example.com', firstname: 'U', lastname: 'S', ccwUser: true }, 'test');
    });
    after(async () => h?.close());

    const identity = (subject: string, email: string | null, login: string | null) => ({ provider: 'p', subject, email, login });

    it('falls back to email or login only when the provider says so, never onto a user bound to another identity', async () => {
      const deps = { core: h.core, workforce: h.workforce };
      assert.equal((await findCoreUser(deps, identity('new-sub', 'emma@example.com', 'emma'), 'none')).reason, 'unknown_identity');
      assert.equal((await findCoreUser(deps, identity('new-sub', 'Emma@Example.com', null), 'email')).user?.login, 'emma', 'email is matched exactly, then lower-cased');
      assert.equal((await findCoreUser(deps, identity('new-sub', 'emma@example.com', null), 'email')).user?.login, 'emma');
      assert.equal((await findCoreUser(deps, identity('new-sub', null, 'emma'), 'login')).user?.login, 'emma');
      assert.equal((await findCoreUser(deps, identity('new-sub', 'taken@example.com', null), 'email')).reason, 'unknown_identity');
      assert.equal((await findCoreUser(deps, identity('shared', null, null), 'none')).reason, 'ambiguous_identity');
    });

    it('refuses the Workforce pages to a licensed user not yet synced to Workforce', async () => {
      const access = await evaluateIdentity({ core: h.core, workforce: h.workforce }, identity('x', 'unsynced@example.com', null), 'email');
      assert.deepEqual(access.reach, []);
      const workforce = access.missing.find((m) => m.gate === 'workforce');
      assert.equal(workforce?.reason, 'no_role');
      assert.match(workforce?.message ?? '', /not \(yet\) an active Workforce user/);
    });

    it('gives a licensed Workforce user with a role the Workforce reach and workforce.read', async () => {
      const access = await evaluateIdentity({ core: h.core, workforce: h.workforce }, identity('x', 'emma@example.com', null), 'email');
      assert.deepEqual(access.reach, ['workforce']);
      assert.deepEqual(access.scopes, ['workforce.read']);
      assert.deepEqual(access.missing.map((m) => m.reason), ['not_admin']);
      await h.workforce.users.setRoles('emma', ['Engaging Manager', 'Hiring Manager']);
      const withoutWorkforce = await evaluateIdentity({ core: h.core }, identity('x', 'emma@example.com', null), 'email');
      assert.deepEqual(withoutWorkforce.reach, [], 'a node without Workforce gives no Workforce reach');
    });
  });
}
