import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { HashReply, HashRequest } from './hash-worker.ts';

/**
 * SHA-256 of a file while it is being written, computed by a worker thread that reads the written prefix
 * back from the page cache. Hashing on the main thread would stall every session (SHA-256 runs at a few
 * hundred MB/s without CPU SHA extensions), and copying the data to a worker would double the garbage.
 */
export interface FileHash {
  /** Bytes [0, upTo) are on disk; resolves late when the worker lags too far behind (slowing the client). */
  written(upTo: number): Promise<void> | undefined;
  /** The digest of the file's first `size` bytes; `restart` re-reads from the start (bytes were rewritten). */
  digest(size: number, restart: boolean): Promise<string>;
  drop(): void;
}

interface StreamState {
  failed?: Error;
  sent: number;
  acked: number;
  waiters: Array<(error?: Error) => void>;
  digest?: { resolve: (hex: string) => void; reject: (error: Error) => void };
}

/** Bytes a file may be ahead of its hash before its writer is slowed down. */
const maxLagBytes = 32 * 1024 * 1024;
/** Progress is told to the worker in steps of at least this much. */
const stepBytes = 1024 * 1024;

export function createHashPool(size = Math.max(1, Math.min(2, os.availableParallelism() - 1))) {
  const workers: Array<{ worker: Worker; streams: Map<number, StreamState> } | undefined> = Array.from({ length: size });
  let nextId = 1;

  function slot(index: number) {
    const existing = workers[index];
    if (existing) return existing;
    const worker = new Worker(new URL('./hash-worker.ts', import.meta.url));
    worker.unref();
    const entry = { worker, streams: new Map<number, StreamState>() };
    worker.on('message', (reply: HashReply) => onReply(entry.streams, reply));
    worker.on('error', (error) => fail(index, worker, error));
    worker.on('exit', () => fail(index, worker, new Error('hash worker exited')));
    workers[index] = entry;
    return entry;
  }

  function onReply(streams: Map<number, StreamState>, reply: HashReply): void {
    const state = streams.get(reply.id);
    if (!state) return;
    if (reply.op === 'ack') {
      state.acked = reply.position;
      if (state.sent - state.acked <= maxLagBytes / 2) for (const wake of state.waiters.splice(0)) wake();
      return;
    }
    streams.delete(reply.id);
    if (reply.op === 'digest') state.digest?.resolve(reply.hex);
    else abandon(state, new Error(`hashing failed: ${reply.message}`));
  }

  function abandon(state: StreamState, error: Error): void {
    state.failed = error;
    state.digest?.reject(error);
    for (const wake of state.waiters.splice(0)) wake(error);
  }

  function fail(index: number, worker: Worker, error: Error): void {
    const entry = workers[index];
    if (!entry || entry.worker !== worker) return;
    workers[index] = undefined;
    for (const state of entry.streams.values()) abandon(state, error);
  }

  function open(path: string): FileHash {
    const id = nextId++;
    const entry = slot(id % size);
    const state: StreamState = { sent: 0, acked: 0, waiters: [] };
    entry.streams.set(id, state);
    const post = (request: HashRequest) => entry.worker.postMessage(request);
    post({ op: 'open', id, path });
    return {
      written(upTo) {
        if (state.failed || upTo - state.sent < stepBytes) return undefined;
        state.sent = upTo;
        post({ op: 'extend', id, upTo });
        if (state.sent - state.acked <= maxLagBytes) return undefined;
        return new Promise<void>((resolve, reject) => state.waiters.push((error) => (error ? reject(error) : resolve())));
      },
      digest(fileSize, restart) {
        return new Promise<string>((resolve, reject) => {
          if (state.failed) return reject(state.failed);
          state.digest = { resolve, reject };
          post({ op: 'digest', id, size: fileSize, restart });
        });
      },
      drop() {
        entry.streams.delete(id);
        for (const wake of state.waiters.splice(0)) wake();
        post({ op: 'drop', id });
      },
    };
  }

  return {
    open,
    async close(): Promise<void> {
      await Promise.all(workers.splice(0).map((entry) => entry?.worker.terminate()));
    },
  };
}

export type HashPool = ReturnType<typeof createHashPool>;
