import type { Command } from 'commander';
import type { Config } from '../config.ts';
import { createCoreService } from '../core/index.ts';
import type { Db } from '../db/index.ts';
import { createLogger } from '../log.ts';
import { createWorkforceService } from '../workforce/index.ts';
import { createOutbox } from './outbox.ts';
import type { SyncStatus } from './status.ts';
import { createSyncService, type SyncService } from './sync.service.ts';

const print = (text: string) => process.stdout.write(`${text}\n`);

type WithDatabase = <T>(work: (db: Db, cfg: Config) => Promise<T>) => Promise<T>;

function syncFor(db: Db, cfg: Config): SyncService {
  const clock = () => new Date();
  const outbox = createOutbox(db.adapter.name, clock);
  const core = createCoreService({ db, clock, outbox });
  const workforce = createWorkforceService({ db, clock, roleNames: cfg.workforceRoles });
  return createSyncService({ db, core, workforce, outbox, log: createLogger('warn'), clock });
}

export function formatStatus(status: SyncStatus): string {
  const lines = [
    `pending events:   ${status.pending}${status.retrying ? ` (${status.retrying} waiting for a retry)` : ''}`,
    `parked events:    ${status.parked}`,
    `lag:              ${status.lagSeconds.toFixed(3)} s${status.oldestPendingAt ? ` (oldest pending since ${status.oldestPendingAt.toISOString()})` : ''}`,
    `last applied at:  ${status.lastAppliedAt?.toISOString() ?? 'never'}`,
    `last error:       ${status.lastError ? `event ${status.lastError.eventId} (${status.lastError.entity} ${status.lastError.entityId}): ${status.lastError.message}` : 'none'}`,
  ];
  for (const e of status.parkedEvents) lines.push(`  parked ${e.id}: ${e.entity} ${e.entityId}, ${e.attempts} attempts: ${e.lastError ?? ''}`);
  return lines.join('\n');
}

/** `workgate sync status` and `workgate sync reconcile`. */
export function registerSyncCommands(program: Command, withDatabase: WithDatabase): Command {
  const sync = program.command('sync').description('Core -> Workforce synchronization');
  sync
    .command('status')
    .description('pending events, lag, last error, parked events')
    .action(async () => {
      await withDatabase(async (db, cfg) => print(formatStatus(await syncFor(db, cfg).status())));
    });
  sync
    .command('reconcile')
    .description('compare Core and Workforce, repair the drift, print each repair')
    .action(async () => {
      await withDatabase(async (db, cfg) => {
        const repairs = await syncFor(db, cfg).reconcile((r) => print(`repaired ${r.what} ${r.key}: ${r.action}`));
        print(repairs.length === 0 ? 'no drift: Core and Workforce agree' : `${repairs.length} repairs`);
      });
    });
  return sync;
}
