import { applyListQuery } from '../query/compile-list-query.ts';
import type { ListQuery } from '../query/types.ts';
import { isoNow, type Db } from '../db/index.ts';
import { NotFoundError, ValidationError } from '../shared/errors.ts';
import { approvalChainIds, type ChainRequest } from './approval-chain.ts';
import { workforceUserQuerySchema } from './query-schemas.ts';
import { bulkWrite } from './bulk-sql.ts';
import { initialRoles, replaceUserRoles, roleIdsByName } from './roles.ts';
import type { Executor, RowResult, SyncedUser, WorkforceUser } from './types.ts';
import { chunks, differs, findByUserName, hydrate, idsBySource, linkSupervisors, linkWaiting, rowsBySource, setActive, syncedColumns, upsertSynced, type UserRow } from './users.repo.ts';

export interface WorkforceUsersDeps {
  db: Db;
  clock: () => Date;
  /** The configured Workforce role names (the fallback role included). */
  roleNames: readonly string[];
}

export function createWorkforceUsersService(deps: WorkforceUsersDeps) {
  const { kysely, adapter } = deps.db;

  async function rowOf(userName: string, db: Executor): Promise<UserRow> {
    const row = await findByUserName(db, userName);
    if (!row) throw new NotFoundError('user', `"${userName}"`);
    return row;
  }

  async function get(userName: string, db: Executor = kysely): Promise<WorkforceUser> {
    return (await hydrate(db, [await rowOf(userName, db)]))[0]!;
  }

  return {
    get,

    async list(query: ListQuery): Promise<WorkforceUser[]> {
      const rows = await applyListQuery(kysely.selectFrom('workforce_users').selectAll('workforce_users'), workforceUserQuerySchema, query, adapter).execute();
      return hydrate(kysely, rows as UserRow[]);
    },

    /** Roles are Workforce's own: set here (API), never by sync after creation. Names must be configured roles. */
    async setRoles(userName: string, names: readonly string[], db: Executor = kysely): Promise<WorkforceUser> {
      const unknown = names.filter((n) => !deps.roleNames.includes(n));
      if (unknown.length > 0) {
        throw new ValidationError('user', unknown.map((n) => ({ field: 'roles', message: `Role "${n}" is not a Workforce role (${deps.roleNames.join(', ')})` })));
      }
      const row = await rowOf(userName, db);
      const ids = await roleIdsByName(db);
      await replaceUserRoles(db, row.id, [...new Set(names)].map((n) => ids.get(n)!));
      return get(userName, db);
    },

    async approvalChain(userName: string, request: ChainRequest, db: Executor = kysely): Promise<WorkforceUser[]> {
      const start = await rowOf(userName, db);
      if (request.amount !== undefined && request.currency === undefined) {
        if (!start.default_currency) {
          throw new ValidationError('approval-chain', [{ field: 'currency', message: `Currency is required: ${userName} has no default currency` }]);
        }
        request = { ...request, currency: start.default_currency };
      }
      const ids = await approvalChainIds(db, start.id, { ...request, currency: request.currency?.toUpperCase() });
      if (ids.length === 0) return [];
      const rows = await db.selectFrom('workforce_users').selectAll().where('id', 'in', ids).execute();
      const users = new Map((await hydrate(db, rows)).map((u) => [u.id, u]));
      return ids.map((id) => users.get(id)!);
    },

    /**
     * Writes the users as the source holds them now, in multi-row statements: creates the missing ones
     * (with their initial roles), updates those that differ, leaves the rest untouched, then links
     * supervisors (theirs, and of users waiting for them). Applying the same state twice changes nothing.
     */
    async applySynced(db: Executor, users: readonly SyncedUser[]): Promise<RowResult[]> {
      const existing = await rowsBySource(db, users.map((u) => u.sourceId));
      const results: RowResult[] = [];
      const writes: SyncedUser[] = [];
      users.forEach((user, index) => {
        const row = existing.get(user.sourceId);
        const changed = !row || differs(row, syncedColumns(user));
        results.push({ index, key: user.userName, outcome: !row ? 'created' : changed ? 'updated' : 'unchanged' });
        if (changed) writes.push(user);
      });
      if (writes.length === 0) return results;
      const supervisorIds = await idsBySource(db, writes.map((u) => u.supervisorSourceId).filter((id): id is number => id !== null));
      const ids = await upsertSynced(db, adapter.name, writes.map(syncedColumns), supervisorIds, isoNow(deps.clock));
      const created = writes.filter((u) => !existing.has(u.sourceId));
      await giveInitialRoles(db, created, ids);
      await linkWaiting(db, created.map((u) => u.sourceId));
      return results;
    },

    /** Deactivates the users mirroring these sources (licence lost); users not in Workforce are left alone. */
    async deactivateSources(db: Executor, sourceIds: readonly number[]): Promise<RowResult[]> {
      const existing = await rowsBySource(db, sourceIds);
      const results: RowResult[] = [];
      const toDeactivate: number[] = [];
      sourceIds.forEach((sourceId, index) => {
        const row = existing.get(sourceId);
        if (!row) return;
        const active = row.active === true || row.active === 1;
        results.push({ index, key: row.user_name, outcome: active ? 'deactivated' : 'unchanged' });
        if (active) toDeactivate.push(row.id);
      });
      await setActive(db, toDeactivate, false, deps.clock);
      return results;
    },

    /** Source ids of Workforce users above `afterSourceId`, ascending: reading them in ranges. */
    async sourceIdsPage(afterSourceId: number, limit: number, db: Executor = kysely): Promise<number[]> {
      const rows = await db
        .selectFrom('workforce_users')
        .select('source_id')
        .where('source_id', '>', afterSourceId)
        .orderBy('source_id')
        .limit(limit)
        .execute();
      return rows.map((r) => r.source_id!);
    },

    /** Users mirroring these sources whose supervisor link is not what the source asks for (drift). */
    async unlinkedSupervisors(db: Executor, sourceIds: readonly number[]): Promise<number[]> {
      const out: number[] = [];
      for (const part of chunks(sourceIds)) {
        const rows = await db
          .selectFrom('workforce_users as u')
          .leftJoin('workforce_users as s', 's.source_id', 'u.supervisor_source_id')
          .select('u.source_id')
          .where('u.source_id', 'in', part)
          .where((eb) =>
            eb.or([
              eb.and([eb('s.id', 'is', null), eb('u.supervisor_id', 'is not', null)]),
              eb.and([eb('s.id', 'is not', null), eb.or([eb('u.supervisor_id', 'is', null), eb('u.supervisor_id', '<>', eb.ref('s.id'))])]),
            ]),
          )
          .execute();
        out.push(...rows.map((r) => r.source_id!));
      }
      return out;
    },

    linkSupervisors: (db: Executor, sourceIds: readonly number[]) => linkSupervisors(db, sourceIds),
  };

  async function giveInitialRoles(db: Executor, created: SyncedUser[], ids: ReadonlyMap<number, number>): Promise<void> {
    if (created.length === 0) return;
    const roleIds = await roleIdsByName(db);
    const pairs = created.flatMap((user) =>
      initialRoles(user.sourceRoleNames, deps.roleNames)
        .filter((name) => roleIds.has(name))
        .map((name) => [ids.get(user.sourceId)!, roleIds.get(name)!]),
    );
    await bulkWrite(db, adapter.name, { table: 'workforce_user_roles', columns: ['user_id', 'role_id'], rows: pairs, pgTypes: ['int', 'int'] });
  }
}

export type WorkforceUsersService = ReturnType<typeof createWorkforceUsersService>;
