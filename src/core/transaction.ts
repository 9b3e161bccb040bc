import type { Kysely } from 'kysely';
import type { Database } from '../db/index.ts';
import type { OutboxPort } from './outbox.port.ts';

/**
 * Runs a write in the caller's transaction when `db` is one (a feed applies a whole file in one),
 * else in a transaction of its own, after whose commit the outbox is told. In the caller's
 * transaction nothing is committed here: the caller tells the outbox when it commits.
 */
export async function inTransaction<T>(
  own: Kysely<Database>,
  db: Kysely<Database> | undefined,
  outbox: Pick<OutboxPort, 'committed'> | undefined,
  work: (trx: Kysely<Database>) => Promise<T>,
): Promise<T> {
  if (db?.isTransaction) return work(db);
  const result = await (db ?? own).transaction().execute(work);
  outbox?.committed();
  return result;
}

/** Ids in slices small enough for an `in (...)` list on either database. */
export function slices<T>(items: readonly T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
