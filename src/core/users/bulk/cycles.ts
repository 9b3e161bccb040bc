import { sql, type Kysely } from 'kysely';
import type { Database } from '../../../db/index.ts';

const FULL_LOAD_THRESHOLD = 50_000;
const MAX_DEPTH = 10_000;

/**
 * After the file's manager links are written (inside the transaction), finds the users whose new
 * link closed a loop. Only changed links can close one (the hierarchy was acyclic before), so it
 * walks upward from them. Returns, per changed user on a loop, the loop's logins.
 */
export async function findManagerCycles(trx: Kysely<Database>, changedIds: readonly number[]): Promise<Map<number, number[]>> {
  if (changedIds.length === 0) return new Map();
  const parents = changedIds.length > FULL_LOAD_THRESHOLD ? await loadAllParents(trx) : await loadAncestors(trx, changedIds);
  const changed = new Set(changedIds);
  const cycles = new Map<number, number[]>();
  const done = new Set<number>();
  for (const start of changedIds) {
    if (done.has(start)) continue;
    const path: number[] = [];
    const onPath = new Map<number, number>();
    let node: number | undefined = start;
    while (node !== undefined && !done.has(node) && path.length < MAX_DEPTH) {
      const seenAt = onPath.get(node);
      if (seenAt !== undefined) {
        const loop = path.slice(seenAt);
        for (const member of loop) if (changed.has(member)) cycles.set(member, loop);
        break;
      }
      onPath.set(node, path.length);
      path.push(node);
      node = parents.get(node);
    }
    for (const visited of path) done.add(visited);
  }
  return cycles;
}

async function loadAllParents(trx: Kysely<Database>): Promise<Map<number, number>> {
  const parents = new Map<number, number>();
  let after = 0;
  for (;;) {
    const { rows } = await sql<{ id: number; manager_id: number | null }>`
      select id, manager_id from core_users where id > ${after} order by id limit 100000`.execute(trx);
    if (rows.length === 0) return parents;
    for (const row of rows) if (row.manager_id !== null) parents.set(row.id, row.manager_id);
    after = rows[rows.length - 1]!.id;
  }
}

/** The changed users' ancestors only, level by level: cheap when a file changes a few links. */
async function loadAncestors(trx: Kysely<Database>, start: readonly number[]): Promise<Map<number, number>> {
  const parents = new Map<number, number>();
  const known = new Set<number>();
  let frontier = [...new Set(start)];
  for (let depth = 0; frontier.length > 0 && depth < MAX_DEPTH; depth++) {
    const next: number[] = [];
    for (let i = 0; i < frontier.length; i += 1000) {
      const chunk = frontier.slice(i, i + 1000);
      const { rows } = await sql<{ id: number; manager_id: number | null }>`
        select id, manager_id from core_users where id in (${sql.join(chunk)})`.execute(trx);
      for (const row of rows) {
        known.add(row.id);
        if (row.manager_id === null) continue;
        parents.set(row.id, row.manager_id);
        if (!known.has(row.manager_id)) next.push(row.manager_id);
      }
    }
    frontier = [...new Set(next)].filter((id) => !known.has(id));
  }
  return parents;
}

export async function loginsOf(trx: Kysely<Database>, ids: readonly number[]): Promise<Map<number, string>> {
  const logins = new Map<number, string>();
  for (let i = 0; i < ids.length; i += 1000) {
    const chunk = ids.slice(i, i + 1000);
    const { rows } = await sql<{ id: number; login: string }>`select id, login from core_users where id in (${sql.join(chunk)})`.execute(trx);
    for (const row of rows) logins.set(row.id, row.login);
  }
  return logins;
}
