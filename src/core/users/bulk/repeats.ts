/** Past this many values a column is not tracked: its check runs in SQL (32 MB of hashes per column here). */
const MAX_TRACKED = 4_000_000;

/**
 * Tells whether any value may repeat among those it is shown, in 8 bytes per value: a 52-bit hash of each,
 * appended as they come and sorted once when asked. A repeated value always repeats its hash, so
 * `mayRepeat()` is never false when a value did repeat; two different values with one hash (about one
 * chance in 10,000 among a million values) only make the caller run its exact check in SQL. (A hash table
 * answered as it went, but its random writes cost 0.2 µs a value; appending costs next to nothing.)
 */
export class RepeatDetector {
  #hashes: Float64Array | null = new Float64Array(1 << 12);
  #count = 0;

  /** Nulls are not values: any number of them repeat nothing (as SQL's group by ... is not null). */
  add(value: string | null | undefined): void {
    if (value === null || value === undefined) return;
    const hashes = this.#roomForOne();
    if (hashes !== null) hashes[this.#count++] = hash52(value);
  }

  mayRepeat(): boolean {
    if (this.#hashes === null) return true;
    const sorted = this.#hashes.subarray(0, this.#count).sort();
    for (let i = 1; i < sorted.length; i++) if (sorted[i] === sorted[i - 1]) return true;
    return false;
  }

  /** The array, doubled when full; null from MAX_TRACKED values on (the column is then left to SQL). */
  #roomForOne(): Float64Array | null {
    if (this.#hashes === null || this.#count < this.#hashes.length) return this.#hashes;
    if (this.#count >= MAX_TRACKED) return (this.#hashes = null);
    const bigger = new Float64Array(this.#hashes.length * 2);
    bigger.set(this.#hashes);
    return (this.#hashes = bigger);
  }
}

/** Two 32-bit FNV-1a passes with different primes, 32 + 20 bits of them. */
export function hash52(text: string): number {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    a = Math.imul(a ^ code, 0x01000193);
    b = Math.imul(b ^ code, 0x5bd1e995);
  }
  return (a >>> 0) * 0x100000 + ((b >>> 12) & 0xfffff);
}
