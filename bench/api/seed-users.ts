import { sql } from 'kysely';
import type { Db } from '../../src/db/index.ts';
import { bulkInsert } from '../lib/bulk-insert.ts';
import { createRandom, pick, randomInt } from '../lib/random.ts';
import { buildHierarchy, type Hierarchy } from './hierarchy.ts';
import { randomFirstName, randomLastName } from './names.ts';

const activeShare = 0.9;
const workforceShare = 0.25;
const ssoShare = 0.8;
const secondRoleShare = 0.35;
const since = Date.parse('2019-01-01T00:00:00Z');
const until = Date.parse('2025-06-30T00:00:00Z');
const regions = [
  { currency: 'USD', locale: 'en-US', phone: '+1 415 555' },
  { currency: 'EUR', locale: 'de-DE', phone: '+49 30 5555' },
  { currency: 'GBP', locale: 'en-GB', phone: '+44 20 7946' },
  { currency: 'INR', locale: 'en-IN', phone: '+91 80 5555' },
] as const;

export interface UsersSeed {
  hierarchy: Hierarchy;
  roleRows: number;
}

/** Users 1..n with a supervisor tree, realistic names, 90% active, and 1-2 roles each. */
export async function seedUsers(db: Db, n: number): Promise<UsersSeed> {
  const hierarchy = buildHierarchy(n, createRandom(1));
  const random = createRandom(2);
  await bulkInsert(db, 'core_users', n, (index) => userRow(index + 1, hierarchy, random));
  await setIdentity(db, 'core_users');
  const roleRows = await seedUserRoles(db, n, hierarchy);
  return { hierarchy, roleRows };
}

function isoBetween(random: () => number, from: number, to: number): string {
  return new Date(from + Math.floor(random() * (to - from))).toISOString();
}

function userRow(id: number, hierarchy: Hierarchy, random: () => number): Record<string, unknown> {
  const firstname = randomFirstName(random);
  const lastname = randomLastName(random);
  const login = `${firstname[0]}${lastname}${id}`.toLowerCase();
  const email = `${firstname}.${lastname}.${id}@example.com`.toLowerCase();
  const region = regions[id % 10 < 6 ? 0 : (id % 10) - 6] ?? regions[0];
  const sso = random() < ssoShare;
  const manages = (hierarchy.reportsOf[id] ?? 0) > 0;
  const createdAt = isoBetween(random, since, until);
  return {
    id,
    login,
    email,
    firstname,
    lastname,
    middlename: random() < 0.1 ? pick(random, ['A.', 'J.', 'M.', 'R.']) : null,
    mention_name: login,
    employee_number: `E${String(id).padStart(7, '0')}`,
    active: random() < activeShare,
    phone_work: `${region.phone} ${String(randomInt(random, 0, 9999)).padStart(4, '0')}`,
    phone_mobile: null,
    default_currency: region.currency,
    default_locale: region.locale,
    manager_id: hierarchy.managerOf[id] || null,
    ccw_user: random() < workforceShare,
    sso_identifier: sso ? email : null,
    authentication_method: sso ? 'sso' : 'password',
    approval_limit_amount: manages ? String(randomInt(random, 1, 50) * 1000) + '.00' : null,
    approval_limit_currency: manages ? region.currency : null,
    exported: false,
    created_at: createdAt,
    updated_at: isoBetween(random, Date.parse(createdAt), until),
    created_by: 'bench-seed',
    updated_by: 'bench-seed',
  };
}

/** Everyone has the role User; about a third also one more (managers often approve: Edit as Approver). */
async function seedUserRoles(db: Db, n: number, hierarchy: Hierarchy): Promise<number> {
  const roles = await db.kysely.selectFrom('core_roles').select(['id', 'name']).execute();
  const id = (name: string) => roles.find((r) => r.name === name)?.id;
  const base = id('User');
  const others = ['Buyer', 'Accounts Payable', 'Central Receiving', 'Accounting Supervisor', 'Inventory Manager', 'Admin']
    .map(id)
    .filter((r): r is number => r !== undefined);
  const approver = id('Edit as Approver');
  if (base === undefined || approver === undefined) throw new Error('predefined roles User and Edit as Approver are missing');
  const random = createRandom(3);
  const pairs: number[] = [];
  for (let user = 1; user <= n; user++) {
    pairs.push(user, base);
    const manages = (hierarchy.reportsOf[user] ?? 0) > 0;
    if (manages || random() < secondRoleShare) pairs.push(user, manages ? approver : pick(random, others));
  }
  const rows = pairs.length / 2;
  await bulkInsert(db, 'core_user_roles', rows, (i) => ({ user_id: pairs[i * 2], role_id: pairs[i * 2 + 1] }));
  return rows;
}

/** After inserting explicit ids, PostgreSQL's identity must continue after the largest one. */
export async function setIdentity(db: Db, table: 'core_users' | 'core_accounts' | 'core_account_types'): Promise<void> {
  if (db.adapter.name !== 'postgres') return;
  await sql`select setval(pg_get_serial_sequence(${table}, 'id'), coalesce((select max(id) from ${sql.table(table)}), 1))`.execute(db.kysely);
}
