export { createSyncService, type SyncService, type SyncDeps, type SettingsUpdate, type SettingsResult } from './sync.service.ts';
export { createOutbox, SYNC_CHANNEL, type SyncOutbox } from './outbox.ts';
export { toSyncedUser } from './apply-users.ts';
export { MAX_ATTEMPTS, backoffMs } from './outbox.repo.ts';
export type { Applier, RoundResult, WakeCause } from './applier.ts';
export type { Repair } from './reconcile.ts';
export type { SyncStatus, ParkedEvent, PendingEvent } from './status.ts';
export { registerSyncCommands, formatStatus } from './sync.cli.ts';
