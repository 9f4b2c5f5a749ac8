import { magnitude } from '../accel';
import type { Fix } from '../model';
import type { NearZone, ZoneIndex } from '../zone-index';

/**
 * Exit zones are looked up once per fix within this radius (at least), and the detectors that ask
 * for a smaller one get the nearer part: with the default rules exit-approach (3 m) and exit-lingering
 * (3 + 1 m) share one query.
 */
const EXIT_QUERY_M = 4;

/**
 * What several detectors work out from one fix, made once and shared: the zone lookups at its own
 * position (raw "in the bed / in a bathroom" before hysteresis, exits nearby) and the magnitudes of its
 * accelerometer samples. Made by the pipeline for each fix; a detector run on its own (a unit test) gets
 * one of its own through `placeOf`.
 */
export class FixPlace {
  private zonesHere: string[] | null = null;
  private exits: NearZone[] | null = null;
  private exitsRadius = -1;
  private mags: Float64Array | null = null;

  constructor(
    private readonly index: ZoneIndex,
    readonly fix: Fix,
  ) {}

  /** Ids of the zones containing the fix's position (no hysteresis). */
  here(): readonly string[] {
    return (this.zonesHere ??= this.index.containing(this.fix.floorId, this.fix.x, this.fix.y));
  }

  /** Magnitude of each of the fix's accelerometer samples as they came (none without samples), g. */
  magnitudes(): Float64Array {
    if (!this.mags) {
      const s = this.fix.accel?.samples ?? [];
      const m = new Float64Array(s.length);
      for (let i = 0; i < s.length; i++) m[i] = magnitude(s[i]);
      this.mags = m;
    }
    return this.mags;
  }

  /** Exit zones within `radiusM`, nearest first (as `ZoneIndex.near(…, radiusM, ['exit'])`). */
  exitsWithin(radiusM: number): readonly NearZone[] {
    if (radiusM > this.exitsRadius) {
      this.exitsRadius = Math.max(radiusM, EXIT_QUERY_M);
      this.exits = this.index.near(this.fix.floorId, this.fix.x, this.fix.y, this.exitsRadius, ['exit']);
    }
    const all = this.exits!;
    let n = 0;
    while (n < all.length && all[n].distance <= radiusM) n++;
    return n === all.length ? all : all.slice(0, n);
  }
}

/** The input's shared place, or a new one for a detector run on its own. */
export function placeOf(input: { fix: Fix; place?: FixPlace }, index: ZoneIndex): FixPlace {
  return input.place ?? new FixPlace(index, input.fix);
}
