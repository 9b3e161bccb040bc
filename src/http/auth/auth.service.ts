import type { Logger } from 'pino';
import type { Db } from '../../db/index.ts';
import { createApiKeyFunctions } from './api-keys.ts';
import { createAuthRepo } from './auth.repo.ts';
import { createOAuthFunctions } from './oauth-clients.ts';
import type { CachedPrincipal } from './principal.ts';
import { createTtlCache } from './ttl-cache.ts';

export interface AuthServiceDeps {
  db: Db;
  clock: () => Date;
  log: Logger;
  /** The principal cache: how long a looked-up credential is trusted without the database, and how many are kept. */
  cache?: { ttlMs?: number; maxEntries?: number };
}

/**
 * API keys, OAuth clients and their tokens. Every request authenticates through here, so a credential once
 * found is cached (by the SHA-256 of the credential, never the credential) for a short TTL. This service's own
 * writes clear the cache; writes made by another process are seen once the TTL runs out (30 s by default).
 */
export function createAuthService(deps: AuthServiceDeps) {
  const cacheTtlMs = deps.cache?.ttlMs ?? 30_000;
  const context = {
    repo: createAuthRepo(deps.db),
    clock: deps.clock,
    log: deps.log,
    cache: createTtlCache<CachedPrincipal>(deps.cache?.maxEntries ?? 10_000),
    cacheTtlMs,
    isUniqueViolation: (error: unknown) => deps.db.adapter.isUniqueViolation(error),
  };
  return { ...createApiKeyFunctions(context), ...createOAuthFunctions(context) };
}

export type AuthService = ReturnType<typeof createAuthService>;

/** All the HTTP hooks need of the service: depend on that shape, not the whole service. */
export type Authenticator = Pick<AuthService, 'authenticateApiKey' | 'authenticateBearer'>;
export type TokenIssuer = Pick<AuthService, 'issueToken'>;
