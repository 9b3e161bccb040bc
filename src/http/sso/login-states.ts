import { toDate, type Db } from '../../db/index.ts';
import { randomToken, sha256 } from './tokens.ts';

/** A sign-in may take this long between leaving for the provider and coming back. */
export const loginStateSeconds = 600;

export interface LoginState {
  bindingHash: string;
  state: string;
  provider: string;
  nonce: string | null;
  codeVerifier: string | null;
  samlRequestId: string | null;
  returnTo: string;
  /** JSON of the verified identity (SAML, between the ACS and the completing GET). */
  identity: string | null;
  createdAt: Date;
  expiresAt: Date;
}

export interface NewLoginState {
  provider: string;
  returnTo: string;
  nonce?: string;
  codeVerifier?: string;
  samlRequestId?: string;
}

/** Sign-ins in progress, in the database so that any node can take the provider's answer. Each is used once. */
export function createLoginStates(deps: { db: Db; clock: () => Date }) {
  const k = deps.db.kysely;
  let lastPurgeMs = Number.NEGATIVE_INFINITY;

  function toState(row: { binding_hash: string; state: string; provider: string; nonce: string | null; code_verifier: string | null; saml_request_id: string | null; return_to: string; identity: string | null; created_at: Date | string; expires_at: Date | string }): LoginState {
    return {
      bindingHash: row.binding_hash,
      state: row.state,
      provider: row.provider,
      nonce: row.nonce,
      codeVerifier: row.code_verifier,
      samlRequestId: row.saml_request_id,
      returnTo: row.return_to,
      identity: row.identity,
      createdAt: toDate(row.created_at),
      expiresAt: toDate(row.expires_at),
    };
  }

  async function purge(now: Date): Promise<void> {
    if (now.getTime() - lastPurgeMs < 60_000) return;
    lastPurgeMs = now.getTime();
    await k.deleteFrom('sso_login_states').where('expires_at', '<', now.toISOString()).execute();
  }

  const live = (state: LoginState | undefined): LoginState | undefined =>
    state && state.expiresAt.getTime() > deps.clock().getTime() ? state : undefined;

  return {
    /** Returns the state and the browser binding (the cookie's value; only its SHA-256 is stored). */
    async create(input: NewLoginState): Promise<{ state: LoginState; binding: string }> {
      const now = deps.clock();
      await purge(now);
      const binding = randomToken();
      const row = {
        binding_hash: sha256(binding),
        state: randomToken(),
        provider: input.provider,
        nonce: input.nonce ?? null,
        code_verifier: input.codeVerifier ?? null,
        saml_request_id: input.samlRequestId ?? null,
        return_to: input.returnTo,
        identity: null,
        created_at: now.toISOString(),
        expires_at: new Date(now.getTime() + loginStateSeconds * 1000).toISOString(),
      };
      await k.insertInto('sso_login_states').values(row).execute();
      return { state: toState(row), binding };
    },

    /** The state this browser's binding cookie names, deleted so it cannot serve twice. */
    async takeByBinding(binding: string): Promise<LoginState | undefined> {
      const hash = sha256(binding);
      const row = await k.selectFrom('sso_login_states').selectAll().where('binding_hash', '=', hash).executeTakeFirst();
      if (!row) return undefined;
      const deleted = await k.deleteFrom('sso_login_states').where('binding_hash', '=', hash).executeTakeFirst();
      return Number(deleted.numDeletedRows) === 1 ? live(toState(row)) : undefined;
    },

    /** The state a SAML RelayState names, if no response was accepted for it yet. */
    async findOpenByState(state: string): Promise<LoginState | undefined> {
      if (state.length > 64) return undefined;
      const row = await k.selectFrom('sso_login_states').selectAll().where('state', '=', state).where('identity', 'is', null).executeTakeFirst();
      return live(row ? toState(row) : undefined);
    },

    /** Records the verified identity once; false when another response got there first. */
    async complete(state: string, identity: string): Promise<boolean> {
      const result = await k.updateTable('sso_login_states').set({ identity }).where('state', '=', state).where('identity', 'is', null).executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /** Forget a state (a refused response cannot be retried with it). */
    async drop(state: string): Promise<void> {
      await k.deleteFrom('sso_login_states').where('state', '=', state).execute();
    },
  };
}

export type LoginStates = ReturnType<typeof createLoginStates>;
