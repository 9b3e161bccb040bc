import type { CoreService } from '../core/index.ts';
import type { Db } from '../db/index.ts';
import type { WorkforceService } from '../workforce/index.ts';
import { copyChart, toDesignated } from './apply-chart.ts';
import { applyUserIds } from './apply-users.ts';
import { takeLease } from './lease.ts';

const PAGE = 1000;

export interface Repair {
  what: 'user' | 'supervisor' | 'segment';
  key: string;
  action: string;
}

export interface ReconcileDeps {
  db: Db;
  core: CoreService;
  workforce: WorkforceService;
}

/**
 * Compares Core and Workforce and repairs the drift, reporting each repair: every licensed Core user
 * (created or updated in Workforce), every Workforce user (deactivated when its licence is gone),
 * supervisor links, and the designated chart's segment values. Runs in id ranges, one transaction
 * per range, holding the applier lease so it never interleaves with an applier batch.
 */
export async function reconcile(deps: ReconcileDeps, onRepair: (repair: Repair) => void = () => {}): Promise<Repair[]> {
  const repairs: Repair[] = [];
  const report = (repair: Repair) => {
    repairs.push(repair);
    onRepair(repair);
  };
  await reconcileUsers(deps, true, report);
  await reconcileUsers(deps, false, report);
  await reconcileChart(deps, report);
  return repairs;
}

async function reconcileUsers(deps: ReconcileDeps, fromCore: boolean, report: (r: Repair) => void): Promise<void> {
  const { db, core, workforce } = deps;
  for (let after = 0; ; ) {
    const ids = fromCore ? await core.users.idsPage(after, PAGE, { licensedOnly: true }) : await workforce.users.sourceIdsPage(after, PAGE);
    if (ids.length === 0) return;
    await db.kysely.transaction().execute(async (trx) => {
      await takeLease(trx, db.adapter);
      const unlinked = await workforce.users.unlinkedSupervisors(trx, ids);
      for (const result of await applyUserIds(trx, core, workforce, ids)) {
        if (result.outcome !== 'unchanged') report({ what: 'user', key: result.key, action: result.outcome });
      }
      await workforce.users.linkSupervisors(trx, unlinked);
      const names = unlinked.length ? await trx.selectFrom('workforce_users').select('user_name').where('source_id', 'in', unlinked).execute() : [];
      for (const n of names) report({ what: 'supervisor', key: n.user_name, action: 'relinked' });
    });
    after = ids.at(-1)!;
  }
}

async function reconcileChart(deps: ReconcileDeps, report: (r: Repair) => void): Promise<void> {
  const { db, core, workforce } = deps;
  await db.kysely.transaction().execute(async (trx) => {
    await takeLease(trx, db.adapter);
    const current = (await workforce.settings.get(trx)).chart;
    if (!current) return;
    const chart = toDesignated(await core.accountTypes.get(current.sourceId, trx));
    const moved = await workforce.chartSegments.designate(trx, chart);
    for (const m of moved.moved) report({ what: 'segment', key: `slot ${m.slot}`, action: `re-mapped from ${m.before.owner} "${m.before.name ?? ''}" to ${m.after.owner} "${m.after.name ?? ''}"` });
    const counts = await copyChart({ trx, core, workforce }, chart);
    for (const [slot, c] of Object.entries(counts)) {
      const parts = (['created', 'updated', 'deactivated'] as const).filter((k) => c[k] > 0).map((k) => `${c[k]} values ${k}`);
      if (parts.length) report({ what: 'segment', key: `slot ${slot}`, action: parts.join(', ') });
    }
  });
}
