/**
 * Token buckets, one per key (a principal, a client id, an address): `burst` requests at once, refilled at
 * `perSecond`. Memory is bounded: buckets live in least-recently-used order, idle ones (refilled to full, so
 * indistinguishable from a new bucket) are dropped first, and past `maxBuckets` the least recent goes.
 */
export interface RateLimitSettings {
  perSecond: number;
  burst: number;
  /** Most buckets kept at once; default 10 000. */
  maxBuckets?: number;
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export interface RateLimiter {
  take(key: string, nowMs: number): RateDecision;
  readonly size: number;
}

interface Bucket {
  tokens: number;
  updatedMs: number;
}

export function createRateLimiter(settings: RateLimitSettings): RateLimiter {
  const { perSecond, burst } = settings;
  if (!(perSecond > 0) || !(burst >= 1)) throw new Error('rate limit needs perSecond > 0 and burst >= 1');
  const maxBuckets = settings.maxBuckets ?? 10_000;
  const refillMs = (burst / perSecond) * 1000;
  const buckets = new Map<string, Bucket>();

  function refilled(bucket: Bucket | undefined, nowMs: number): Bucket {
    if (!bucket) return { tokens: burst, updatedMs: nowMs };
    const elapsedMs = Math.max(0, nowMs - bucket.updatedMs);
    return { tokens: Math.min(burst, bucket.tokens + (elapsedMs / 1000) * perSecond), updatedMs: Math.max(nowMs, bucket.updatedMs) };
  }

  function evict(nowMs: number): void {
    for (const [key, bucket] of buckets) {
      const idle = nowMs - bucket.updatedMs >= refillMs;
      if (!idle && buckets.size < maxBuckets) return;
      buckets.delete(key);
    }
  }

  return {
    take(key, nowMs) {
      const bucket = refilled(buckets.get(key), nowMs);
      buckets.delete(key);
      evict(nowMs);
      const allowed = bucket.tokens >= 1;
      if (allowed) bucket.tokens -= 1;
      buckets.set(key, bucket);
      return allowed ? { allowed: true } : { allowed: false, retryAfterSeconds: retryAfter(bucket.tokens, perSecond) };
    },
    get size() {
      return buckets.size;
    },
  };
}

function retryAfter(tokens: number, perSecond: number): number {
  return Math.max(1, Math.ceil((1 - tokens) / perSecond));
}
