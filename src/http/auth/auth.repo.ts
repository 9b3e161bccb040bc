import type { Selectable } from 'kysely';
import type { AuthApiKeyTable, AuthOAuthClientTable, Db } from '../../db/index.ts';

export type ApiKeyRow = Selectable<AuthApiKeyTable>;
export type OAuthClientRow = Selectable<AuthOAuthClientTable>;

export interface NewApiKey {
  name: string;
  keyHash: string;
  keyPrefix: string;
  scopes: string;
  rateLimited: boolean;
  now: string;
}

export interface TokenWithClient {
  client_id: string;
  token_scopes: string;
  expires_at: Date | string;
  client_name: string;
  client_scopes: string;
  client_active: boolean | number;
}

/** The auth tables through Kysely, nothing else. Timestamps are written as ISO text. */
export function createAuthRepo(db: Db) {
  const k = db.kysely;
  return {
    findApiKeyByHash: (keyHash: string) =>
      k.selectFrom('auth_api_keys').selectAll().where('key_hash', '=', keyHash).executeTakeFirst(),

    findApiKeyByName: (name: string) => k.selectFrom('auth_api_keys').selectAll().where('name', '=', name).executeTakeFirst(),

    listApiKeys: () => k.selectFrom('auth_api_keys').selectAll().orderBy('id').execute(),

    async insertApiKey(key: NewApiKey): Promise<number> {
      const row = await k
        .insertInto('auth_api_keys')
        .values({
          name: key.name,
          key_hash: key.keyHash,
          key_prefix: key.keyPrefix,
          scopes: key.scopes,
          active: true,
          rate_limited: key.rateLimited,
          created_at: key.now,
          last_used_at: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return Number(row.id);
    },

    async replaceApiKey(id: number, key: Omit<NewApiKey, 'name' | 'now'>): Promise<void> {
      await k
        .updateTable('auth_api_keys')
        .set({ key_hash: key.keyHash, key_prefix: key.keyPrefix, scopes: key.scopes, rate_limited: key.rateLimited, active: true })
        .where('id', '=', id)
        .execute();
    },

    async setApiKeyActive(id: number, active: boolean): Promise<number> {
      const result = await k.updateTable('auth_api_keys').set({ active }).where('id', '=', id).executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    async touchApiKey(id: number, now: string): Promise<void> {
      await k.updateTable('auth_api_keys').set({ last_used_at: now }).where('id', '=', id).execute();
    },

    findClient: (clientId: string) =>
      k.selectFrom('auth_oauth_clients').selectAll().where('client_id', '=', clientId).executeTakeFirst(),

    listClients: () => k.selectFrom('auth_oauth_clients').selectAll().orderBy('id').execute(),

    async insertClient(client: { clientId: string; name: string; secretHash: string; scopes: string; now: string }): Promise<void> {
      await k
        .insertInto('auth_oauth_clients')
        .values({
          client_id: client.clientId,
          name: client.name,
          secret_hash: client.secretHash,
          scopes: client.scopes,
          active: true,
          created_at: client.now,
          updated_at: client.now,
        })
        .execute();
    },

    async updateClient(clientId: string, changes: { secret_hash?: string; scopes?: string; active?: boolean; updated_at: string }): Promise<number> {
      const result = await k.updateTable('auth_oauth_clients').set(changes).where('client_id', '=', clientId).executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    async insertToken(token: { tokenHash: string; clientId: string; scopes: string; expiresAt: string; now: string }): Promise<void> {
      await k
        .insertInto('auth_oauth_tokens')
        .values({ token_hash: token.tokenHash, client_id: token.clientId, scopes: token.scopes, expires_at: token.expiresAt, created_at: token.now })
        .execute();
    },

    /** The token with its client, so a disabled client or narrowed scopes take effect at once. */
    findTokenWithClient: (tokenHash: string): Promise<TokenWithClient | undefined> =>
      k
        .selectFrom('auth_oauth_tokens as t')
        .innerJoin('auth_oauth_clients as c', 'c.client_id', 't.client_id')
        .select([
          't.client_id',
          't.scopes as token_scopes',
          't.expires_at',
          'c.name as client_name',
          'c.scopes as client_scopes',
          'c.active as client_active',
        ])
        .where('t.token_hash', '=', tokenHash)
        .executeTakeFirst(),

    async deleteTokensOfClient(clientId: string): Promise<void> {
      await k.deleteFrom('auth_oauth_tokens').where('client_id', '=', clientId).execute();
    },

    async deleteExpiredTokens(now: string): Promise<number> {
      const result = await k.deleteFrom('auth_oauth_tokens').where('expires_at', '<=', now).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

export type AuthRepo = ReturnType<typeof createAuthRepo>;
