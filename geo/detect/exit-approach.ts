import type { Detector } from './types';

export interface ExitApproachState {
  /** The exit the resident is currently near, or null. */
  near: string | null;
}

/** Leaving "near" needs this much more distance than entering it, so noise at the radius does not re-arm. */
const REARM_EXTRA_M = 1.5;

/**
 * A wander-risk resident within `radiusM` of an exit zone: raised before the exit is crossed,
 * once per approach (it re-arms when the resident has moved clearly away).
 */
export const exitApproach: Detector<ExitApproachState> = {
  name: 'exit-approach',
  init: () => ({ near: null }),
  step(state, { fix, escorted }, ctx) {
    const p = ctx.rules.exitApproach;
    if (p.wanderRiskOnly && !ctx.resident.wanderRisk) return { state, alerts: [] };
    if (state.near) {
      const z = ctx.zone(state.near);
      const still =
        z && z.floorId === fix.floorId && ctx.zones.signedDistance(state.near, fix.x, fix.y) <= p.radiusM + REARM_EXTRA_M;
      if (still) return { state, alerts: [] };
    }
    const exits = ctx.zones.near(fix.floorId, fix.x, fix.y, p.radiusM, ['exit']);
    if (exits.length === 0) return { state: { near: null }, alerts: [] };
    const exit = exits[0];
    if (escorted) return { state: { near: exit.id }, alerts: [] };
    return {
      state: { near: exit.id },
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
