import type { TransferAccount } from '../account.types.ts';
import { QuotaExceededError } from './file-errors.ts';

/**
 * Storage quota per account on this node: bytes it keeps in its Incoming folders (received files not yet
 * processed and files waiting under a temporary name) plus the uploads in progress. The stored part is
 * re-read when an upload starts; uploads in progress are counted here as they grow.
 */
export interface QuotaGuard {
  /** Accounts for `bytes` more; throws QuotaExceededError when the quota would be exceeded. */
  grow(bytes: number): void;
  /** The upload ended: kept (its bytes now stored) or dropped. */
  settle(kept: boolean): void;
}

interface AccountUsage {
  stored: number;
  inFlight: number;
  /** Uploads holding this entry. */
  users: number;
}

export function createQuotaBook(storedBytes: (account: TransferAccount) => Promise<number>) {
  const usage = new Map<number, AccountUsage>();

  async function open(account: TransferAccount): Promise<QuotaGuard> {
    const { id: accountId, quotaBytes } = account;
    const entry = usage.get(accountId) ?? { stored: 0, inFlight: 0, users: 0 };
    usage.set(accountId, entry);
    entry.users++;
    try {
      entry.stored = await storedBytes(account);
    } catch (error) {
      release(accountId, entry);
      throw error;
    }
    let mine = 0;
    let settled = false;
    return {
      grow(bytes) {
        if (bytes <= 0) return;
        if (quotaBytes !== null && entry.stored + entry.inFlight + bytes > quotaBytes) throw new QuotaExceededError(quotaBytes);
        entry.inFlight += bytes;
        mine += bytes;
      },
      settle(kept) {
        if (settled) return;
        settled = true;
        entry.inFlight -= mine;
        if (kept) entry.stored += mine;
        release(accountId, entry);
      },
    };
  }

  function release(accountId: number, entry: AccountUsage): void {
    entry.users--;
    if (entry.users === 0) usage.delete(accountId);
  }

  return { open };
}

export type QuotaBook = ReturnType<typeof createQuotaBook>;
