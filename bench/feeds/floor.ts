/**
 * The floor of a PostgreSQL case: the least SQL that leaves core_users and core_user_roles as the
 * pipeline leaves them for a generated file that has no bad rows, with Workgate's real schema (16 indexes
 * on core_users, the role links' keys). It skips everything the feed does besides: no validation, no
 * duplicate-key, Login or Email checks, no manager checks, no role-set comparison, no outcomes, no result
 * file, no outbox, no run bookkeeping. Users match by Employee Number only; a changed user is rewritten
 * with every column of the file and its role links replaced.
 *
 * What it answers: how close to its anchor (COPY into a table with two indexes) any implementation of
 * the case could come on this machine. Not part of the goal; printed beside it.
 */
import { execFileSync } from 'node:child_process';
import { sql, type Kysely } from 'kysely';
import { dropPostgresIndexesAndKeys } from '../../src/core/users/bulk/big-insert.ts';
import { migrateToLatest, openDatabase, type Database } from '../../src/db/index.ts';
import { createBenchDatabase } from '../lib/databases.ts';
import { DELTA_HEADER, headerOf } from './generate.ts';

const sequence = `pg_get_serial_sequence('core_users', 'id')::regclass`;

export type FloorCase = 'delta-new' | 'delta-changed' | 'full-missing';

export interface FloorResult {
  seconds: number;
  steps: Array<{ step: string; seconds: number }>;
  users: number;
  activeUsers: number;
  /** Users whose manager is the user the file names (a check that the floor built the same hierarchy). */
  rightManagers: number;
  roleLinks: number;
}

/** Staged columns: the Delta header's, the Full file leaving out status. */
const stageColumns: Record<string, string> = {
  Login: 'login',
  Status: 'status',
  Email: 'email',
  'First Name': 'firstname',
  'Last Name': 'lastname',
  'Employee Number': 'employee_number',
  'Phone Work': 'phone_work',
  'Default Currency': 'default_currency',
  'User Role Names': 'role_names',
  'Approver Login': 'manager_login',
  'Contingent Workforce User': 'cwu',
};

export async function runFloor(key: FloorCase, file: string, seedFile: string): Promise<FloorResult> {
  const database = await createBenchDatabase('postgres', 'floor');
  const url = (database.target as { url: string }).url;
  const db = openDatabase(database.target);
  try {
    await migrateToLatest(db);
    // One connection for the floor's transaction, as the pipeline has.
    return await db.kysely.connection().execute(async (conn) => {
      const floor = new Floor(conn, url);
      if (key === 'delta-new') return floor.measure(() => floor.allNew(file));
      await floor.allNew(seedFile);
      return floor.measure(() => floor.changes(file, key === 'full-missing'));
    });
  } finally {
    await db.close();
    await database.drop();
  }
}

class Floor {
  readonly #conn: Kysely<Database>;
  readonly #url: string;
  #steps: Array<{ step: string; seconds: number }> = [];

  constructor(conn: Kysely<Database>, url: string) {
    this.#conn = conn;
    this.#url = url;
  }

  /** Statements without parameters, so several may go in one text. */
  async #query<T>(text: string): Promise<T[]> {
    return (await sql.raw<T>(text).execute(this.#conn)).rows;
  }

  async measure(work: () => Promise<void>): Promise<FloorResult> {
    this.#steps = [];
    const started = performance.now();
    await work();
    const seconds = (performance.now() - started) / 1000;
    const rows = await this.#query<{ users: number; active: number; managers: number; links: number }>(
      `select (select count(*)::int from core_users) as users, (select count(*)::int from core_users where active) as active,
        (select count(*)::int from core_users u join stage s on s.login = u.login join core_users m on m.id = u.manager_id
          where m.login = s.manager_login) as managers,
        (select count(*)::int from core_user_roles) as links`,
    );
    const r = rows[0]!;
    return { seconds, steps: this.#steps, users: r.users, activeUsers: r.active, rightManagers: r.managers, roleLinks: r.links };
  }

  /** New users into a near-empty core_users: its indexes and keys dropped, then built again (as the pipeline does). */
  async allNew(file: string): Promise<void> {
    await this.#copy(file, 'stage');
    await this.#step('begin', `begin; set local work_mem = '512MB'; set local maintenance_work_mem = '256MB'`);
    // What the pipeline drops for a big insert (loosenForBigInsert), built again after.
    const rebuild = await dropPostgresIndexesAndKeys(this.#conn);
    // Ids in file order: the stage's line (numbered by the copy) after the sequence's current value.
    const rows = await this.#query<{ base: string }>(`select nextval(${sequence}) - 1 as base`);
    const base = Number(rows[0]!.base);
    await this.#step('insert users', `insert into core_users (id, login, email, firstname, lastname, employee_number, phone_work,
        default_currency, active, manager_id, ccw_user, exported, created_at, updated_at, created_by, updated_by)
      select s.line + ${base}, s.login, s.email, s.firstname, s.lastname, s.employee_number, s.phone_work, s.default_currency,
        coalesce(s.status, 'active') = 'active', m.line + ${base}, s.cwu = 'Yes', false, now(), now(), 'floor', 'floor'
      from stage s left join stage m on m.login = s.manager_login;
      select setval(${sequence}, (select max(id) from core_users))`);
    await this.#step('insert role links', `insert into core_user_roles (user_id, role_id)
      select s.line + ${base}, r.id from stage s cross join lateral unnest(string_to_array(s.role_names, ',')) as n(name) join core_roles r on r.name = n.name`);
    await this.#step('indexes and keys', rebuild.join('; '));
    await this.#step('analyze', 'analyze core_users, core_user_roles');
    await this.#step('commit', 'commit');
  }

  /** Users matched by Employee Number; the ones whose columns differ rewritten; Full: the missing deactivated. */
  async changes(file: string, full: boolean): Promise<void> {
    await this.#copy(file, 'stage_next');
    await this.#step('begin', `begin; set local work_mem = '512MB'`);
    await this.#step('match and compare', `create unlogged table changed as
      select u.id, s.* from stage_next s join core_users u on u.employee_number = s.employee_number
      where (u.login, u.email, u.firstname, u.lastname, u.phone_work, u.default_currency, u.ccw_user)
        is distinct from (s.login, s.email, s.firstname, s.lastname, s.phone_work, s.default_currency, s.cwu = 'Yes')`);
    await this.#step('update users', `update core_users u set login = c.login, email = c.email, firstname = c.firstname,
        lastname = c.lastname, phone_work = c.phone_work, default_currency = c.default_currency, ccw_user = c.cwu = 'Yes',
        updated_at = now(), updated_by = 'floor'
      from changed c where u.id = c.id`);
    await this.#step('replace role links', `delete from core_user_roles ur using changed c where ur.user_id = c.id;
      insert into core_user_roles (user_id, role_id)
      select c.id, r.id from changed c cross join lateral unnest(string_to_array(c.role_names, ',')) as n(name) join core_roles r on r.name = n.name`);
    if (full) {
      await this.#step('deactivate missing', `update core_users u set active = false, updated_at = now(), updated_by = 'floor'
        where u.active and not exists (select 1 from stage_next s where s.employee_number = u.employee_number)`);
    }
    await this.#step('commit', 'commit');
  }

  async #copy(file: string, table: string): Promise<void> {
    const columns = headerOf(file).map((name) => stageColumns[name] ?? name);
    const all = DELTA_HEADER.split(',').map((name) => `${stageColumns[name]} text`);
    // line: numbered by the copy in file order.
    await this.#query(`create unlogged table ${table} (line integer generated always as identity, ${all.join(', ')})`);
    const started = performance.now();
    execFileSync('psql', [this.#url, '-v', 'ON_ERROR_STOP=1', '-q', '-c', `\\copy ${table} (${columns.join(', ')}) from '${file}' with (format csv, header true)`], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    this.#steps.push({ step: 'copy into a stage table', seconds: (performance.now() - started) / 1000 });
  }

  async #step(step: string, statement: string): Promise<void> {
    const started = performance.now();
    await this.#query(statement);
    this.#steps.push({ step, seconds: (performance.now() - started) / 1000 });
  }
}
