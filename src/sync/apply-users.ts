import type { CoreService, User } from '../core/index.ts';
import type { Executor, RowResult, SyncedUser, WorkforceService } from '../workforce/index.ts';

/**
 * Core user -> Workforce user (DESIGN.md "Core -> Workforce synchronization"). Workgate's addition: the
 * approval limit (amount and currency) travels at every sync, because approval chains need it.
 */
export function toSyncedUser(user: User): SyncedUser {
  return {
    sourceId: user.id,
    userName: user.login,
    firstName: user.firstname,
    lastName: user.lastname,
    nickName: user.mentionName,
    email: user.email,
    phoneNumber: user.phoneWork ?? user.phoneMobile,
    defaultCurrency: user.defaultCurrency,
    employeeNumber: user.employeeNumber,
    active: user.active,
    supervisorSourceId: user.manager?.id ?? null,
    approvalLimit: user.approvalLimit,
    sourceRoleNames: user.roles.map((r) => r.name),
  };
}

export interface UserApplyResult extends RowResult {
  sourceId: number;
}

/**
 * Brings the Workforce users of these Core user ids to Core's current state: licensed users are
 * created or updated, the others (licence lost) deactivated if they are in Workforce. Idempotent.
 */
export async function applyUserIds(trx: Executor, core: CoreService, workforce: WorkforceService, ids: readonly number[]): Promise<UserApplyResult[]> {
  const unique = [...new Set(ids)];
  const users = await core.users.getMany(unique, trx);
  const licensed = users.filter((u) => u.ccwUser);
  const licensedIds = new Set(licensed.map((u) => u.id));
  const unlicensed = unique.filter((id) => !licensedIds.has(id));
  const written = await workforce.users.applySynced(trx, licensed.map(toSyncedUser));
  const deactivated = await workforce.users.deactivateSources(trx, unlicensed);
  return [
    ...written.map((r) => ({ ...r, sourceId: licensed[r.index]!.id })),
    ...deactivated.map((r) => ({ ...r, sourceId: unlicensed[r.index]! })),
  ];
}
