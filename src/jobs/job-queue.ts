/**
 * Background work, named and registered in one place. Two implementations behind one shape:
 * in-process for the embedded (SQLite) mode, pg-boss on PostgreSQL so any node's worker takes
 * any node's job.
 */
export interface JobDefinition<T> {
  name: string;
  /** Attempts after the first, with exponential back-off from retryDelaySeconds. */
  retryLimit: number;
  retryDelaySeconds: number;
  handler: (data: T) => Promise<void>;
}

export interface SendOptions {
  /** At most one queued job per key (another may be running): a trigger sent twice runs once. */
  singletonKey?: string;
  /** Run no earlier than this many seconds from now. */
  delaySeconds?: number;
}

export interface JobQueue {
  readonly kind: 'in-process' | 'pg-boss';
  define<T extends object>(definition: JobDefinition<T>): void;
  send<T extends object>(name: string, data: T, options?: SendOptions): Promise<void>;
  /** Starts taking jobs (the worker role). Sending works without it. */
  startWorkers(): Promise<void>;
  /** Stops taking jobs and waits for running ones. */
  stop(): Promise<void>;
}
