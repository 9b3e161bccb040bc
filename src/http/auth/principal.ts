import type { Logger } from 'pino';
import { ValidationError } from '../../shared/errors.ts';
import type { AuthRepo } from './auth.repo.ts';
import { isScope, type Scope } from './scopes.ts';
import type { TtlCache } from './ttl-cache.ts';

/** Who is calling: a legacy API key, an OAuth client holding a token, or a signed-in person's browser session. */
export interface Principal {
  kind: 'api-key' | 'oauth-client' | 'session';
  /** API key: its row id; OAuth client: its client_id; session: its row id. */
  id: string;
  name: string;
  scopes: ReadonlySet<Scope>;
  rateLimited: boolean;
}

export interface CachedPrincipal {
  principal: Principal;
  /** API keys only: the row id and when last_used_at was last written (epoch ms). */
  apiKeyId?: number;
  lastUsedMs?: number;
}

/** What the API key and OAuth parts of the service share. */
export interface AuthContext {
  repo: AuthRepo;
  clock: () => Date;
  log: Logger;
  cache: TtlCache<CachedPrincipal>;
  cacheTtlMs: number;
  /** From the database adapter: was a caught error a unique-constraint violation? */
  isUniqueViolation(error: unknown): boolean;
}

export function makePrincipal(fields: Principal): Principal {
  return Object.freeze({ ...fields, scopes: new Set(fields.scopes) });
}

export function checkName(resource: string, name: string): string {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > 100) {
    throw new ValidationError(resource, [{ field: 'name', message: 'Name must be 1 to 100 characters' }]);
  }
  return trimmed;
}

export function checkScopes(resource: string, list: readonly string[]): Scope[] {
  const unknown = list.filter((scope) => !isScope(scope));
  if (unknown.length > 0) {
    throw new ValidationError(resource, [{ field: 'scopes', message: `Unknown scope ${unknown.join(', ')}` }]);
  }
  if (list.length === 0) throw new ValidationError(resource, [{ field: 'scopes', message: 'Scopes must name at least one scope' }]);
  return [...new Set(list as readonly Scope[])];
}
