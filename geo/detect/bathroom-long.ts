import type { EpochMs } from '../model';
import { candidateAt, clearedAtFix, inBathroom, NO_ALERTS } from './candidate';
import { nightStart } from './night';
import { extendStreak, NO_STREAK, type Streak } from './streak';
import { ruleReader } from './params';
import { placeOf } from './place';
import type { Detector, DetectorContext, DetectorResult } from './types';

/** Rule section `bathroomLong`. */
export interface BathroomLongRules {
  enabled: boolean;
  /** In the bathroom this long, minutes. */
  minutes: number;
  /** Only in the night window (by day staff are around and visits are longer: bathing, help). */
  nightOnly: boolean;
}

const rulesOf = ruleReader<BathroomLongRules>('bathroomLong');

export interface BathroomLongState {
  inSince: EpochMs | null;
  /** The current run of fixes inside a bathroom, before hysteresis confirms the entry. */
  rawIn: Streak;
  alerted: boolean;
  floorId: string;
  x: number;
  y: number;
  /** The tag lay on its charger at the last fix. */
  charging: boolean;
}

/** Night: in the bathroom too long. Fires from fixes and ticks; leaving the bathroom clears it. */
export const bathroomLong: Detector<BathroomLongState> = {
  name: 'bathroom-long',
  init: () => ({ inSince: null, rawIn: NO_STREAK, alerted: false, floorId: '', x: 0, y: 0, charging: false }),
  step(state, input, ctx) {
    const { fix } = input;
    const inside = inBathroom(input.inside, ctx);
    const rawIn = extendStreak(state.rawIn, inBathroom(placeOf(input, ctx.zones).here(), ctx), fix.ts);
    // Hysteresis confirms the entry a few fixes late; the time starts when the tag actually went in.
    const inSince = !inside ? null : state.inSince === null ? (rawIn.since ?? fix.ts) : state.inSince;
    const s: BathroomLongState = {
      inSince,
      rawIn,
      alerted: inside ? state.alerted : false,
      floorId: fix.floorId,
      x: fix.x,
      y: fix.y,
      charging: input.charging,
    };
    if (!inside) return clearedAtFix(s, state.alerted, 'bathroom_long', 'high', 'left the bathroom', input, ctx);
    return check(s, fix.ts, input.inside, ctx);
  },
  tick(state, input, ctx) {
    return check(state, input.now, input.inside, ctx);
  },
};

function check(s: BathroomLongState, now: EpochMs, inside: readonly string[], ctx: DetectorContext): DetectorResult<BathroomLongState> {
  const rules = rulesOf(ctx.rules);
  if (!rules.enabled || s.alerted || s.inSince === null || s.charging) return { state: s, alerts: NO_ALERTS };
  let from = s.inSince;
  if (rules.nightOnly) {
    const night = nightStart(now, ctx);
    if (night === null) return { state: s, alerts: NO_ALERTS };
    from = Math.max(from, night);
  }
  if (now - from < rules.minutes * 60_000) return { state: s, alerts: NO_ALERTS };
  const detail = `in the bathroom for ${Math.round((now - s.inSince) / 60_000)} min`;
  return { state: { ...s, alerted: true }, alerts: [candidateAt('bathroom_long', 'high', s, inside, now, ctx, { detail })] };
}
