import type { EpochMs } from '../model';
import { candidateAt, inBed, NO_ALERTS } from './candidate';
import { ruleReader } from './params';
import { placeOf } from './place';
import type { Detector } from './types';

/** Rule section `fallHeight`. */
export interface FallHeightRules {
  enabled: boolean;
  /** The tag was at least this high (standing: ~1.0–1.3 m for a waist or chest tag), metres... */
  standingMinM: number;
  /** ...and within `dropWithinMs` it is at most this high (lying on the floor), metres... */
  floorMaxM: number;
  dropWithinMs: number;
  /** ...and stays below floorMaxM + riseMarginM for `stillMs` (someone bending down comes back up). */
  stillMs: number;
  riseMarginM: number;
  /** z values are smoothed with the median of this many fixes (UWB height is noisy). */
  medianOf: number;
}

const rulesOf = ruleReader<FallHeightRules>('fallHeight');

export interface FallHeightState {
  /** Recent [ts, z] of fixes with a height, oldest first. */
  raw: [EpochMs, number][];
  /** Recent [ts, smoothed z], within dropWithinMs. */
  smooth: [EpochMs, number][];
  /** When the tag reached the floor after a drop; null when not on the floor after a drop. */
  downAt: EpochMs | null;
  /** Fixes since downAt, and how many of them lay in the bed zone (before hysteresis confirms the bed). */
  downFixes: number;
  downInBed: number;
  alerted: boolean;
}

function median(values: number[]): number {
  const v = [...values].sort((a, b) => a - b);
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

/**
 * Fall, path (c): a 3D fix (z = height above the floor) drops from standing to floor height within a
 * couple of seconds and stays there. Lying down in bed is normal, so not in the bed zone.
 */
export const fallHeight: Detector<FallHeightState> = {
  name: 'fall-height',
  init: () => ({ raw: [], smooth: [], downAt: null, downFixes: 0, downInBed: 0, alerted: false }),
  step(state, input, ctx) {
    const { fix } = input;
    if (fix.z === undefined || !Number.isFinite(fix.z)) return { state, alerts: NO_ALERTS };
    const rules = rulesOf(ctx.rules);
    if (!rules.enabled) return { state, alerts: NO_ALERTS };
    const raw = [...state.raw, [fix.ts, fix.z] as [EpochMs, number]].slice(-Math.max(1, rules.medianOf));
    const z = median(raw.map((r) => r[1]));
    const smooth = [...state.smooth, [fix.ts, z] as [EpochMs, number]].filter(([t]) => t >= fix.ts - rules.dropWithinMs);
    let { downAt, downFixes, downInBed, alerted } = state;
    if (inBed(input.inside, ctx) || z > rules.floorMaxM + rules.riseMarginM) {
      downAt = null;
      alerted = false;
    } else if (downAt === null && z <= rules.floorMaxM) {
      const wasStanding = smooth.some(([, h]) => h >= rules.standingMinM);
      if (wasStanding) {
        downAt = fix.ts;
        downFixes = 0;
        downInBed = 0;
      }
    }
    if (downAt !== null) {
      downFixes++;
      if (inBed(placeOf(input, ctx.zones).here(), ctx)) downInBed++;
    }
    const next: FallHeightState = { raw, smooth, downAt, downFixes, downInBed, alerted };
    if (downAt === null || alerted || fix.ts - downAt < rules.stillMs) return { state: next, alerts: NO_ALERTS };
    // Lying down in bed: most fixes fall in the bed even before hysteresis has confirmed it.
    if (downInBed * 2 >= downFixes) return { state: next, alerts: NO_ALERTS };
    const detail = `height dropped from standing to ${z.toFixed(2)} m and stayed there`;
    return {
      state: { ...next, alerted: true },
      alerts: [candidateAt('fall', 'critical', fix, input.inside, fix.ts, ctx, { detail })],
    };
  },
};
