import { setTimeout as sleep } from 'node:timers/promises';
import type { CoreService } from '../../src/core/index.ts';
import type { Db } from '../../src/db/index.ts';

export interface LagResult {
  changes: number;
  achievedPerSecond: number;
  errors: number;
  applied: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

const MAX_IN_FLIGHT = 8;

/**
 * Drives `rate` Core user changes per second for `seconds` through the Core service (each its own
 * transaction, outbox row included) while the applier runs, then reads each event's lag from the
 * outbox: applied_at - created_at, i.e. Core commit to Workforce apply (both stamped by the same clock).
 */
export async function measureLag(db: Db, core: CoreService, users: number, rate: number, seconds: number): Promise<LagResult> {
  const firstEvent = await db.kysely.selectFrom('sync_outbox').select((eb) => eb.fn.max('id').as('id')).executeTakeFirstOrThrow();
  const fromId = Number(firstEvent.id ?? 0);
  const total = rate * seconds;
  const started = performance.now();
  let inFlight = 0;
  let errors = 0;
  const pending: Array<Promise<void>> = [];
  for (let k = 0; k < total; k++) {
    const due = started + (k * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    while (inFlight >= MAX_IN_FLIGHT) await sleep(1);
    inFlight++;
    const id = 1 + ((k * 7919) % users);
    pending.push(
      core.users
        .update(id, { firstname: `Changed${k % 1000}`, phoneWork: `555-${String(k % 1000).padStart(3, '0')}-0000` }, 'bench')
        .then(() => undefined, () => void errors++)
        .finally(() => void inFlight--),
    );
  }
  await Promise.all(pending);
  const elapsed = (performance.now() - started) / 1000;
  for (let i = 0; i < 100; i++) {
    const left = await db.kysely.selectFrom('sync_outbox').select((eb) => eb.fn.countAll<number>().as('n')).where('id', '>', fromId).where('applied_at', 'is', null).executeTakeFirstOrThrow();
    if (Number(left.n) === 0) break;
    await sleep(100);
  }
  const lags = await lagsMs(db, fromId);
  const at = (q: number) => lags[Math.min(lags.length - 1, Math.floor(q * lags.length))] ?? 0;
  return { changes: total, achievedPerSecond: total / elapsed, errors, applied: lags.length, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: lags.at(-1) ?? 0 };
}

async function lagsMs(db: Db, fromId: number): Promise<number[]> {
  const rows = await db.kysely
    .selectFrom('sync_outbox')
    .select(['created_at', 'applied_at'])
    .where('id', '>', fromId)
    .where('applied_at', 'is not', null)
    .execute();
  const ms = (v: Date | string | null) => (v instanceof Date ? v.getTime() : Date.parse(String(v)));
  return rows.map((r) => ms(r.applied_at) - ms(r.created_at)).sort((a, b) => a - b);
}
