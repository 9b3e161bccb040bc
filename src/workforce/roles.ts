import type { Executor } from './types.ts';
import { chunks } from './users.repo.ts';

/** The role every new user gets when none of its Core roles is a Workforce role. */
export const FALLBACK_ROLE = 'Engaging Manager';

/** The configured role list, with the fallback role always present, duplicates removed. */
export function normalizeRoleNames(names: readonly string[]): string[] {
  return [...new Set([FALLBACK_ROLE, ...names.map((n) => n.trim()).filter(Boolean)])];
}

/** Creates the configured roles that do not exist yet; existing roles are kept. */
export async function ensureRoles(db: Executor, names: readonly string[]): Promise<void> {
  const existing = new Set((await db.selectFrom('workforce_roles').select('name').execute()).map((r) => r.name));
  const missing = names.filter((n) => !existing.has(n));
  if (missing.length > 0) await db.insertInto('workforce_roles').values(missing.map((name) => ({ name }))).execute();
}

export async function roleIdsByName(db: Executor): Promise<Map<string, number>> {
  const rows = await db.selectFrom('workforce_roles').select(['id', 'name']).execute();
  return new Map(rows.map((r) => [r.name, r.id]));
}

/** Roles of a new user: its Core role names that are Workforce roles, else the fallback role. */
export function initialRoles(sourceRoleNames: readonly string[], configured: readonly string[]): string[] {
  const matching = sourceRoleNames.filter((name) => configured.includes(name));
  return matching.length > 0 ? [...new Set(matching)] : [FALLBACK_ROLE];
}

export async function addUserRoles(db: Executor, pairs: Array<{ user_id: number; role_id: number }>): Promise<void> {
  for (const part of chunks(pairs, 2000)) await db.insertInto('workforce_user_roles').values(part).execute();
}

export async function replaceUserRoles(db: Executor, userId: number, roleIds: number[]): Promise<void> {
  await db.deleteFrom('workforce_user_roles').where('user_id', '=', userId).execute();
  if (roleIds.length > 0) await addUserRoles(db, roleIds.map((role_id) => ({ user_id: userId, role_id })));
}
