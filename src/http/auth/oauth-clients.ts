import { NotFoundError } from '../../shared/errors.ts';
import { toBool, toDate } from '../../db/index.ts';
import type { OAuthClientRow, TokenWithClient } from './auth.repo.ts';
import { OAuthError } from './oauth.errors.ts';
import { checkName, checkScopes, makePrincipal, type AuthContext, type Principal } from './principal.ts';
import { formatScopes, isScope, parseStoredScopes, type Scope } from './scopes.ts';
import { hashSecret, randomClientId, randomClientSecret, randomToken, sha256Hex, verifySecret } from './secrets.ts';

export const tokenLifetimeSeconds = 86_400;
const purgeIntervalMs = 10 * 60_000;
const maxClientIdLength = 100;
const maxSecretLength = 256;
const tokenShape = /^[A-Za-z0-9_-]{20,256}$/;

export interface OAuthClientInfo {
  clientId: string;
  name: string;
  scopes: Scope[];
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

export interface IssuedToken {
  accessToken: string;
  expiresIn: number;
  scope: string;
}

export function createOAuthFunctions(ctx: AuthContext) {
  const { repo, clock, log, cache } = ctx;
  let lastPurgeMs = Number.NEGATIVE_INFINITY;
  let dummyHash: Promise<string> | undefined;

  async function createOAuthClient(name: string, scopes: readonly string[]): Promise<ClientCredentials> {
    const checkedName = checkName('oauth client', name);
    const granted = checkScopes('oauth client', scopes);
    const clientId = randomClientId();
    const clientSecret = randomClientSecret();
    const secretHash = await hashSecret(clientSecret);
    await repo.insertClient({ clientId, name: checkedName, secretHash, scopes: formatScopes(granted), now: clock().toISOString() });
    log.info({ clientId, name: checkedName, scopes: granted }, 'OAuth client created');
    return { clientId, clientSecret };
  }

  /** A new secret; the old one stops working, and so do the tokens issued so far (the old secret may have leaked). */
  async function rotateOAuthClientSecret(clientId: string): Promise<ClientCredentials> {
    const clientSecret = randomClientSecret();
    await updateClient(clientId, { secret_hash: await hashSecret(clientSecret) });
    await revokeTokens(clientId);
    log.info({ clientId }, 'OAuth client secret rotated; its tokens are revoked');
    return { clientId, clientSecret };
  }

  /** Tokens already issued keep at most the new scopes (checked against the client on every lookup). */
  async function setOAuthClientScopes(clientId: string, scopes: readonly string[]): Promise<void> {
    const granted = checkScopes('oauth client', scopes);
    await updateClient(clientId, { scopes: formatScopes(granted) });
    log.info({ clientId, scopes: granted }, 'OAuth client scopes changed');
  }

  async function disableOAuthClient(clientId: string): Promise<void> {
    await updateClient(clientId, { active: false });
    await revokeTokens(clientId);
    log.info({ clientId }, 'OAuth client disabled; its tokens are revoked');
  }

  async function updateClient(clientId: string, changes: { secret_hash?: string; scopes?: string; active?: boolean }) {
    const updated = await repo.updateClient(clientId, { ...changes, updated_at: clock().toISOString() });
    cache.clear();
    if (updated === 0) throw new NotFoundError('oauth client', clientId);
  }

  async function revokeTokens(clientId: string): Promise<void> {
    await repo.deleteTokensOfClient(clientId);
    cache.clear();
  }

  async function listOAuthClients(): Promise<OAuthClientInfo[]> {
    return (await repo.listClients()).map(presentClient);
  }

  /**
   * Client credentials grant. An unknown client, a wrong secret and a disabled client fail the same way, after
   * the same work (a secret is verified against a dummy hash when there is no client).
   */
  async function issueToken(clientId: string, clientSecret: string, requestedScopes: readonly string[] | undefined): Promise<IssuedToken> {
    const client = await authenticateClient(clientId, clientSecret);
    const granted = grantScopes(parseStoredScopes(client.scopes), requestedScopes);
    const accessToken = randomToken();
    const now = clock();
    const expiresAt = new Date(now.getTime() + tokenLifetimeSeconds * 1000);
    await purgeExpiredTokens(now);
    await repo.insertToken({
      tokenHash: sha256Hex(accessToken),
      clientId: client.client_id,
      scopes: formatScopes(granted),
      expiresAt: expiresAt.toISOString(),
      now: now.toISOString(),
    });
    log.info({ clientId: client.client_id, scopes: granted }, 'access token issued');
    return { accessToken, expiresIn: tokenLifetimeSeconds, scope: formatScopes(granted) };
  }

  async function authenticateClient(clientId: string, clientSecret: string): Promise<OAuthClientRow> {
    const fail = () => new OAuthError('invalid_client', 'client authentication failed');
    if (clientId.length === 0 || clientId.length > maxClientIdLength || clientSecret.length > maxSecretLength) throw fail();
    const client = await repo.findClient(clientId);
    const matches = await verifySecret(clientSecret, client?.secret_hash ?? (await dummySecretHash()));
    if (!client || !matches || !toBool(client.active)) throw fail();
    return client;
  }

  function dummySecretHash(): Promise<string> {
    dummyHash ??= hashSecret(randomClientSecret());
    return dummyHash;
  }

  /** Tokens are only ever added here, so this is where the expired ones are cleared, every ten minutes at most. */
  async function purgeExpiredTokens(now: Date): Promise<void> {
    if (now.getTime() - lastPurgeMs < purgeIntervalMs) return;
    lastPurgeMs = now.getTime();
    try {
      const purged = await repo.deleteExpiredTokens(now.toISOString());
      if (purged > 0) log.debug({ purged }, 'expired access tokens purged');
    } catch (error) {
      log.warn({ err: error }, 'could not purge expired access tokens');
    }
  }

  async function authenticateBearer(token: string): Promise<Principal | null> {
    if (!tokenShape.test(token)) return null;
    const hash = sha256Hex(token);
    const nowMs = clock().getTime();
    const cached = cache.get(`t:${hash}`, nowMs);
    if (cached) return cached.principal;
    const row = await repo.findTokenWithClient(hash);
    if (!row || !toBool(row.client_active)) return null;
    const expiresMs = toDate(row.expires_at).getTime();
    if (expiresMs <= nowMs) return null;
    const principal = tokenPrincipal(row);
    cache.set(`t:${hash}`, { principal }, Math.min(nowMs + ctx.cacheTtlMs, expiresMs));
    return principal;
  }

  return {
    createOAuthClient,
    rotateOAuthClientSecret,
    setOAuthClientScopes,
    disableOAuthClient,
    listOAuthClients,
    issueToken,
    authenticateBearer,
  };
}

/** None requested means all of the client's; otherwise every requested scope must be known and granted. */
export function grantScopes(clientScopes: ReadonlySet<Scope>, requested: readonly string[] | undefined): Scope[] {
  if (requested === undefined || requested.length === 0) return [...clientScopes];
  for (const scope of requested) {
    if (!isScope(scope)) throw new OAuthError('invalid_scope', `unknown scope ${scope}`);
    if (!clientScopes.has(scope)) throw new OAuthError('invalid_scope', `scope ${scope} is not granted to this client`);
  }
  return [...new Set(requested as readonly Scope[])];
}

/** The token's scopes narrowed to what the client holds now. */
function tokenPrincipal(row: TokenWithClient): Principal {
  const clientScopes = parseStoredScopes(row.client_scopes);
  const scopes = [...parseStoredScopes(row.token_scopes)].filter((scope) => clientScopes.has(scope));
  return makePrincipal({ kind: 'oauth-client', id: row.client_id, name: row.client_name, scopes: new Set(scopes), rateLimited: true });
}

function presentClient(row: OAuthClientRow): OAuthClientInfo {
  return {
    clientId: row.client_id,
    name: row.name,
    scopes: [...parseStoredScopes(row.scopes)],
    active: toBool(row.active),
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  };
}
