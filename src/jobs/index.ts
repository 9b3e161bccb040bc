export type { JobDefinition, JobQueue, SendOptions } from './job-queue.ts';
export { createInProcessQueue } from './in-process-queue.ts';
export { createPgBossQueue } from './pg-boss-queue.ts';
