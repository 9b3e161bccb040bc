import { sql, type Kysely } from 'kysely';
import type { Database } from '../../../db/index.ts';

/** Above this many changed links the whole hierarchy is loaded (compactly) instead of their ancestors. */
const FULL_LOAD_THRESHOLD = 50_000;
const PAGE = 100_000;
const CHUNK = 1_000;
const NO_PARENT = -1;

type Problem = [line: number, field: string, message: string];

/** The good rows that give their user a new manager link: new users', and the ones the file moves. */
const changedLinks = sql`select line, target_id as id from stage_users
  where has_error = ${false} and manager_login is not null
    and (outcome = 'created' or (outcome in ('updated', 'deactivated') and manager_after is distinct from manager_before))`;

/**
 * Who reports to whom, sorted by user id: two typed arrays instead of an object per user, so a
 * million users take 8 MB, not a few hundred.
 */
interface ParentGraph {
  ids: Int32Array;
  parents: Int32Array;
  size: number;
}

/**
 * After the file's manager links are written (inside the transaction): the good rows whose new link
 * closed a loop, each as a problem naming the loop. Only changed links can close one (the hierarchy
 * was acyclic before): new users' and those whose manager the file changes, so a file that changes
 * other fields of users checks nothing (it read the whole hierarchy of a million users before). A small
 * file walks upward from its rows; a big one walks the whole hierarchy once and then looks up the rows
 * of the users on a loop.
 */
export async function managerLoops(trx: Kysely<Database>): Promise<Problem[]> {
  const { rows: counted } = await sql<{ n: number | string }>`select count(*) as n from (${changedLinks}) c`.execute(trx);
  const count = Number(counted[0]?.n ?? 0);
  if (count === 0) return [];
  let rows: Array<{ line: number; id: number }>;
  let loops: Map<number, number[]>;
  if (count > FULL_LOAD_THRESHOLD) {
    const graph = await loadAllParents(trx);
    loops = findLoops(graph, graph.ids.subarray(0, graph.size));
    rows = await rowsOfUsers(trx, [...loops.keys()]);
  } else {
    rows = (await sql<{ line: number; id: number }>`${changedLinks}`.execute(trx)).rows;
    const ids = rows.map((r) => r.id);
    loops = findLoops(await loadAncestors(trx, ids), ids);
    rows = rows.filter((r) => loops.has(r.id));
  }
  if (rows.length === 0) return [];
  const logins = await loginsOf(trx, [...new Set([...loops.values()].flat())]);
  return rows.map((r) => {
    const loop = loops.get(r.id)!;
    const start = loop.indexOf(r.id);
    const names = [...loop.slice(start), ...loop.slice(0, start), r.id].map((id) => logins.get(id) ?? `#${id}`);
    return [r.line, 'manager', `Manager ${names[1]} would create a cycle: ${names.join(' -> ')}`];
  });
}

/** Walks upward from each start; every user on a loop maps to the loop (in walk order). */
export function findLoops(graph: ParentGraph, starts: Iterable<number>): Map<number, number[]> {
  const state = new Uint8Array(graph.size); // 0 not seen, 1 on the current walk, 2 done
  const loops = new Map<number, number[]>();
  for (const start of starts) {
    let at = positionOf(graph, start);
    const walk: number[] = [];
    while (at >= 0 && state[at] === 0) {
      state[at] = 1;
      walk.push(at);
      const parent = graph.parents[at]!;
      at = parent === NO_PARENT ? -1 : positionOf(graph, parent);
    }
    if (at >= 0 && state[at] === 1) {
      const loop = walk.slice(walk.indexOf(at)).map((p) => graph.ids[p]!);
      for (const member of loop) loops.set(member, loop);
    }
    for (const p of walk) state[p] = 2;
  }
  return loops;
}

function positionOf(graph: ParentGraph, id: number): number {
  let low = 0;
  let high = graph.size - 1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    const value = graph.ids[mid]!;
    if (value === id) return mid;
    if (value < id) low = mid + 1;
    else high = mid - 1;
  }
  return -1;
}

function growableGraph(): ParentGraph & { add(id: number, parent: number | null): void } {
  const graph = {
    ids: new Int32Array(1024),
    parents: new Int32Array(1024),
    size: 0,
    add(id: number, parent: number | null) {
      if (graph.size === graph.ids.length) {
        const ids = new Int32Array(graph.ids.length * 2);
        const parents = new Int32Array(graph.ids.length * 2);
        ids.set(graph.ids);
        parents.set(graph.parents);
        graph.ids = ids;
        graph.parents = parents;
      }
      graph.ids[graph.size] = id;
      graph.parents[graph.size] = parent ?? NO_PARENT;
      graph.size++;
    },
  };
  return graph;
}

async function loadAllParents(trx: Kysely<Database>): Promise<ParentGraph> {
  const graph = growableGraph();
  let after = 0;
  for (;;) {
    const { rows } = await sql<{ id: number; manager_id: number | null }>`
      select id, manager_id from core_users where id > ${after} order by id limit ${PAGE}`.execute(trx);
    if (rows.length === 0) return graph;
    for (const row of rows) graph.add(row.id, row.manager_id);
    after = rows[rows.length - 1]!.id;
  }
}

/** The changed users' ancestors only, level by level: cheap when a file changes a few links. */
async function loadAncestors(trx: Kysely<Database>, start: readonly number[]): Promise<ParentGraph> {
  const parents = new Map<number, number | null>();
  let frontier = [...new Set(start)];
  while (frontier.length > 0) {
    const next: number[] = [];
    for (let i = 0; i < frontier.length; i += CHUNK) {
      const chunk = frontier.slice(i, i + CHUNK);
      const { rows } = await sql<{ id: number; manager_id: number | null }>`
        select id, manager_id from core_users where id in (${sql.join(chunk)})`.execute(trx);
      for (const row of rows) {
        parents.set(row.id, row.manager_id);
        if (row.manager_id !== null && !parents.has(row.manager_id)) next.push(row.manager_id);
      }
    }
    frontier = [...new Set(next)].filter((id) => !parents.has(id));
  }
  const graph = growableGraph();
  for (const id of [...parents.keys()].sort((a, b) => a - b)) graph.add(id, parents.get(id)!);
  return graph;
}

async function rowsOfUsers(trx: Kysely<Database>, ids: readonly number[]): Promise<Array<{ line: number; id: number }>> {
  const rows: Array<{ line: number; id: number }> = [];
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK);
    const found = await sql<{ line: number; id: number }>`select line, id from (${changedLinks}) c where id in (${sql.join(chunk)})`.execute(trx);
    rows.push(...found.rows);
  }
  return rows.sort((a, b) => a.line - b.line);
}

async function loginsOf(trx: Kysely<Database>, ids: readonly number[]): Promise<Map<number, string>> {
  const logins = new Map<number, string>();
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK);
    const { rows } = await sql<{ id: number; login: string }>`select id, login from core_users where id in (${sql.join(chunk)})`.execute(trx);
    for (const row of rows) logins.set(row.id, row.login);
  }
  return logins;
}
