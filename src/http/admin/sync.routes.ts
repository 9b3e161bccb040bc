import type { FastifyInstance } from 'fastify';
import type { SyncService } from '../../sync/index.ts';
import { presentRepairs, presentSyncStatus } from '../api/ccw/ccw.presenters.ts';
import { send } from '../api/respond.ts';
import type { RouteDoc } from '../api/route-docs.ts';
import { requireScope } from '../auth/index.ts';

/** Admin API for sync (scope workgate.admin): status, and reconcile (compare Core and Workforce, repair drift). */
export function registerSyncAdminApi(app: FastifyInstance, sync: SyncService): void {
  const admin = (doc: RouteDoc) => ({ preHandler: requireScope('workgate.admin'), config: { doc } });
  const status = { summary: 'Sync from Core to Workforce: pending events, lag, failures', response: { description: 'The sync status', elements: ['pending', 'retrying', 'parked', 'oldest-pending-at', 'lag-seconds', 'last-applied-at', 'last-error', 'parked-events', 'pending-events'] } };
  app.get('/api/admin/sync/status', admin(status), async (request, reply) => send(request, reply, 200, presentSyncStatus(await sync.status()), 'sync-status'));
  const reconcile = { summary: 'Compare Core and Workforce and repair what drifted', response: { description: 'How many repairs, and each one (what, key, action)', elements: ['count', 'repairs'] } };
  app.post('/api/admin/sync/reconcile', admin(reconcile), async (request, reply) => {
    const repairs = await sync.reconcile();
    request.log.info({ repairs: repairs.length }, 'sync reconcile finished');
    return send(request, reply, 200, presentRepairs(repairs), 'reconcile');
  });
}
