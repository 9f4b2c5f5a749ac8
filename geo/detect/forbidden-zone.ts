import { NO_ALERTS } from './candidate';
import type { Detector } from './types';

/** Entering a zone of kind `forbidden` (wander-risk residents by default) or one on the resident's own list. */
export const forbiddenZone: Detector<null> = {
  name: 'forbidden-zone',
  init: () => null,
  step(state, { fix, entered }, ctx) {
    const p = ctx.rules.forbiddenZone;
    if (!p.enabled || entered.length === 0) return { state, alerts: NO_ALERTS };
    const own = ctx.resident.forbiddenZoneIds;
    const bySite = p.allResidents || ctx.resident.wanderRisk;
    const hit = entered.find((id) => own.includes(id) || (bySite && ctx.zone(id)?.kind === 'forbidden'));
    if (!hit) return { state, alerts: NO_ALERTS };
    return {
      state,
      alerts: [
        {
          kind: 'forbidden_zone',
          severity: 'high',
          zoneId: hit,
          floorId: fix.floorId,
          position: { x: fix.x, y: fix.y },
          fixTs: fix.ts,
          detail: `entered ${ctx.zone(hit)?.name ?? hit}`,
        },
      ],
    };
  },
};
