import type { Db } from '../db/index.ts';
import { createAccountTypesService } from './account-types.service.ts';
import { createAccountsService } from './accounts.service.ts';
import { createLookupValuesService } from './lookup-values.service.ts';
import { createLookupsService } from './lookups.service.ts';
import { noOutbox, type OutboxPort } from './outbox.port.ts';
import { createRolesService } from './roles.service.ts';
import { createUsersService } from './users/users.service.ts';

export interface CoreDeps {
  db: Db;
  clock?: () => Date;
  /** Where Core records its changes for sync, in the same transaction; nothing recorded when absent. */
  outbox?: OutboxPort;
}

/** Core master data. The only way into its tables: the API and the feeds both call these. */
export function createCoreService({ db, clock = () => new Date(), outbox = noOutbox }: CoreDeps) {
  const deps = { db, clock, outbox };
  return {
    users: createUsersService(deps),
    roles: createRolesService(deps),
    accountTypes: createAccountTypesService(deps),
    accounts: createAccountsService(deps),
    lookups: createLookupsService(deps),
    lookupValues: createLookupValuesService(deps),
  };
}

export type CoreService = ReturnType<typeof createCoreService>;
