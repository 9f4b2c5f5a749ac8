import type { EpochMs } from '../model';
import { candidateAt, isEscorted, NO_ALERTS } from './candidate';
import { ruleReader } from './params';
import { placeOf } from './place';
import type { Detector, DetectorContext, DetectorResult } from './types';

/** Rule section `exitLingering`. */
export interface ExitLingeringRules {
  enabled: boolean;
  /** Within this distance of an exit zone, metres. */
  radiusM: number;
  /** For at least this long, seconds. */
  dwellS: number;
  /** Leaving means going further than radius + this, metres (noise at the edge must not restart the clock). */
  leaveMarginM: number;
  wanderRiskOnly: boolean;
}

const rulesOf = ruleReader<ExitLingeringRules>('exitLingering');

export interface ExitLingeringState {
  nearSince: EpochMs | null;
  exitId: string | null;
  /** Consecutive fixes beyond radius + margin (one multipath outlier does not end a dwell). */
  away: number;
  alerted: boolean;
  floorId: string;
  x: number;
  y: number;
}

/**
 * Lingering near an exit: a resident dwelling within `radiusM` of an exit zone for `dwellS` (waiting for the
 * door to open behind a visitor is the classic escape). Not while escorted by staff.
 */
export const exitLingering: Detector<ExitLingeringState> = {
  name: 'exit-lingering',
  init: () => ({ nearSince: null, exitId: null, away: 0, alerted: false, floorId: '', x: 0, y: 0 }),
  step(state, input, ctx) {
    const rules = rulesOf(ctx.rules);
    const { fix } = input;
    if (!rules.enabled || (rules.wanderRiskOnly && !ctx.resident.wanderRisk) || isEscorted(input)) {
      return { state: reset(fix), alerts: NO_ALERTS };
    }
    const near = placeOf(input, ctx.zones).exitsWithin(rules.radiusM + rules.leaveMarginM);
    let best: { id: string; distance: number } | null = null;
    for (const n of near) if (!best || n.distance < best.distance) best = n;
    if (!best) {
      if (state.nearSince !== null && state.away + 1 < 2) {
        return { state: { ...state, floorId: fix.floorId, x: fix.x, y: fix.y, away: state.away + 1 }, alerts: NO_ALERTS };
      }
      return { state: reset(fix), alerts: NO_ALERTS };
    }
    // Entering the vicinity needs the real radius; the margin only keeps an already running clock going.
    if (state.nearSince === null && best.distance > rules.radiusM) {
      return { state: { ...state, floorId: fix.floorId, x: fix.x, y: fix.y, away: 0 }, alerts: NO_ALERTS };
    }
    const s: ExitLingeringState = {
      nearSince: state.nearSince ?? fix.ts,
      exitId: best.id,
      away: 0,
      alerted: state.alerted,
      floorId: fix.floorId,
      x: fix.x,
      y: fix.y,
    };
    return check(s, fix.ts, ctx, rules);
  },
  tick(state, input, ctx) {
    const rules = rulesOf(ctx.rules);
    if (!rules.enabled || isEscorted(input)) return { state, alerts: NO_ALERTS };
    return check(state, input.now, ctx, rules);
  },
};

/** Not near an exit: the position kept for ticks, nothing else. */
function reset(fix: { floorId: string; x: number; y: number }): ExitLingeringState {
  return { nearSince: null, exitId: null, away: 0, alerted: false, floorId: fix.floorId, x: fix.x, y: fix.y };
}

function check(s: ExitLingeringState, now: EpochMs, ctx: DetectorContext, rules: ExitLingeringRules): DetectorResult<ExitLingeringState> {
  if (s.alerted || s.nearSince === null || now - s.nearSince < rules.dwellS * 1000) return { state: s, alerts: NO_ALERTS };
  const exitName = s.exitId ? (ctx.zone(s.exitId)?.name ?? s.exitId) : 'an exit';
  const detail = `lingering near ${exitName} for ${Math.round((now - s.nearSince) / 1000)} s`;
  const c = candidateAt('exit_lingering', 'high', s, [], now, ctx, { detail });
  c.zoneId = s.exitId;
  return { state: { ...s, alerted: true }, alerts: [c] };
}
