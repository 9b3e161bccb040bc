import type { CoreService } from '../../core/index.ts';
import type { Layout } from './layout.ts';
import { usersLayout, type StartUserImport } from './core-users.ts';

export interface CoreLayoutDeps {
  core: CoreService;
  startUserImport: StartUserImport;
}

/** Every Core layout, one declaration each (reference/file-formats.md). */
export function coreLayouts(deps: CoreLayoutDeps): Layout[] {
  return [usersLayout(deps.startUserImport)];
}
