/**
 * The scopes a program can hold, named `service.object.right` like Core's.
 *
 * What each covers:
 * - `core.user.read` / `core.user.write`: users and roles (`/api/users`, `/api/roles`).
 * - `core.accounting.read` / `core.accounting.write`: account types, accounts, lookups and lookup values
 *   (`/api/account_types`, `/api/accounts`, `/api/lookups`, `/api/lookup_values`).
 * - `core.common.read`: shared read-only reference data that belongs to no other family.
 * - `core.integration.read` / `core.integration.write`: data file sources (`/api/data_file_sources`).
 * - `workforce.read` / `workforce.write`: the Workforce API under `/api/ccw/` (users, approval chains, segments,
 *   work locations, settings, sync status); write covers Workforce roles of users and the settings.
 * - `workgate.admin`: Workgate's own admin API (API keys, OAuth clients, runs, settings).
 *
 * No scope implies another: a route asks for exactly the one it needs.
 */
export const scopes = [
  'core.user.read',
  'core.user.write',
  'core.accounting.read',
  'core.accounting.write',
  'core.common.read',
  'core.integration.read',
  'core.integration.write',
  'workforce.read',
  'workforce.write',
  'workgate.admin',
] as const;

export type Scope = (typeof scopes)[number];

const known: ReadonlySet<string> = new Set(scopes);

export function isScope(value: string): value is Scope {
  return known.has(value);
}

/** Stored form: the scopes in canonical order, separated by single spaces (as OAuth writes them). */
export function formatScopes(list: Iterable<Scope>): string {
  const wanted = new Set(list);
  return scopes.filter((scope) => wanted.has(scope)).join(' ');
}

/** Reads the stored form; a scope no longer known is dropped rather than trusted. */
export function parseStoredScopes(text: string): Set<Scope> {
  return new Set(text.split(' ').filter(isScope));
}
