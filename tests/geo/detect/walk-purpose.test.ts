import { describe, expect, it } from 'vitest';
import { walkPurpose } from '../../../geo/detect/walk-purpose';

/** Path records a metre apart: legs of straight walking at `speed`, with a stop of `stopS` after each. */
function path(legs: [number, number][][], speed: number, stopS: number): number[][] {
  const out: number[] = [];
  let t = 0;
  for (const leg of legs) {
    for (let i = 0; i < leg.length; i++) {
      if (i > 0) t += (Math.hypot(leg[i][0] - leg[i - 1][0], leg[i][1] - leg[i - 1][1]) / speed) * 1000;
      out.push(t, leg[i][0], leg[i][1]);
    }
    t += stopS * 1000;
  }
  return [out];
}

const straight = (x0: number, x1: number, y: number): [number, number][] =>
  Array.from({ length: Math.abs(x1 - x0) + 1 }, (_, i) => [x0 + Math.sign(x1 - x0) * i, y]);

describe('how purposeful a walk looks', () => {
  it('a brisk round: fast, straight legs, a stop at each place on the way', () => {
    const w = walkPurpose(path([straight(0, 12, 0), straight(12, 30, 0), straight(30, 10, 0)], 1.3, 8), 3000);
    expect(w.speedMps).toBeCloseTo(1.3, 1);
    expect(w.straightness).toBeGreaterThan(0.95);
    expect(w.stops).toBe(2);
  });

  it('meandering without stops: slow and far from straight', () => {
    const zigzag: [number, number][] = Array.from({ length: 40 }, (_, i) => [i * 0.5, i % 2]);
    const w = walkPurpose(path([zigzag], 0.5, 0), 3000);
    expect(w.speedMps).toBeLessThan(0.6);
    expect(w.straightness).toBeLessThan(0.5);
  });

  it('the jump across a stop is not walking', () => {
    const w = walkPurpose(path([straight(0, 5, 0), straight(20, 25, 0)], 1, 10), 3000);
    expect(w.speedMps).toBeCloseTo(1, 1);
    expect(w.straightness).toBeGreaterThan(0.95);
  });
});
