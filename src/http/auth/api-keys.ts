import { AppError, NotFoundError } from '../../shared/errors.ts';
import { toBool, toDate } from '../../db/index.ts';
import type { ApiKeyRow } from './auth.repo.ts';
import { checkName, checkScopes, makePrincipal, type AuthContext, type CachedPrincipal, type Principal } from './principal.ts';
import { formatScopes, parseStoredScopes, scopes as allScopes, type Scope } from './scopes.ts';
import { apiKeyPrefixLength, randomApiKey, sha256Hex } from './secrets.ts';

/** The row that WORKGATE_ADMIN_API_KEY owns; no other key may take this name. */
export const adminApiKeyName = 'workgate-admin';

/** Generated keys are 40 characters; the admin key may be up to 128 (see config). Anything else is not looked up. */
const apiKeyShape = /^[A-Za-z0-9_-]{40,128}$/;
const lastUsedIntervalMs = 60_000;

export interface ApiKeyInfo {
  id: number;
  name: string;
  prefix: string;
  scopes: Scope[];
  active: boolean;
  rateLimited: boolean;
  createdAt: Date;
  lastUsedAt: Date | null;
}

export function createApiKeyFunctions(ctx: AuthContext) {
  const { repo, clock, log, cache, isUniqueViolation } = ctx;

  async function createApiKey(name: string, scopes: readonly string[], options: { rateLimited?: boolean } = {}) {
    const checkedName = checkName('api key', name);
    if (checkedName === adminApiKeyName) throw new AppError('conflict', `API key name ${adminApiKeyName} is reserved`);
    const granted = checkScopes('api key', scopes);
    const key = randomApiKey();
    const id = await insertUnique(checkedName, () =>
      repo.insertApiKey({ ...keyColumns(key, granted, options.rateLimited ?? true), name: checkedName, now: clock().toISOString() }),
    );
    log.info({ apiKeyId: id, name: checkedName, scopes: granted }, 'API key created');
    return { id, key, prefix: key.slice(0, apiKeyPrefixLength) };
  }

  async function insertUnique(name: string, insert: () => Promise<number>): Promise<number> {
    try {
      return await insert();
    } catch (error) {
      if (isUniqueViolation(error)) throw new AppError('conflict', `an API key named ${name} already exists`, { cause: error });
      throw error;
    }
  }

  /**
   * WORKGATE_ADMIN_API_KEY: when set, an active all-scopes key with that value exists (a changed value replaces
   * the old one); when unset, a key left from an earlier value is disabled, so removing the variable revokes it.
   */
  async function ensureAdminApiKey(value: string | undefined): Promise<void> {
    if (value !== undefined && !apiKeyShape.test(value)) throw new Error('admin API key must be 40 to 128 characters of A-Z a-z 0-9 - _');
    try {
      await syncAdminKey(value);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      await syncAdminKey(value); // another process inserted it at the same moment: now it is there to update
    }
    cache.clear();
  }

  async function syncAdminKey(value: string | undefined): Promise<void> {
    const existing = await repo.findApiKeyByName(adminApiKeyName);
    if (value === undefined) {
      if (existing && toBool(existing.active)) {
        await repo.setApiKeyActive(existing.id, false);
        log.info('WORKGATE_ADMIN_API_KEY is not set: the admin API key is disabled');
      }
      return;
    }
    const columns = keyColumns(value, allScopes, false);
    if (!existing) {
      await repo.insertApiKey({ ...columns, name: adminApiKeyName, now: clock().toISOString() });
      log.info({ prefix: columns.keyPrefix }, 'admin API key created from WORKGATE_ADMIN_API_KEY');
    } else if (!sameAdminKey(existing, columns)) {
      await repo.replaceApiKey(existing.id, columns);
      log.info({ prefix: columns.keyPrefix }, 'admin API key replaced from WORKGATE_ADMIN_API_KEY');
    }
  }

  async function authenticateApiKey(key: string): Promise<Principal | null> {
    if (!apiKeyShape.test(key)) return null;
    const hash = sha256Hex(key);
    const nowMs = clock().getTime();
    let entry = cache.get(`k:${hash}`, nowMs);
    if (!entry) {
      entry = await loadApiKey(hash);
      if (!entry) return null;
      cache.set(`k:${hash}`, entry, nowMs + ctx.cacheTtlMs);
    }
    await recordUse(entry, nowMs);
    return entry.principal;
  }

  async function loadApiKey(hash: string): Promise<CachedPrincipal | undefined> {
    const row = await repo.findApiKeyByHash(hash);
    if (!row || !toBool(row.active)) return undefined;
    const principal = makePrincipal({
      kind: 'api-key',
      id: String(row.id),
      name: row.name,
      scopes: parseStoredScopes(row.scopes),
      rateLimited: toBool(row.rate_limited),
    });
    return { principal, apiKeyId: row.id, lastUsedMs: row.last_used_at === null ? 0 : toDate(row.last_used_at).getTime() };
  }

  /** last_used_at is written at most once a minute per key; a failed write never fails the request. */
  async function recordUse(entry: CachedPrincipal, nowMs: number): Promise<void> {
    if (entry.apiKeyId === undefined || nowMs - (entry.lastUsedMs ?? 0) < lastUsedIntervalMs) return;
    entry.lastUsedMs = nowMs;
    try {
      await repo.touchApiKey(entry.apiKeyId, new Date(nowMs).toISOString());
    } catch (error) {
      log.warn({ err: error, apiKeyId: entry.apiKeyId }, 'could not record API key use');
    }
  }

  async function listApiKeys(): Promise<ApiKeyInfo[]> {
    return (await repo.listApiKeys()).map(presentApiKey);
  }

  async function disableApiKey(id: number): Promise<void> {
    if ((await repo.setApiKeyActive(id, false)) === 0) throw new NotFoundError('api key', id);
    cache.clear();
    log.info({ apiKeyId: id }, 'API key disabled');
  }

  return {
    createApiKey,
    ensureAdminApiKey,
    authenticateApiKey,
    listApiKeys,
    disableApiKey,
  };
}

function keyColumns(key: string, scopes: readonly Scope[], rateLimited: boolean) {
  return { keyHash: sha256Hex(key), keyPrefix: key.slice(0, apiKeyPrefixLength), scopes: formatScopes(scopes), rateLimited };
}

function sameAdminKey(row: ApiKeyRow, columns: ReturnType<typeof keyColumns>): boolean {
  return row.key_hash === columns.keyHash && row.scopes === columns.scopes && toBool(row.active) && !toBool(row.rate_limited);
}

/** Field by field, so a hash can never leave by accident. */
function presentApiKey(row: ApiKeyRow): ApiKeyInfo {
  return {
    id: row.id,
    name: row.name,
    prefix: row.key_prefix,
    scopes: [...parseStoredScopes(row.scopes)],
    active: toBool(row.active),
    rateLimited: toBool(row.rate_limited),
    createdAt: toDate(row.created_at),
    lastUsedAt: row.last_used_at === null ? null : toDate(row.last_used_at),
  };
}
