import { sql, type Kysely } from 'kysely';
import type { Database } from '../../../db/index.ts';
import type { OutboxEvent, OutboxPort } from '../../outbox.port.ts';
import type { StageSpace } from './stage.ts';

const OUTBOX_BATCH = 5_000;

/**
 * Sync hears of every user who holds the Workforce licence now or held it before this file: the
 * file's changed users, then those a Full file deactivated. The list is gathered by one join into a
 * table of its own (PostgreSQL hashes it, on both cores with an unlogged stage), then read in pages
 * along its key: paged straight from the stage, each page walked the stage's target index and looked
 * up core_users row by row (1.6 to 2 s for a million rows, 100,000 events).
 */
export async function recordOutboxEvents(trx: Kysely<Database>, space: StageSpace, outbox: OutboxPort): Promise<void> {
  await sql`${space.createTable} stage_events ${space.suffix} as
    select 1 as phase, s.target_id as id, s.outcome as kind
      from stage_users s join core_users u on u.id = s.target_id
      where s.has_error = ${false} and s.outcome in ('created', 'updated', 'deactivated')
        and (u.ccw_user = ${true} or s.was_licensed = ${true})
    union all
    select 2 as phase, d.user_id as id, 'deactivated' as kind
      from stage_deactivated d join core_users u on u.id = d.user_id
      where u.ccw_user = ${true}`.execute(trx);
  await sql`create index stage_events_order on stage_events (phase, id)`.execute(trx);
  let after = { phase: 0, id: 0 };
  for (;;) {
    const { rows } = await sql<{ phase: number; id: number; kind: string }>`select phase, id, kind from stage_events
      where phase > ${after.phase} or (phase = ${after.phase} and id > ${after.id})
      order by phase, id limit ${OUTBOX_BATCH}`.execute(trx);
    if (rows.length === 0) break;
    const events: OutboxEvent[] = rows.map((r) => ({ entity: 'user', entityId: r.id, kind: r.kind === 'created' ? 'created' : 'updated' }));
    await outbox.recordMany(trx, events);
    after = rows[rows.length - 1]!;
  }
  await sql`drop table stage_events`.execute(trx);
}
