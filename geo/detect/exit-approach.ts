import { NO_ALERTS } from './candidate';
import { placeOf } from './place';
import type { Detector } from './types';

export interface ExitApproachState {
  /** The exit the resident is currently near, or null. */
  near: string | null;
  /** Consecutive fixes clearly away from that exit (one noisy fix does not end an approach). */
  away?: number;
}

/**
 * Leaving "near" needs this much more distance than entering it, so noise at the radius does not
 * re-arm; with a coarse fix (GPS at a gate) the fix's own margin (accuracy × the hysteresis factor)
 * when that is larger.
 */
const REARM_EXTRA_M = 1.5;

/**
 * A wander-risk resident within `radiusM` of an exit zone: raised before the exit is crossed,
 * once per approach. It re-arms when the resident has moved clearly away (beyond the radius plus
 * the re-arm margin for `hysteresis.minFixes` fixes in a row) or changed floor.
 */
export const exitApproach: Detector<ExitApproachState> = {
  name: 'exit-approach',
  init: () => ({ near: null, away: 0 }),
  step(state, input, ctx) {
    const { fix, escorted } = input;
    const p = ctx.rules.exitApproach;
    if (p.wanderRiskOnly && !ctx.resident.wanderRisk) return { state, alerts: NO_ALERTS };
    if (state.near) {
      const z = ctx.zone(state.near);
      if (z && z.floorId === fix.floorId) {
        const h = ctx.rules.hysteresis;
        const extra = Math.max(REARM_EXTRA_M, Math.min(h.maxMarginM, fix.accuracy * h.accuracyFactor));
        if (ctx.zones.signedDistance(state.near, fix.x, fix.y) <= p.radiusM + extra) {
          return { state: state.away ? { near: state.near, away: 0 } : state, alerts: NO_ALERTS };
        }
        const away = (state.away ?? 0) + 1;
        if (away < h.minFixes) return { state: { near: state.near, away }, alerts: NO_ALERTS };
      }
    }
    const exits = placeOf(input, ctx.zones).exitsWithin(p.radiusM);
    if (exits.length === 0) return { state: { near: null, away: 0 }, alerts: NO_ALERTS };
    const exit = exits[0];
    if (escorted) return { state: { near: exit.id, away: 0 }, alerts: NO_ALERTS };
    return {
      state: { near: exit.id, away: 0 },
      alerts: [
        {
          kind: 'exit_approach',
          severity: 'high',
          zoneId: exit.id,
          floorId: fix.floorId,
          position: { x: fix.x, y: fix.y },
          fixTs: fix.ts,
          detail: `${Math.max(0, exit.distance).toFixed(1)} m from ${ctx.zone(exit.id)?.name ?? exit.id}`,
        },
      ],
    };
  },
};
