import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../../../db/index.ts';
import type { OutboxEvent, OutboxPort } from '../../outbox.port.ts';

const OUTBOX_BATCH = 5_000;

/**
 * Sync hears of every user who holds the Workforce licence now or held it before this file: the
 * file's changed users, then those a Full file deactivated. Each list is read in pages along an
 * index (stage_users by target, stage_deactivated by its key), so a million rows are one pass.
 */
export async function recordOutboxEvents(trx: Kysely<Database>, outbox: OutboxPort): Promise<void> {
  await inPages(trx, outbox, (after) => sql`select s.target_id as id, s.outcome as kind
    from stage_users s join core_users u on u.id = s.target_id
    where s.target_id > ${after} and s.has_error = ${false} and s.outcome in ('created', 'updated', 'deactivated')
      and (u.ccw_user = ${true} or s.was_licensed = ${true})
    order by s.target_id limit ${OUTBOX_BATCH}`);
  await inPages(trx, outbox, (after) => sql`select d.user_id as id, 'deactivated' as kind
    from stage_deactivated d join core_users u on u.id = d.user_id
    where d.user_id > ${after} and u.ccw_user = ${true}
    order by d.user_id limit ${OUTBOX_BATCH}`);
}

async function inPages(trx: Kysely<Database>, outbox: OutboxPort, page: (after: number) => RawBuilder<unknown>): Promise<void> {
  let after = 0;
  for (;;) {
    const { rows } = await sql<{ id: number; kind: string }>`${page(after)}`.execute(trx);
    if (rows.length === 0) return;
    const events: OutboxEvent[] = rows.map((r) => ({ entity: 'user', entityId: r.id, kind: r.kind === 'created' ? 'created' : 'updated' }));
    await outbox.recordMany(trx, events);
    after = rows[rows.length - 1]!.id;
  }
}
