import { describe, expect, it } from 'vitest';
import { hypot2, hypot3 } from '../../geo/hypot';
import { mulberry32 } from '../../geo/rng';

describe('hypot2 and hypot3', () => {
  it("give Math.hypot's result bit for bit on 300,000 seeded vectors of every scale", () => {
    const rnd = mulberry32(17);
    const scales = [1e-300, 1e-8, 0.01, 0.1, 1, 2, 16, 100, 1e6, 1e300];
    let differ = 0;
    for (let i = 0; i < 100_000; i++) {
      const sc = scales[i % scales.length];
      const x = (rnd() - 0.5) * sc * (i % 7 === 0 ? 0 : 1);
      const y = (rnd() - 0.5) * sc;
      const z = (i % 2) + (rnd() - 0.5) * sc;
      if (!Object.is(hypot2(x, y), Math.hypot(x, y))) differ++;
      if (!Object.is(hypot2(y, x), Math.hypot(y, x))) differ++;
      if (!Object.is(hypot3(x, y, z), Math.hypot(x, y, z))) differ++;
    }
    expect(differ).toBe(0);
  });

  it('agree with Math.hypot on zeros, infinities, NaN and the extremes', () => {
    const special = [0, -0, 1, -1, 3, Infinity, -Infinity, NaN, Number.MIN_VALUE, Number.MAX_VALUE];
    for (const a of special) {
      for (const b of special) {
        expect(Object.is(hypot2(a, b), Math.hypot(a, b)), `${a}, ${b}`).toBe(true);
        for (const c of special) expect(Object.is(hypot3(a, b, c), Math.hypot(a, b, c)), `${a}, ${b}, ${c}`).toBe(true);
      }
    }
  });
});
