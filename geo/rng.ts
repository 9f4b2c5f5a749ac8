/**
 * Seeded random streams (mulberry32): the same seed gives the same numbers on every machine, so the sample
 * site, the simulator, benchmark data and property tests are reproducible. The simulator gives every
 * behaviour its own stream (one per resident and purpose, seeded by a readable key), so what a resident
 * does depends neither on how often `step` is called nor on the other residents.
 */

/** A 32-bit hash of a string (FNV-1a), to derive independent stream seeds from readable keys. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A stream seeded by a number, or by a string through hashString. */
export class Rng {
  private state: number;

  constructor(seed: number | string) {
    this.state = (typeof seed === 'string' ? hashString(seed) : seed >>> 0) || 0x9e3779b9;
  }

  /** Uniform in [0, 1): mulberry32. */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform in [min, max). */
  range(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** Integer in [min, maxInclusive]. */
  int(min: number, maxInclusive: number): number {
    return min + Math.floor(this.next() * (maxInclusive - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** Normal with standard deviation `sigma` (Box–Muller, one of the pair). */
  gaussian(sigma = 1): number {
    let u = 0;
    while (u === 0) u = this.next();
    return sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** Exponential with the given mean. */
  exponential(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }

  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }
}

/** Uniform numbers in [0, 1), one a call. */
export type RandomSource = () => number;

/** The stream of `new Rng(seed)` as a bare function, for code that takes a RandomSource. */
export function mulberry32(seed: number): RandomSource {
  const rng = new Rng(seed);
  return () => rng.next();
}
