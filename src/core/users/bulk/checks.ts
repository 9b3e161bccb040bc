import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database, Db } from '../../../db/index.ts';
import { flagRowsWithProblems, stageUserColumns } from './stage.ts';

type Problem = [line: number, field: string, message: string];

const keyColumns = [
  { column: 'employee_number', field: 'employee-number', label: 'Employee number' },
  { column: 'login', field: 'login', label: 'Login' },
  { column: 'email', field: 'email', label: 'Email' },
  { column: 'mention_name', field: 'mention-name', label: 'Mention name' },
] as const;

async function record(db: Db, trx: Kysely<Database>, problems: Problem[]): Promise<number> {
  if (problems.length === 0) return 0;
  await db.bulkInsert(trx, 'stage_problems', [
    { name: 'line', pgType: 'integer' },
    { name: 'field', pgType: 'text' },
    { name: 'message', pgType: 'text' },
  ], problems);
  await flagRowsWithProblems(trx);
  return problems.length;
}

export type KeyColumn = (typeof keyColumns)[number]['column'];

/**
 * A key that appears on several rows of one file makes every one of those rows an error. Only the key
 * columns that may hold a repeat are grouped (RepeatDetector while staging, the unique login index on
 * PostgreSQL): a million rows took 0.6 s per column, and the usual file repeats nothing.
 */
export async function checkDuplicateKeys(db: Db, trx: Kysely<Database>, mayRepeat: ReadonlySet<KeyColumn>): Promise<void> {
  const problems: Problem[] = [];
  for (const { column, field, label } of keyColumns) {
    if (!mayRepeat.has(column)) continue;
    const col = sql.ref(column);
    const { rows } = await sql<{ value: string; line: number }>`
      select ${col} as value, line from stage_users
      where ${col} in (select ${col} from stage_users where ${col} is not null group by ${col} having count(*) > 1)
      order by ${col}, line`.execute(trx);
    const linesByValue = new Map<string, number[]>();
    for (const row of rows) linesByValue.set(row.value, [...(linesByValue.get(row.value) ?? []), row.line]);
    for (const [value, lines] of linesByValue) {
      const shown = lines.length > 10 ? `${lines.slice(0, 10).join(', ')} and ${lines.length - 10} more` : lines.join(', ');
      for (const line of lines) problems.push([line, field, `${label} "${value}" appears on lines ${shown}: a record may appear only once per file`]);
    }
  }
  await record(db, trx, problems);
}

/**
 * Two good rows that found one user, one by Employee Number and the other by Login (each key alone is
 * unique in the file by now): both are errors, since either could be the user's record. PostgreSQL
 * knows there are none when the stage's target index could be built unique (indexStageTables).
 */
export async function checkOneRowPerUser(db: Db, trx: Kysely<Database>, known: { targetsUnique: boolean }): Promise<void> {
  if (known.targetsUnique) return;
  const { rows } = await sql<{ line: number; target_id: number; matched_by: string; owner: string }>`
    select s.line, s.target_id, s.matched_by, u.login as owner from stage_users s join core_users u on u.id = s.target_id
    where s.has_error = ${false} and s.target_id in (
      select target_id from stage_users where has_error = ${false} and matched_by is not null group by target_id having count(*) > 1)
    order by s.target_id, s.line`.execute(trx);
  const linesByUser = new Map<number, number[]>();
  for (const r of rows) linesByUser.set(r.target_id, [...(linesByUser.get(r.target_id) ?? []), r.line]);
  await record(
    db,
    trx,
    rows.map((r) => {
      const lines = linesByUser.get(r.target_id)!;
      const named = lines.length === 2 ? `Lines ${lines[0]} and ${lines[1]} both` : `Lines ${lines.slice(0, -1).join(', ')} and ${lines.at(-1)} all`;
      const field = r.matched_by === 'employee_number' ? 'employee-number' : 'login';
      return [r.line, field, `${named} name user ${r.owner} (by Employee Number or Login): a user may appear only once per file`];
    }),
  );
}

/**
 * Finds each row's user: by Employee Number first, then by Login. A row may change a user's Login
 * when matched by Employee Number, never the reverse. Every row is matched, even one with errors,
 * so a Full file never deactivates a user whose row merely had a mistake. SQLite: an update of the
 * rows that match; PostgreSQL matches while staging (matchStagedBatch) instead.
 */
export async function matchExistingUsers(db: Db, trx: Kysely<Database>): Promise<void> {
  // One pass that touches only the rows that match (a file of new users updates none).
  await sql`update stage_users set target_id = m.id, matched_by = m.how from (
      select s.line, coalesce(e.id, l.id) as id, case when e.id is not null then 'employee_number' else 'login' end as how
      from stage_users s
      left join core_users e on e.employee_number = s.employee_number
      left join core_users l on l.login = s.login
      where e.id is not null or l.id is not null) m
    where stage_users.line = m.line`.execute(trx);
  await checkEmployeeNumbersKept(db, trx);
}

/** PostgreSQL: core_users' id sequence by its oid, a constant for matchStagedBatch. */
export async function userIdSequence(trx: Kysely<Database>): Promise<RawBuilder<unknown>> {
  // pg_get_serial_sequence() in the statement was looked up again for every new row (1.8 s of a million).
  const { rows } = await sql<{ oid: number | string }>`select pg_get_serial_sequence('core_users', 'id')::regclass::oid as oid`.execute(trx);
  return sql.raw(`${Number(rows[0]!.oid)}::regclass`);
}

/**
 * PostgreSQL: one copied batch (stage_batch) moved into stage_users with each row's match, and for a
 * row without a user the id its user will have ('created'), drawn from the sequence in line order
 * (nextval runs after the sort), so a new user's manager created later in the file is known before the
 * insert; a row found bad later keeps its drawn id unused (a gap, as after any rolled-back insert).
 * The same lookups tell whether another user holds the row's Login (login_taken) or its Email
 * (email_owner) for checkTakenValues.
 *
 * Each batch is matched by index lookups while the caller reads the next one, so the matching runs on
 * the second core beside the file's JavaScript (one pass of hash joins over the whole stage afterwards
 * took 3.7-4.3 s of a million rows against a million users, with nothing else running). A row found by
 * Employee Number with its Login and Email unchanged, the usual row of a nightly file, needs one lookup:
 * no other user can hold a Login or Email its own user holds (unique), so those two lookups run only
 * when the row is new or changes them (three lookups a row took 10 us, longer than the row's JavaScript).
 * core_users does not change while the file stages (nothing is written before the plan).
 */
export async function matchStagedBatch(trx: Kysely<Database>, sequence: RawBuilder<unknown>): Promise<void> {
  const names = stageUserColumns.map((c) => c.name);
  const staged = (table: string) => sql.join(names.map((name) => sql.ref(`${table}.${name}`)));
  // One round trip (no parameters, so several statements may go at once): the caller's JavaScript
  // holds the event loop while it reads the next batch, and each reply waited for it. Hash joins would
  // read all of core_users for each batch of a few thousand rows.
  await sql`set local enable_hashjoin = off; set local enable_mergejoin = off;
    insert into stage_users (${sql.join(names.map((name) => sql.id(name)))},
      target_id, matched_by, outcome, login_taken, email_owner)
    select ${staged('m')},
      coalesce(m.e_id, m.l_id, nextval(${sequence}))::integer,
      case when m.e_id is not null then 'employee_number' when m.l_id is not null then 'login' end,
      case when m.e_id is null and m.l_id is null then 'created' end,
      coalesce(m.l_id <> m.e_id, false),
      case when coalesce(m.e_id, m.l_id) is null
          or coalesce(m.e_email, (select u.email from core_users u where u.id = m.l_id)) is distinct from m.email
        then (select u.login from core_users u where u.email = m.email and u.id is distinct from coalesce(m.e_id, m.l_id)) end
    from (
      select ${staged('s')}, e.id as e_id, e.email as e_email,
        case when e.id is null or e.login is distinct from s.login then (select u.id from core_users u where u.login = s.login) end as l_id
      from stage_batch s left join core_users e on e.employee_number = s.employee_number
      offset 0
    ) m
    order by m.line;
    set local enable_hashjoin to default; set local enable_mergejoin to default;
    truncate stage_batch`.execute(trx);
}

/** PostgreSQL, every row staged and matched: the stage keyed by line, the batch table gone. */
export async function keyMatchedStage(trx: Kysely<Database>): Promise<void> {
  await sql`drop table stage_batch`.execute(trx);
  await sql`alter table stage_users add primary key (line)`.execute(trx);
}

/** A row matched by Login may not change its user's Employee Number. */
export async function checkEmployeeNumbersKept(db: Db, trx: Kysely<Database>): Promise<void> {
  const { rows } = await sql<{ line: number; login: string; theirs: string; ours: string }>`
    select s.line, s.login, u.employee_number as theirs, s.employee_number as ours
    from stage_users s join core_users u on u.id = s.target_id
    where s.matched_by = 'login' and s.employee_number is not null and u.employee_number is not null
      and u.employee_number <> s.employee_number`.execute(trx);
  await record(
    db,
    trx,
    rows.map((r) => [
      r.line,
      'employee-number',
      `Login "${r.login}" belongs to employee number "${r.theirs}"; a row cannot change an Employee Number (a row matched by Employee Number may change the Login)`,
    ]),
  );
}

/** Values that must be unique and already belong to another user. */
export async function checkTakenValues(db: Db, trx: Kysely<Database>): Promise<void> {
  const problems: Problem[] = [];
  for (const { column, field, label } of keyColumns) {
    // PostgreSQL matched every row by Employee Number first (matchStagedBatch): a user holding the
    // row's number is the row's own, so that join finds nothing (1.1 s at a million rows).
    if (column === 'employee_number' && db.adapter.name === 'postgres') continue;
    const { rows } = await takenValues(db, column).execute(trx);
    for (const r of rows) problems.push([r.line, field, `${label} "${r.value}" has already been taken by user ${r.owner}`]);
  }
  await record(db, trx, problems);
}

/** Good rows whose value of `column` another user holds now, and that user's login. */
function takenValues(db: Db, column: KeyColumn) {
  type Taken = { line: number; value: string; owner: string };
  if (db.adapter.name === 'postgres') {
    // Found while matching (matchStagedBatch): a scan of the stage instead of another join of it with
    // every user (0.8 s at a million rows).
    if (column === 'login') return sql<Taken>`select line, login as value, login as owner from stage_users where has_error = ${false} and login_taken`;
    if (column === 'email') return sql<Taken>`select line, email as value, email_owner as owner from stage_users where has_error = ${false} and email_owner is not null`;
  }
  const col = sql.ref(`s.${column}`);
  return sql<Taken>`select s.line, ${col} as value, u.login as owner from stage_users s
    join core_users u on ${sql.ref(`u.${column}`)} = ${col}
    where s.has_error = ${false} and (s.target_id is null or u.id <> s.target_id)`;
}

/**
 * An Approver Login must name a user who exists after this file: already in Core (and not renamed by
 * this file) or created by a good row of this file. A row whose manager's own row fails fails too,
 * so this repeats until nothing changes.
 */
export async function checkManagers(db: Db, trx: Kysely<Database>): Promise<void> {
  const self = await sql<{ line: number; login: string }>`
    select line, login from stage_users where has_error = ${false} and manager_login is not null and manager_login = login`.execute(trx);
  await record(db, trx, self.rows.map((r) => [r.line, 'manager', `A user cannot be their own manager (${r.login})`]));
  for (let round = 0; round < 50; round++) {
    const { rows } = await sql<{ line: number; manager: string }>`
      select s.line, s.manager_login as manager from stage_users s
      where s.has_error = ${false} and s.manager_login is not null
        and not exists (select 1 from stage_users t where t.login = s.manager_login and t.has_error = ${false})
        and not exists (
          select 1 from core_users u where u.login = s.manager_login
            and not exists (select 1 from stage_users r where r.target_id = u.id and r.has_error = ${false} and r.login <> u.login))`.execute(trx);
    const added = await record(
      db,
      trx,
      rows.map((r) => [r.line, 'manager', `Manager "${r.manager}" is not a user (not in Core and not created by a good row of this file)`]),
    );
    if (added === 0) return;
  }
}
