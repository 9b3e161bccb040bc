/**
 * Tells whether any value repeats among those it is shown, in 8 bytes per value: a 52-bit hash of each
 * value in an open-addressing table, not the values themselves. A repeated value always repeats its hash,
 * so `mayRepeat` is never false when a value did repeat; two different values with one hash (about one
 * chance in 10,000 among a million values) only make the caller run its exact check in SQL.
 */
export class RepeatDetector {
  #slots = new Float64Array(1 << 12);
  #count = 0;
  #mayRepeat = false;

  get mayRepeat(): boolean {
    return this.#mayRepeat;
  }

  /** Nulls are not values: any number of them repeat nothing (as SQL's group by ... is not null). */
  add(value: string | null | undefined): void {
    if (value === null || value === undefined || this.#mayRepeat) return;
    if (this.#count * 2 >= this.#slots.length) this.#grow();
    if (!this.#insert(this.#slots, hash52(value))) this.#mayRepeat = true;
    else this.#count++;
  }

  /** False when the hash was there already. */
  #insert(slots: Float64Array, hash: number): boolean {
    const mask = slots.length - 1;
    for (let at = hash % slots.length; ; at = (at + 1) & mask) {
      if (slots[at] === 0) {
        slots[at] = hash;
        return true;
      }
      if (slots[at] === hash) return false;
    }
  }

  #grow(): void {
    const bigger = new Float64Array(this.#slots.length * 2);
    for (const hash of this.#slots) if (hash !== 0) this.#insert(bigger, hash);
    this.#slots = bigger;
  }
}

/** Two 32-bit FNV-1a passes with different primes, 32 + 20 bits of them, plus one so that 0 means empty. */
export function hash52(text: string): number {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    a = Math.imul(a ^ code, 0x01000193);
    b = Math.imul(b ^ code, 0x5bd1e995);
  }
  return (a >>> 0) * 0x100000 + ((b >>> 12) & 0xfffff) + 1;
}
