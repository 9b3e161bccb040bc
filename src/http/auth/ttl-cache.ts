/**
 * A small bounded map whose entries expire: enough to spare the database a round trip per request
 * for a hot credential. Insertion order is the eviction order; a full cache drops its oldest entry.
 */
export interface TtlCache<V> {
  get(key: string, nowMs: number): V | undefined;
  set(key: string, value: V, expiresAtMs: number): void;
  delete(key: string): void;
  clear(): void;
  readonly size: number;
}

interface Entry<V> {
  value: V;
  expiresAtMs: number;
}

export function createTtlCache<V>(maxEntries: number): TtlCache<V> {
  const entries = new Map<string, Entry<V>>();
  return {
    get(key, nowMs) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (entry.expiresAtMs <= nowMs) {
        entries.delete(key);
        return undefined;
      }
      return entry.value;
    },
    set(key, value, expiresAtMs) {
      entries.delete(key);
      while (entries.size >= maxEntries) dropOldest(entries);
      entries.set(key, { value, expiresAtMs });
    },
    delete: (key) => entries.delete(key),
    clear: () => entries.clear(),
    get size() {
      return entries.size;
    },
  };
}

function dropOldest(entries: Map<string, unknown>): void {
  const oldest = entries.keys().next();
  if (!oldest.done) entries.delete(oldest.value);
}
