import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRateLimiter } from './rate-limiter.ts';

describe('rate limiter', () => {
  it('allows a burst, then refuses with a whole number of seconds to wait', () => {
    const limiter = createRateLimiter({ perSecond: 25, burst: 20 });
    for (let i = 0; i < 20; i++) assert.deepEqual(limiter.take('a', 0), { allowed: true });
    assert.deepEqual(limiter.take('a', 0), { allowed: false, retryAfterSeconds: 1 });
    assert.deepEqual(limiter.take('b', 0), { allowed: true }, 'buckets are per key');
  });

  it('refills at the rate per second, up to the burst', () => {
    const limiter = createRateLimiter({ perSecond: 25, burst: 20 });
    for (let i = 0; i < 20; i++) limiter.take('a', 0);
    assert.equal(limiter.take('a', 39).allowed, false, 'less than one token after 39 ms');
    assert.equal(limiter.take('a', 40).allowed, true, 'one token after 40 ms');
    assert.equal(limiter.take('a', 40).allowed, false);
    let allowed = 0;
    for (let i = 0; i < 30; i++) if (limiter.take('a', 60_000).allowed) allowed++;
    assert.equal(allowed, 20, 'never more than the burst at once');
  });

  it('asks a slow limit to wait long enough', () => {
    const limiter = createRateLimiter({ perSecond: 0.2, burst: 1 });
    assert.equal(limiter.take('a', 0).allowed, true);
    assert.deepEqual(limiter.take('a', 0), { allowed: false, retryAfterSeconds: 5 });
    assert.deepEqual(limiter.take('a', 4_500), { allowed: false, retryAfterSeconds: 1 });
  });

  it('keeps memory bounded: idle buckets go first, then the least recently used', () => {
    const limiter = createRateLimiter({ perSecond: 10, burst: 10, maxBuckets: 3 });
    for (let i = 0; i < 100; i++) limiter.take(`key-${i}`, i);
    assert.ok(limiter.size <= 3);
    limiter.take('busy', 200);
    limiter.take('busy', 200);
    limiter.take('other', 1_100);
    assert.equal(limiter.size, 2, 'buckets idle long enough to be full are dropped');
  });

  it('rejects a nonsensical configuration', () => {
    assert.throws(() => createRateLimiter({ perSecond: 0, burst: 20 }));
    assert.throws(() => createRateLimiter({ perSecond: 25, burst: 0 }));
  });
});
