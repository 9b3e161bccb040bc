import { sql } from 'kysely';
import type { OutboxEvent } from '../../src/core/index.ts';
import type { Db } from '../../src/db/index.ts';
import type { SyncOutbox } from '../../src/sync/index.ts';
import { bulkInsert } from '../lib/bulk-insert.ts';

const currencies = ['USD', 'EUR', 'GBP', 'INR'] as const;
/** Every user reports to user floor(id / 8): a tree about 7 levels deep over a million users. */
export const FAN_OUT = 8;
const EVENTS_PER_TRANSACTION = 100_000;

export function managerOf(id: number): number | null {
  return id >= FAN_OUT ? Math.floor(id / FAN_OUT) : null;
}

function userRow(id: number): Record<string, unknown> {
  const now = '2026-01-01T00:00:00.000Z';
  const manages = id < 1_000_000 / FAN_OUT;
  const currency = currencies[id % currencies.length]!;
  return {
    id,
    login: `user${id}`,
    email: `user${id}@example.com`,
    firstname: `First${id % 997}`,
    lastname: `Last${id % 1009}`,
    middlename: null,
    mention_name: `u${id}`,
    employee_number: `E${String(id).padStart(7, '0')}`,
    active: id % 50 !== 0,
    phone_work: id % 3 === 0 ? null : '555-123-4567',
    phone_mobile: id % 3 === 0 ? '555-765-4321' : null,
    default_currency: currency,
    default_locale: 'en-US',
    manager_id: managerOf(id),
    ccw_user: true,
    sso_identifier: null,
    authentication_method: 'password',
    approval_limit_amount: manages ? `${(id % 50) * 1000 + 1000}.00` : null,
    approval_limit_currency: manages ? currency : null,
    exported: false,
    created_at: now,
    updated_at: now,
    created_by: 'bench-seed',
    updated_by: 'bench-seed',
  };
}

/** n licensed Core users 1..n (a manager tree, a role each), as a Core bulk load would leave them. */
export async function seedLicensedUsers(db: Db, n: number): Promise<void> {
  await bulkInsert(db, 'core_users', n, (i) => userRow(i + 1));
  if (db.adapter.name === 'postgres') await sql`select setval(pg_get_serial_sequence('core_users', 'id'), ${n})`.execute(db.kysely);
  const roles = await db.kysely.selectFrom('core_roles').select(['id', 'name']).where('name', 'in', ['User', 'Buyer']).execute();
  const user = roles.find((r) => r.name === 'User')!.id;
  const buyer = roles.find((r) => r.name === 'Buyer')!.id;
  await bulkInsert(db, 'core_user_roles', n, (i) => ({ user_id: i + 1, role_id: i % 3 === 0 ? buyer : user }));
  if (db.adapter.name === 'postgres') await sql`analyze`.execute(db.kysely);
}

/** The outbox rows the bulk Core path records (outbox.recordMany inside its transactions). */
export async function recordUserEvents(db: Db, outbox: SyncOutbox, n: number): Promise<void> {
  for (let start = 1; start <= n; start += EVENTS_PER_TRANSACTION) {
    const events: OutboxEvent[] = [];
    for (let id = start; id < Math.min(n + 1, start + EVENTS_PER_TRANSACTION); id++) events.push({ entity: 'user', entityId: id, kind: 'created' });
    await db.kysely.transaction().execute((trx) => outbox.recordMany(trx, events));
  }
}
