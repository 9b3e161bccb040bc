import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from '../api/client.ts';

export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  /** Loads again (after a change); keeps the current data on screen meanwhile. */
  reload: () => void;
}

/**
 * Runs `load` when `key` changes (and on reload), aborting the previous one; `pollMs` reloads it while
 * `keepPolling(data)` says so (a run still loading).
 */
export function useApi<T>(load: (signal: AbortSignal) => Promise<T>, key: string, options: { pollMs?: number; keepPolling?: (data: T) => boolean } = {}): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<ApiError>();
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const { pollMs, keepPolling } = options;
  const pollRef = useRef(keepPolling);
  pollRef.current = keepPolling;

  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    setLoading(true);
    loadRef
      .current(controller.signal)
      .then((value) => {
        if (controller.signal.aborted) return;
        setData(value);
        setError(undefined);
        setLoading(false);
        if (pollMs && pollRef.current?.(value)) timer = setTimeout(() => setTick((t) => t + 1), pollMs);
      })
      .catch((caught: unknown) => {
        if (controller.signal.aborted) return;
        setError(caught instanceof ApiError ? caught : new ApiError(0, 'client', [String(caught)]));
        setLoading(false);
      });
    return () => {
      controller.abort();
      if (timer) clearTimeout(timer);
    };
  }, [key, tick, pollMs]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, reload };
}

/** An action (a button's POST): its busy state and error, and a runner that reports both. */
export function useAction<A extends unknown[], R>(action: (...args: A) => Promise<R>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const run = useCallback(
    async (...args: A): Promise<R | undefined> => {
      setBusy(true);
      setError(undefined);
      try {
        return await action(...args);
      } catch (caught) {
        setError(caught instanceof ApiError ? caught : new ApiError(0, 'client', [String(caught)]));
        return undefined;
      } finally {
        setBusy(false);
      }
    },
    [action],
  );
  return { run, busy, error, clearError: () => setError(undefined) };
}
