import type { EpochMs } from '../model';
import { candidateAt, isEscorted } from './candidate';
import { ruleSection } from './params';
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
    const rules = ruleSection<ExitLingeringRules>(ctx.rules, 'exitLingering');
    const { fix } = input;
    const base = { ...state, floorId: fix.floorId, x: fix.x, y: fix.y };
    const reset = { ...base, nearSince: null, exitId: null, away: 0, alerted: false };
    if (!rules.enabled || (rules.wanderRiskOnly && !ctx.resident.wanderRisk) || isEscorted(input)) {
      return { state: reset, alerts: [] };
    }
    const near = ctx.zones.near(fix.floorId, fix.x, fix.y, rules.radiusM + rules.leaveMarginM, ['exit']);
    let best: { id: string; distance: number } | null = null;
    for (const n of near) if (!best || n.distance < best.distance) best = n;
    if (!best) {
      if (base.nearSince !== null && base.away + 1 < 2) return { state: { ...base, away: base.away + 1 }, alerts: [] };
      return { state: reset, alerts: [] };
    }
    let s: ExitLingeringState = { ...base, away: 0 };
    if (s.nearSince === null) {
      // Entering the vicinity needs the real radius; the margin only keeps an already running clock going.
      if (best.distance > rules.radiusM) return { state: s, alerts: [] };
      s = { ...s, nearSince: fix.ts, exitId: best.id };
    } else {
      s = { ...s, exitId: best.id };
    }
    return check(s, fix.ts, ctx, rules);
  },
  tick(state, input, ctx) {
    const rules = ruleSection<ExitLingeringRules>(ctx.rules, 'exitLingering');
    if (!rules.enabled || isEscorted(input)) return { state, alerts: [] };
    return check(state, input.now, ctx, rules);
  },
};

function check(s: ExitLingeringState, now: EpochMs, ctx: DetectorContext, rules: ExitLingeringRules): DetectorResult<ExitLingeringState> {
  if (s.alerted || s.nearSince === null || now - s.nearSince < rules.dwellS * 1000) return { state: s, alerts: [] };
  const exitName = s.exitId ? (ctx.zone(s.exitId)?.name ?? s.exitId) : 'an exit';
  const detail = `lingering near ${exitName} for ${Math.round((now - s.nearSince) / 1000)} s`;
  const c = candidateAt('exit_lingering', 'high', s, [], now, ctx, { detail });
  c.zoneId = s.exitId;
  return { state: { ...s, alerted: true }, alerts: [c] };
}
