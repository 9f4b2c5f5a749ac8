/**
 * Seeded random numbers for benchmarks and property tests: the same seed gives the same data on
 * every machine, so two runs (or two engines in one run) measure the same work.
 */
export type Rng = () => number;

/** mulberry32: a tiny, fast 32-bit generator, uniform in [0, 1). */
export function mulberry32(seed: number): Rng {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform in [a, b). */
export function uniform(rnd: Rng, a: number, b: number): number {
  return a + (b - a) * rnd();
}

/** Integer in [0, n). */
export function int(rnd: Rng, n: number): number {
  return Math.floor(rnd() * n);
}

/** One element of a non-empty list. */
export function pick<T>(rnd: Rng, list: readonly T[]): T {
  return list[Math.floor(rnd() * list.length)];
}

/** Normal(0, sigma) by Box–Muller (one of the pair; simple beats fast here). */
export function gaussian(rnd: Rng, sigma = 1): number {
  let u = 0;
  while (u === 0) u = rnd();
  return sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd());
}
