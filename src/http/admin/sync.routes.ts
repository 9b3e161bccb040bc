import type { FastifyInstance } from 'fastify';
import type { SyncService } from '../../sync/index.ts';
import { presentRepairs, presentSyncStatus } from '../api/ccw/ccw.presenters.ts';
import { send } from '../api/respond.ts';
import { requireScope } from '../auth/index.ts';

/** Admin API for sync (scope workgate.admin): status, and reconcile (compare Core and Workforce, repair drift). */
export function registerSyncAdminApi(app: FastifyInstance, sync: SyncService): void {
  const admin = { preHandler: requireScope('workgate.admin') };
  app.get('/api/admin/sync/status', admin, async (request, reply) => send(request, reply, 200, presentSyncStatus(await sync.status()), 'sync-status'));
  app.post('/api/admin/sync/reconcile', admin, async (request, reply) => {
    const repairs = await sync.reconcile();
    request.log.info({ repairs: repairs.length }, 'sync reconcile finished');
    return send(request, reply, 200, presentRepairs(repairs), 'reconcile');
  });
}
