import type { Db } from '../db/index.ts';
import { createChartSegmentsService } from './chart-segments.service.ts';
import { createRelationshipsService } from './relationships.service.ts';
import { ensureRoles, normalizeRoleNames } from './roles.ts';
import { createSegmentsService } from './segments.service.ts';
import { createSettingsService } from './settings.service.ts';
import { createWorkforceUsersService } from './users.service.ts';
import { createWorkLocationsService } from './work-locations.service.ts';

export interface WorkforceDeps {
  db: Db;
  /** Configured Workforce role names (WORKGATE_WORKFORCE_ROLES); "Engaging Manager" is always added. */
  roleNames: readonly string[];
  clock?: () => Date;
}

/** Workforce: the only way into its tables. The API, the CCW feeds and the sync applier all call these. */
export function createWorkforceService({ db, roleNames, clock = () => new Date() }: WorkforceDeps) {
  const roles = normalizeRoleNames(roleNames);
  const settings = createSettingsService({ db, clock });
  return {
    roleNames: roles as readonly string[],
    /** Creates the configured roles missing from the database (at start). */
    ensureRoles: () => ensureRoles(db.kysely, roles),
    users: createWorkforceUsersService({ db, clock, roleNames: roles }),
    settings,
    segments: createSegmentsService({ db, clock, settings }),
    relationships: createRelationshipsService({ db, clock, settings }),
    workLocations: createWorkLocationsService({ db, clock }),
    /** Sync only: the slots owned by the designated chart of accounts. */
    chartSegments: createChartSegmentsService({ db, clock, settings }),
  };
}

export type WorkforceService = ReturnType<typeof createWorkforceService>;
