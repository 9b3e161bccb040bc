import { sql } from 'kysely';
import type { DialectAdapter } from '../db/index.ts';
import type { Executor } from './outbox.repo.ts';

/** Arbitrary fixed key of the advisory lock that makes one applier (or reconcile) run at a time. */
const APPLIER_LOCK_KEY = 7_306_111;

/**
 * Takes the applier lease for the current transaction. PostgreSQL: a transaction-scoped advisory lock
 * (pg_try_advisory_xact_lock), released by commit or rollback, so a node that dies mid-batch frees it
 * at once and two nodes never apply concurrently (hence never out of id order). A node that does not
 * get it skips this round. SQLite: one node and one writer at a time by construction: always granted.
 */
export async function tryTakeLease(trx: Executor, adapter: DialectAdapter): Promise<boolean> {
  if (adapter.name !== 'postgres') return true;
  const { rows } = await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(${APPLIER_LOCK_KEY}) as locked`.execute(trx);
  return rows[0]?.locked === true;
}

/** Waits for the lease (reconcile, designation: they must not interleave with an applier batch). */
export async function takeLease(trx: Executor, adapter: DialectAdapter): Promise<void> {
  if (adapter.name === 'postgres') await sql`select pg_advisory_xact_lock(${APPLIER_LOCK_KEY})`.execute(trx);
}
