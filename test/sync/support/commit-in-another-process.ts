/**
 * A Core commit made by another process (as another node's http role would): opens the database given as
 * argv[2], creates the licensed user argv[3] through the Core service with its outbox row, and exits.
 * Nothing in this process applies or wakes anything.
 */
import { createCoreService } from '../../../src/core/index.ts';
import { openDatabase } from '../../../src/db/index.ts';
import { createOutbox } from '../../../src/sync/index.ts';

const [url, login] = process.argv.slice(2);
if (!url || !login) throw new Error('usage: commit-in-another-process.ts <postgres url> <login>');
const db = openDatabase({ kind: 'postgres', url });
try {
  const core = createCoreService({ db, clock: () => new Date(), outbox: createOutbox(db.adapter.name) });
  const user = await core.users.create({ login, email: `${login}@example.com`, firstname: 'Other', lastname: 'Process', ccwUser: true }, 'other-process');
  process.stdout.write(`${user.id}\n`);
} finally {
  await db.close();
}
