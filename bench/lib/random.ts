/** A small seeded PRNG (mulberry32), so every run seeds the same data. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomInt(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

export function pick<T>(random: () => number, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

/**
 * Picks items with a Zipf-like skew: the item at rank r (1-based) has weight r^-exponent.
 * exponent 0 is uniform; 0.5 is close to how common surnames are spread.
 */
export function createSkewedPicker<T>(items: readonly T[], exponent: number): (random: () => number) => T {
  const cumulative: number[] = [];
  let total = 0;
  items.forEach((_, i) => {
    total += (i + 1) ** -exponent;
    cumulative.push(total);
  });
  return (random) => {
    const target = random() * total;
    let low = 0;
    let high = cumulative.length - 1;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((cumulative[mid] ?? 0) < target) low = mid + 1;
      else high = mid;
    }
    return items[low] as T;
  };
}

/** Share of the picks that `predicate` accepts, computed from the weights (not sampled). */
export function skewedShare<T>(items: readonly T[], exponent: number, predicate: (item: T) => boolean): number {
  let total = 0;
  let matching = 0;
  items.forEach((item, i) => {
    const weight = (i + 1) ** -exponent;
    total += weight;
    if (predicate(item)) matching += weight;
  });
  return matching / total;
}
