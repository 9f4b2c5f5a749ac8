import { NO_ALERTS } from './candidate';
import type { Detector } from './types';

export interface LeftSafeZoneState {
  /** ts of the fix when the resident was first confirmed outside every safe zone, or null while inside. */
  outsideSince: number | null;
  /** The safe zone last left. */
  leftZone: string | null;
  alerted: boolean;
}

/**
 * The resident has left all of their safe zones (confirmed by the membership hysteresis) and stayed
 * out for a short grace, which also covers moving between two safe zones on different floors.
 */
export const leftSafeZone: Detector<LeftSafeZoneState> = {
  name: 'left-safe-zone',
  init: () => ({ outsideSince: null, leftZone: null, alerted: false }),
  step(state, { fix, inside, exited, escorted }, ctx) {
    const safe = ctx.resident.safeZoneIds;
    if (!ctx.rules.leftSafeZone.enabled || safe.length === 0) return { state, alerts: NO_ALERTS };
    if (inside.some((id) => safe.includes(id))) {
      const clear = state.outsideSince === null && state.leftZone === null && !state.alerted;
      return { state: clear ? state : leftSafeZone.init(), alerts: NO_ALERTS };
    }
    const left = exited.find((id) => safe.includes(id));
    let next = state;
    if (left && state.outsideSince === null) next = { outsideSince: fix.ts, leftZone: left, alerted: false };
    if (next.outsideSince === null || next.alerted || escorted) return { state: next, alerts: NO_ALERTS };
    if (fix.ts - next.outsideSince < ctx.rules.leftSafeZone.graceMs) return { state: next, alerts: NO_ALERTS };
    // Arriving in another safe zone: the membership confirms a zone only after `minFixes` fixes, which
    // outlasts the grace when the tag reports slowly (ward -> lift -> garden with a GPS tag at one fix
    // every 10 s). While the fix itself lies inside one of the resident's safe zones, they are not out.
    if (safe.some((id) => ctx.zone(id)?.floorId === fix.floorId && ctx.zones.signedDistance(id, fix.x, fix.y) < 0)) {
      return { state: next, alerts: NO_ALERTS };
    }
    return {
      state: { ...next, alerted: true },
      alerts: [
        {
          kind: 'left_safe_zone',
          severity: 'high',
          zoneId: next.leftZone,
          floorId: fix.floorId,
          position: { x: fix.x, y: fix.y },
          fixTs: fix.ts,
          detail: `left ${ctx.zone(next.leftZone ?? '')?.name ?? 'safe zone'}`,
        },
      ],
    };
  },
};
