/**
 * How a real UWB locator reports a tag: at its own uneven rate (tags are polled in turn, 5–9 fixes a second
 * each), with drop-outs of a few seconds (a body between tag and anchors), a height that is noisy (±0.3 m),
 * offset per tag (mounting, antenna pattern: most read high), below the floor now and then, and off by
 * metres on a multipath outlier. Shared by the simulator and the scenario suite (bench/scenarios/uwb.ts).
 */

import type { Rng } from '../../geo/rng';

export interface UwbOptions {
  /** Each tag's mean rate is drawn from this range, Hz. */
  rateHz: [number, number];
  /** Height noise, 1 sigma, drawn per tag, metres (±0.3 m is about 2.5 sigma of 0.12). */
  zSigma: [number, number];
  /** Constant height offset drawn per tag, metres. */
  zBias: [number, number];
  /** Chance per fix of a height outlier of 1–4 m either way. */
  zOutlier: number;
  /** Horizontal noise, 1 sigma, metres, and the chance of a 1.5–3 m outlier. */
  xySigma: number;
  xyOutlier: number;
  /** Chance per second of a drop-out, and its length range, seconds. */
  dropoutPerS: number;
  dropoutS: [number, number];
}

export const UWB_DEFAULTS: UwbOptions = {
  rateHz: [5, 9],
  zSigma: [0.08, 0.14],
  zBias: [-0.05, 0.35],
  zOutlier: 0.02,
  xySigma: 0.2,
  xyOutlier: 0.01,
  dropoutPerS: 0.01,
  dropoutS: [1, 6],
};

const between = (rng: Rng, [lo, hi]: [number, number]) => rng.range(lo, hi);

/** One tag's reporting behaviour, drawn once from the seed. */
export class UwbTag {
  readonly rateHz: number;
  readonly zSigma: number;
  readonly zBias: number;
  private gapUntil = -Infinity;

  constructor(
    private readonly rng: Rng,
    private readonly o: UwbOptions = UWB_DEFAULTS,
  ) {
    this.rateHz = between(rng, o.rateHz);
    this.zSigma = between(rng, o.zSigma);
    this.zBias = between(rng, o.zBias);
  }

  /** The time of the fix after one at `t`, ms: an uneven interval, or the end of a drop-out. */
  nextAfter(t: number): number {
    const period = 1000 / this.rateHz;
    let next = t + period * (0.5 + this.rng.next());
    if (next < this.gapUntil) next = this.gapUntil;
    if (this.rng.next() < this.o.dropoutPerS * (period / 1000)) {
      this.gapUntil = next + between(this.rng, this.o.dropoutS) * 1000;
      next = this.gapUntil;
    }
    return Math.round(next);
  }

  /** A reported height for a true one, metres, rounded to the centimetre as locators report it. */
  z(trueZ: number): number {
    let z = trueZ + this.zBias + this.rng.gaussian(this.zSigma);
    if (this.rng.next() < this.o.zOutlier) z += (this.rng.next() < 0.5 ? -1 : 1) * between(this.rng, [1, 4]);
    return Math.round(z * 100) / 100;
  }

  /** A reported horizontal position for a true one. */
  xy(x: number, y: number): [number, number] {
    let dx = this.rng.gaussian(this.o.xySigma);
    let dy = this.rng.gaussian(this.o.xySigma);
    if (this.rng.next() < this.o.xyOutlier) {
      const a = 2 * Math.PI * this.rng.next();
      const d = between(this.rng, [1.5, 3]);
      dx += d * Math.cos(a);
      dy += d * Math.sin(a);
    }
    return [Math.round((x + dx) * 100) / 100, Math.round((y + dy) * 100) / 100];
  }
}
