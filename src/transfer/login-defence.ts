import { toDate, type Db } from '../db/index.ts';
import type { Ban, DefenceSettings } from './account.types.ts';
import { addressKey } from './networks.ts';

export interface FailureOutcome {
  /** Set when this failure crossed a threshold and the address is now banned. */
  ban?: Ban & { failures: number };
}

/**
 * Brute-force defence kept in the database, so every node counts the same failures and refuses the
 * same addresses. A failed login is counted against its address and its account name; when either
 * reaches the threshold within the window, the address that failed is banned for the ban time.
 */
export function createLoginDefence(deps: { db: Db; clock: () => Date; settings: DefenceSettings }) {
  const k = deps.db.kysely;
  const { threshold, windowSeconds, banSeconds } = deps.settings;
  const now = () => deps.clock();
  const secondsAgo = (seconds: number) => new Date(now().getTime() - seconds * 1000).toISOString();

  async function activeBan(rawAddress: string): Promise<Ban | undefined> {
    const row = await k
      .selectFrom('transfer_bans')
      .selectAll()
      .where('address', '=', addressKey(rawAddress))
      .where('until', '>', now().toISOString())
      .executeTakeFirst();
    return row && toBan(row);
  }

  async function countFailures(column: 'address' | 'username', value: string): Promise<number> {
    const row = await k
      .selectFrom('transfer_login_failures')
      .select((eb) => eb.fn.countAll<number | string>().as('failures'))
      .where(column, '=', value)
      .where('at', '>', secondsAgo(windowSeconds))
      .executeTakeFirstOrThrow();
    return Number(row.failures);
  }

  /** Counts one failure; bans the address when the address or the account has failed `threshold` times in the window. */
  async function recordFailure(rawAddress: string, username: string | null): Promise<FailureOutcome> {
    const address = addressKey(rawAddress);
    const at = now().toISOString();
    await k.insertInto('transfer_login_failures').values({ address, username, at }).execute();
    await k.deleteFrom('transfer_login_failures').where('address', '=', address).where('at', '<=', secondsAgo(windowSeconds)).execute();
    const byAddress = await countFailures('address', address);
    const byAccount = username === null ? 0 : await countFailures('username', username);
    if (byAddress < threshold && byAccount < threshold) return {};
    const reason =
      byAddress >= threshold
        ? `${byAddress} failed logins from this address within ${windowSeconds} s`
        : `${byAccount} failed logins for account ${username} within ${windowSeconds} s`;
    const ban = await banAddress(address, reason);
    return { ban: { ...ban, failures: Math.max(byAddress, byAccount) } };
  }

  async function banAddress(address: string, reason: string): Promise<Ban> {
    const bannedAt = now();
    const until = new Date(bannedAt.getTime() + banSeconds * 1000);
    const values = { reason: reason.slice(0, 255), banned_at: bannedAt.toISOString(), until: until.toISOString() };
    await k
      .insertInto('transfer_bans')
      .values({ address, ...values })
      .onConflict((oc) => oc.column('address').doUpdateSet(values))
      .execute();
    return { address, reason: values.reason, bannedAt, until };
  }

  /** Bans in force, newest first; expired ones are cleared on the way. */
  async function listBans(): Promise<Ban[]> {
    await k.deleteFrom('transfer_bans').where('until', '<=', now().toISOString()).execute();
    const rows = await k.selectFrom('transfer_bans').selectAll().orderBy('banned_at', 'desc').orderBy('address').execute();
    return rows.map(toBan);
  }

  /** Lifts a ban and forgets the address's failures, so its next mistake does not ban it again at once. */
  async function liftBan(rawAddress: string): Promise<boolean> {
    const address = addressKey(rawAddress);
    const result = await k.deleteFrom('transfer_bans').where('address', '=', address).where('until', '>', now().toISOString()).executeTakeFirst();
    await k.deleteFrom('transfer_login_failures').where('address', '=', address).execute();
    return Number(result.numDeletedRows) > 0;
  }

  return { activeBan, recordFailure, listBans, liftBan };
}

export type LoginDefence = ReturnType<typeof createLoginDefence>;

function toBan(row: { address: string; reason: string; banned_at: Date | string; until: Date | string }): Ban {
  return { address: row.address, reason: row.reason, bannedAt: toDate(row.banned_at), until: toDate(row.until) };
}
