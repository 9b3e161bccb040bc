import type { TransferAccount } from '../account.types.ts';

/** A client connection that logged in, on this node. */
export interface LiveSession {
  id: string;
  accountId: number;
  username: string;
  address: string;
  startedAt: Date;
  traffic: { bytesIn: number; bytesOut: number };
}

/**
 * This node's logged-in sessions: the concurrent-session limit per account is checked and the session
 * registered in one synchronous step, so two logins at once cannot both take the last place.
 */
export class SessionRegistry {
  readonly #sessions = new Map<string, LiveSession>();
  readonly #perAccount = new Map<number, number>();

  /** Registers the session, or returns undefined when the account already has maxSessions here. */
  tryOpen(account: TransferAccount, address: string, id: string, now: Date): LiveSession | undefined {
    const count = this.#perAccount.get(account.id) ?? 0;
    if (count >= account.maxSessions) return undefined;
    const session: LiveSession = { id, accountId: account.id, username: account.username, address, startedAt: now, traffic: { bytesIn: 0, bytesOut: 0 } };
    this.#sessions.set(id, session);
    this.#perAccount.set(account.id, count + 1);
    return session;
  }

  close(id: string): void {
    const session = this.#sessions.get(id);
    if (!session) return;
    this.#sessions.delete(id);
    const count = (this.#perAccount.get(session.accountId) ?? 1) - 1;
    if (count <= 0) this.#perAccount.delete(session.accountId);
    else this.#perAccount.set(session.accountId, count);
  }

  all(): LiveSession[] {
    return [...this.#sessions.values()];
  }

  forUsername(username: string): LiveSession[] {
    return [...this.#sessions.values()].filter((s) => s.username === username);
  }

  get size(): number {
    return this.#sessions.size;
  }
}
