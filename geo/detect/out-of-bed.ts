import type { EpochMs } from '../model';
import { candidateAt, clearedAtFix, inBed, NO_ALERTS } from './candidate';
import { nightStart } from './night';
import { extendStreak, NO_STREAK, type Streak } from './streak';
import { ruleReader } from './params';
import { placeOf } from './place';
import type { Detector, DetectorContext, DetectorResult } from './types';

/** Rule section `outOfBed`. */
export interface OutOfBedRules {
  enabled: boolean;
  /** Out of bed this long at night, minutes. */
  minutes: number;
}

const rulesOf = ruleReader<OutOfBedRules>('outOfBed');

export interface OutOfBedState {
  /** Whether the last observation had the tag in the bed; null before any. */
  wasInBed: boolean | null;
  /** When the tag was seen leaving the bed; null while in bed or never seen in it. */
  outSince: EpochMs | null;
  /** The current run of fixes outside the bed, before hysteresis confirms the exit. */
  rawOut: Streak;
  /** The previous fix lay in the bed zone. */
  rawIn: boolean;
  alerted: boolean;
  floorId: string;
  x: number;
  y: number;
  /** The tag lay on its charger at the last fix. */
  charging: boolean;
}

/**
 * Night: out of bed too long. Counts from the moment the resident was seen leaving their bed, or from the
 * start of the night if they left it before; a resident never seen in bed (still in the lounge at 22:00)
 * does not count. Fires from fixes and from ticks; back in bed clears it.
 */
export const outOfBed: Detector<OutOfBedState> = {
  name: 'out-of-bed',
  init: () => ({ wasInBed: null, outSince: null, rawOut: NO_STREAK, rawIn: false, alerted: false, floorId: '', x: 0, y: 0, charging: false }),
  step(state, input, ctx) {
    const { fix } = input;
    const rawIn = inBed(placeOf(input, ctx.zones).here(), ctx);
    // In bed: confirmed by hysteresis, or two fixes in a row in the bed zone (with noisy positioning a
    // small bed zone can take minutes to confirm, and a resident seen in bed must still count).
    const bed = inBed(input.inside, ctx) || (rawIn && state.rawIn);
    const rawOut = extendStreak(state.rawOut, !rawIn, fix.ts);
    // Hysteresis confirms the exit a few fixes late; the time starts when the tag actually left.
    const outSince = bed ? null : state.wasInBed === true ? (rawOut.since ?? fix.ts) : state.outSince;
    const s: OutOfBedState = {
      wasInBed: bed,
      outSince,
      rawOut,
      rawIn,
      alerted: bed ? false : state.alerted,
      floorId: fix.floorId,
      x: fix.x,
      y: fix.y,
      charging: input.charging,
    };
    if (bed) return clearedAtFix(s, state.alerted, 'out_of_bed', 'high', 'back in bed', input, ctx);
    return check(s, fix.ts, input.inside, ctx);
  },
  tick(state, input, ctx) {
    return check(state, input.now, input.inside, ctx);
  },
};

function check(s: OutOfBedState, now: EpochMs, inside: readonly string[], ctx: DetectorContext): DetectorResult<OutOfBedState> {
  const rules = rulesOf(ctx.rules);
  if (!rules.enabled || s.alerted || s.outSince === null || s.charging || !s.floorId) return { state: s, alerts: NO_ALERTS };
  const night = nightStart(now, ctx);
  if (night === null) return { state: s, alerts: NO_ALERTS };
  const from = Math.max(s.outSince, night);
  if (now - from < rules.minutes * 60_000) return { state: s, alerts: NO_ALERTS };
  const detail = `out of bed for ${Math.round((now - s.outSince) / 60_000)} min at night`;
  return { state: { ...s, alerted: true }, alerts: [candidateAt('out_of_bed', 'high', s, inside, now, ctx, { detail })] };
}
