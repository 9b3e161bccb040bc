import type { Logger } from 'pino';
import type { CoreService } from '../core/index.ts';
import type { Db } from '../db/index.ts';
import { ValidationError } from '../shared/errors.ts';
import type { DesignationReport, ValueCounts, WorkforceService, WorkforceSettings } from '../workforce/index.ts';
import { copyChart, toDesignated } from './apply-chart.ts';
import { createApplier, type ApplierDeps } from './applier.ts';
import { takeLease } from './lease.ts';
import type { SyncOutbox } from './outbox.ts';
import { reconcile, type Repair } from './reconcile.ts';
import { syncStatus, type SyncStatus } from './status.ts';

export interface SyncDeps {
  db: Db;
  core: CoreService;
  workforce: WorkforceService;
  outbox: SyncOutbox;
  log: Logger;
  clock?: () => Date;
  applier?: Pick<ApplierDeps, 'pollMs' | 'batchSize' | 'retentionMs' | 'listenUrl' | 'onRound'>;
}

export interface SettingsUpdate {
  /** `{ name }` designates that Core chart of accounts; null removes the designation; absent leaves it. */
  chart?: { name: string } | { id: number } | null;
  segmentNames?: Record<number, string | null>;
}

export interface SettingsResult {
  settings: WorkforceSettings;
  /** Present when the designation was (re)applied: what moved and the values copied per slot. */
  designation?: DesignationReport & { values: Record<number, ValueCounts> };
}

/** Core -> Workforce: the outbox applier, the designated chart, status and reconcile. */
export function createSyncService(deps: SyncDeps) {
  const clock = deps.clock ?? (() => new Date());
  const { db, core, workforce } = deps;
  const applier = createApplier({ db, core, workforce, log: deps.log.child({ module: 'sync' }), clock, ...deps.applier });
  deps.outbox.onCommitted(() => applier.wake());

  async function findChart(key: { name: string } | { id: number }) {
    const chart = await core.accountTypes.find(key);
    if (!chart) {
      throw new ValidationError('settings', [{ field: 'chart-of-accounts', message: `Chart of accounts ${'name' in key ? `"${key.name}"` : `id ${key.id}`} does not exist` }]);
    }
    return toDesignated(chart);
  }

  return {
    applier,
    outbox: deps.outbox,

    status: (): Promise<SyncStatus> => syncStatus(db, clock),

    reconcile: (onRepair?: (repair: Repair) => void): Promise<Repair[]> => reconcile({ db, core, workforce }, onRepair),

    /**
     * PUT /api/ccw/settings: designates a chart (copying its values into slots 1..k, re-mapping the slots
     * and reporting what moved) and names HR slots, in one transaction.
     */
    async updateSettings(update: SettingsUpdate): Promise<SettingsResult> {
      const chart = update.chart === undefined || update.chart === null ? update.chart : await findChart(update.chart);
      return db.kysely.transaction().execute(async (trx) => {
        await takeLease(trx, db.adapter);
        let designation: SettingsResult['designation'];
        if (chart !== undefined) {
          const report = await workforce.chartSegments.designate(trx, chart);
          const values = chart ? await copyChart({ trx, core, workforce }, chart) : {};
          designation = { ...report, values };
        }
        if (update.segmentNames) await workforce.settings.setSegmentNames(update.segmentNames, trx);
        const settings = await workforce.settings.get(trx);
        return designation ? { settings, designation } : { settings };
      });
    },
  };
}

export type SyncService = ReturnType<typeof createSyncService>;
