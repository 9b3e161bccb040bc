import type { Logger } from 'pino';
import type { JobDefinition, JobQueue, SendOptions } from './job-queue.ts';

interface Pending {
  name: string;
  data: object;
  key: string | undefined;
  attempt: number;
}

/**
 * One process, one queue: jobs run one at a time per singleton key (and up to `concurrency` in all),
 * failed ones retry with exponential back-off. Nothing survives a restart: the callers' own records
 * (runs, outbox rows) are the durable truth and are swept again at start.
 */
export function createInProcessQueue(log: Logger, options: { concurrency?: number } = {}): JobQueue {
  const definitions = new Map<string, JobDefinition<object>>();
  const queued: Pending[] = [];
  const runningKeys = new Set<string>();
  const timers = new Set<NodeJS.Timeout>();
  const running = new Set<Promise<void>>();
  const concurrency = options.concurrency ?? 2;
  let working = false;

  function enqueue(job: Pending): void {
    if (job.key !== undefined && queued.some((q) => q.name === job.name && q.key === job.key)) return;
    queued.push(job);
    pump();
  }

  function pump(): void {
    if (!working) return;
    while (running.size < concurrency) {
      const index = queued.findIndex((job) => job.key === undefined || !runningKeys.has(`${job.name}:${job.key}`));
      if (index < 0) return;
      const [job] = queued.splice(index, 1);
      const run = execute(job!).finally(() => {
        running.delete(run);
        pump();
      });
      running.add(run);
    }
  }

  async function execute(job: Pending): Promise<void> {
    const definition = definitions.get(job.name);
    if (!definition) return log.error({ job: job.name }, 'no handler for job');
    const lock = job.key === undefined ? undefined : `${job.name}:${job.key}`;
    if (lock) runningKeys.add(lock);
    try {
      await definition.handler(job.data);
    } catch (error) {
      if (job.attempt >= definition.retryLimit) {
        log.error({ err: error, job: job.name, attempt: job.attempt + 1 }, 'job failed for good');
      } else {
        const delay = definition.retryDelaySeconds * 2 ** job.attempt;
        log.warn({ err: error, job: job.name, attempt: job.attempt + 1, retryInSeconds: delay }, 'job failed; will retry');
        later(delay, { ...job, attempt: job.attempt + 1 });
      }
    } finally {
      if (lock) runningKeys.delete(lock);
    }
  }

  function later(seconds: number, job: Pending): void {
    const timer = setTimeout(() => {
      timers.delete(timer);
      enqueue(job);
    }, seconds * 1000);
    timer.unref();
    timers.add(timer);
  }

  return {
    kind: 'in-process',
    define: (definition) => void definitions.set(definition.name, definition as JobDefinition<object>),
    async send(name: string, data: object, sendOptions: SendOptions = {}) {
      const job = { name, data, key: sendOptions.singletonKey, attempt: 0 };
      if (sendOptions.delaySeconds) later(sendOptions.delaySeconds, job);
      else enqueue(job);
    },
    async startWorkers() {
      working = true;
      pump();
    },
    async stop() {
      working = false;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      queued.length = 0;
      await Promise.allSettled([...running]);
    },
  };
}
