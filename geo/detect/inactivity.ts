import { hypot2 } from '../hypot';
import type { EpochMs, Fix } from '../model';
import { candidateAt, inBed, NO_ALERTS } from './candidate';
import { nightStart } from './night';
import { ruleReader } from './params';
import { placeOf, type FixPlace } from './place';
import type { Detector, DetectorContext, DetectorResult } from './types';

/** Rule section `inactivity`. */
export interface InactivityRules {
  enabled: boolean;
  /** No movement outside the bed for this long at night, minutes. */
  nightMinutes: number;
  /** ...and by day, for the residents it applies to, minutes. */
  dayMinutes: number;
  /** By day too for residents flagged fall-risk. */
  dayForFallRisk: boolean;
  /** By day for everyone. */
  dayForAll: boolean;
  /** Moving further than this (plus half the fix's accuracy) from where the tag lies still is movement, metres. */
  moveRadiusM: number;
  /** Consecutive fixes beyond the radius needed (one multipath outlier is not a step). */
  moveFixes: number;
  /** Accelerometer samples whose magnitude varies more than this (sd, g) are movement. */
  activitySdG: number;
}

const rulesOf = ruleReader<InactivityRules>('inactivity');

export interface InactivityState {
  /** Where the tag lies still (the mean of the still fixes, so one noisy fix does not set it), and since when. */
  ax: number;
  ay: number;
  /** Fixes averaged into (ax, ay), capped. */
  an: number;
  floorId: string;
  stillSince: EpochMs | null;
  /** Consecutive fixes seen beyond the radius, since when, and the sum of their positions. */
  away: number;
  awaySince: EpochMs;
  awayX: number;
  awayY: number;
  alerted: boolean;
  /** Last known position, for ticks. */
  x: number;
  y: number;
  /** The tag lay on its charger at the last fix. */
  charging: boolean;
}

function accelActive(fix: Fix, place: FixPlace, sdG: number): boolean {
  const s = fix.accel?.samples;
  if (!s || s.length < 2) return false;
  const mags = place.magnitudes();
  let sum = 0;
  let sum2 = 0;
  for (let i = 0; i < mags.length; i++) {
    const m = mags[i];
    sum += m;
    sum2 += m * m;
  }
  const mean = sum / s.length;
  return Math.sqrt(Math.max(0, sum2 / s.length - mean * mean)) > sdG;
}

/**
 * No movement for N minutes outside the bed: at night for everyone, by day for fall-risk residents
 * (configurable). Driven by missing movement, so it fires from ticks as well as fixes. A tag on its charger
 * (battery rising, lying where it charges) is not a resident lying still.
 */
export const inactivity: Detector<InactivityState> = {
  name: 'inactivity',
  init: () => ({ ax: 0, ay: 0, an: 0, floorId: '', stillSince: null, away: 0, awaySince: 0, awayX: 0, awayY: 0, alerted: false, x: 0, y: 0, charging: false }),
  step(state, input, ctx) {
    const rules = rulesOf(ctx.rules);
    const { fix } = input;
    const charging = input.charging;
    // Half the reported accuracy on top: the anchor is a mean, and a move needs several fixes that agree.
    const radius = rules.moveRadiusM + 0.5 * Math.max(0, fix.accuracy || 0);
    const otherFloor = fix.floorId !== state.floorId;
    const beyond = state.stillSince === null || otherFloor || hypot2(fix.x - state.ax, fix.y - state.ay) > radius;
    const away = beyond ? state.away + 1 : 0;
    const awaySince = beyond && state.away > 0 ? state.awaySince : fix.ts;
    const awayX = beyond ? state.awayX + fix.x : 0;
    const awayY = beyond ? state.awayY + fix.y : 0;
    // Several fixes in a row beyond the radius, and on average beyond it too: multipath outliers scatter
    // around the true place, a resident who walked off does not.
    const walkedOff = away >= rules.moveFixes && hypot2(awayX / away - state.ax, awayY / away - state.ay) > radius;
    const moved = state.stillSince === null || otherFloor || walkedOff || accelActive(fix, placeOf(input, ctx.zones), rules.activitySdG);
    if (moved) {
      // Movement was under way from the first of the fixes that walked off: the resident may have come to
      // rest anywhere after it, so the new stillness is counted from there (never later than the truth).
      const since = walkedOff ? awaySince : fix.ts;
      const s: InactivityState = {
        ax: fix.x,
        ay: fix.y,
        an: 1,
        floorId: fix.floorId,
        stillSince: since,
        away: 0,
        awaySince: 0,
        awayX: 0,
        awayY: 0,
        alerted: false,
        x: fix.x,
        y: fix.y,
        charging,
      };
      return { state: s, alerts: NO_ALERTS };
    }
    let { ax, ay, an } = state;
    if (!beyond) {
      an = Math.min(an + 1, 30);
      ax += (fix.x - ax) / an;
      ay += (fix.y - ay) / an;
    }
    const s: InactivityState = {
      ax,
      ay,
      an,
      floorId: state.floorId,
      stillSince: state.stillSince,
      away,
      awaySince,
      awayX,
      awayY,
      alerted: state.alerted,
      x: fix.x,
      y: fix.y,
      charging,
    };
    return check(s, fix.ts, input.inside, ctx, rules);
  },
  tick(state, input, ctx) {
    return check(state, input.now, input.inside, ctx, rulesOf(ctx.rules));
  },
};

function check(
  s: InactivityState,
  now: EpochMs,
  inside: readonly string[],
  ctx: DetectorContext,
  rules: InactivityRules,
): DetectorResult<InactivityState> {
  if (!rules.enabled || s.alerted || s.stillSince === null || s.charging) return { state: s, alerts: NO_ALERTS };
  const night = nightStart(now, ctx) !== null;
  const byDay = rules.dayForAll || (rules.dayForFallRisk && ctx.resident.fallRisk);
  if (!night && !byDay) return { state: s, alerts: NO_ALERTS };
  const minutes = night ? rules.nightMinutes : rules.dayMinutes;
  if (now - s.stillSince < minutes * 60_000) return { state: s, alerts: NO_ALERTS };
  // In bed: confirmed, or where the tag lies still (the mean of its fixes, steadier than any one fix) is.
  // Looked up last: a zone query, needed only once the stillness has lasted long enough.
  const here = ctx.zones.containing(s.floorId, s.ax, s.ay);
  if (inBed(inside, ctx) || inBed(here, ctx)) return { state: s, alerts: NO_ALERTS };
  // A community resident's tracker cannot see a bed: lying still at home at night is sleep, not a fall.
  const home = ctx.resident.homeZoneId;
  if (night && home && (inside.includes(home) || here.includes(home))) return { state: s, alerts: NO_ALERTS };
  const detail = `no movement for ${Math.round((now - s.stillSince) / 60_000)} min outside the bed${night ? ' at night' : ''}`;
  return {
    state: { ...s, alerted: true },
    alerts: [candidateAt('inactivity', 'high', { floorId: s.floorId, x: s.x, y: s.y }, inside, now, ctx, { detail })],
  };
}
