import { PgBoss } from 'pg-boss';
import type { Logger } from 'pino';
import type { JobDefinition, JobQueue, SendOptions } from './job-queue.ts';

/**
 * pg-boss on the same PostgreSQL: jobs are rows, so whichever node's worker is free takes them.
 * Singleton keys are NOT passed on: a job whose node died stays 'active' in pg-boss until it
 * expires, and a singleton would hold every later job of its key back until then. Handlers are
 * idempotent triggers that claim their work in the database, so an extra job costs one query.
 */
export function createPgBossQueue(url: string, log: Logger): JobQueue {
  const boss = new PgBoss({ connectionString: url, schema: 'workgate_jobs', application_name: 'workgate-jobs' } as never);
  boss.on('error', (error: unknown) => log.error({ err: error }, 'job queue error'));
  const definitions = new Map<string, JobDefinition<object>>();
  let started: Promise<void> | undefined;

  function ensureStarted(): Promise<void> {
    started ??= (async () => {
      await boss.start();
      for (const definition of definitions.values()) {
        await boss.createQueue(definition.name, {
          policy: 'standard',
          retryLimit: definition.retryLimit,
          retryDelay: definition.retryDelaySeconds,
          retryBackoff: true,
          expireInSeconds: 3600,
        });
      }
    })();
    return started;
  }

  return {
    kind: 'pg-boss',
    define: (definition) => void definitions.set(definition.name, definition as JobDefinition<object>),
    async send(name: string, data: object, options: SendOptions = {}) {
      await ensureStarted();
      await boss.send(name, data, options.delaySeconds ? { startAfter: options.delaySeconds } : {});
    },
    async startWorkers() {
      await ensureStarted();
      for (const definition of definitions.values()) {
        await boss.work(definition.name, { batchSize: 1, pollingIntervalSeconds: 1 }, async (jobs) => {
          for (const job of jobs) await definition.handler(job.data as object);
        });
      }
    },
    async stop() {
      if (started) await boss.stop({ graceful: true, timeout: 30_000 });
    },
  };
}
