import type { CoreService } from '../../core/index.ts';
import type { WorkforceService } from '../../workforce/index.ts';
import type { Layout } from './layout.ts';
import { accountTypesLayout } from './core-account-types.ts';
import { accountsLayout } from './core-accounts.ts';
import { lookupValuesLayout } from './core-lookup-values.ts';
import { lookupsLayout } from './core-lookups.ts';
import { usersLayout, type StartUserImport } from './core-users.ts';
import { masterDataLayout } from './ccw-master-data.ts';
import { cwExternalReferenceLayout, standaloneUserLayout } from './ccw-refused.ts';
import { relationshipsLayout } from './ccw-relationships.ts';
import { workLocationsLayout } from './ccw-work-locations.ts';

export interface CoreLayoutDeps {
  core: CoreService;
  startUserImport: StartUserImport;
}

/** Every Core layout, one declaration each (reference/file-formats.md). */
export function coreLayouts(deps: CoreLayoutDeps): Layout[] {
  return [usersLayout(deps.startUserImport), accountTypesLayout(deps.core), accountsLayout(deps.core), lookupsLayout(deps.core), lookupValuesLayout(deps.core)];
}

export interface WorkforceLayoutDeps {
  workforce: WorkforceService;
}

/** Every /Incoming/CCW layout, one declaration each; a file's name says which (reference/file-formats.md). */
export function workforceLayouts(deps: WorkforceLayoutDeps): Layout[] {
  const { workforce } = deps;
  return [masterDataLayout(workforce), relationshipsLayout(workforce), workLocationsLayout(workforce), standaloneUserLayout, cwExternalReferenceLayout];
}
