import { describe, expect, it } from 'vitest';
import { CHUNK, asChunks, newestT, oldestT, pointCount, slide, type PathChunks } from '../../../geo/detect/path-chunks';
import { mulberry32 } from '../../../geo/rng';

/** The flat window the chunks stand for: drop points older than `from` (never the newest), then append. */
function flatSlide(flat: number[], from: number, append: boolean, t: number, x: number, y: number): number[] {
  const all = append ? [...flat, t, x, y] : flat;
  let first = 0;
  while (first < all.length - 3 && all[first] < from) first += 3;
  return all.slice(first);
}

describe('a path kept in chunks', () => {
  it('holds the same points as a flat sliding window, over 5,000 seeded steps of appends, trims and pauses', () => {
    const rnd = mulberry32(9);
    let chunks: PathChunks = [];
    let flat: number[] = [];
    let t = 0;
    for (let k = 0; k < 5_000; k++) {
      t += rnd() < 0.05 ? 30_000 : 1_000;
      const append = flat.length === 0 || rnd() < 0.7;
      const from = t - (rnd() < 0.1 ? 5_000 : 60_000);
      const [x, y] = [rnd() * 50, rnd() * 20];
      const before = chunks;
      const frozen = JSON.stringify(before);
      chunks = slide(chunks, from, append, t, x, y);
      flat = flatSlide(flat, from, append, t, x, y);
      expect(chunks.flat()).toEqual(flat);
      expect(JSON.stringify(before)).toBe(frozen); // the previous state is never changed
      expect(pointCount(chunks)).toBe(flat.length / 3);
      expect(newestT(chunks)).toBe(flat[flat.length - 3]);
      expect(oldestT(chunks)).toBe(flat[0]);
      for (const c of chunks) expect(c.length / 3).toBeLessThanOrEqual(CHUNK);
    }
  });

  it('shares every chunk but the first and the last with the path before a new point', () => {
    let p: PathChunks = [];
    for (let t = 0; t < 200; t++) p = slide(p, t - 150, true, t, t, 0);
    const next = slide(p, 200 - 150, true, 200, 200, 0);
    expect(next.length).toBe(p.length);
    for (let i = 1; i < p.length - 1; i++) expect(next[i]).toBe(p[i]);
  });

  it('returns the same path when nothing is appended or dropped', () => {
    const p = slide([], 0, true, 10, 1, 2);
    expect(slide(p, 0, false, 11, 3, 4)).toBe(p);
  });

  it('reads a path stored flat before chunks as one chunk', () => {
    expect(asChunks([1, 2, 3, 4, 5, 6])).toEqual([[1, 2, 3, 4, 5, 6]]);
    expect(asChunks([[1, 2, 3]])).toEqual([[1, 2, 3]]);
  });
});
