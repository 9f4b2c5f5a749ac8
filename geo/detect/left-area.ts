import { NO_ALERTS } from './candidate';
import type { Detector, DetectorContext } from './types';

/**
 * Outdoors: an institution resident left the campus, or a community resident left their home area.
 * Only fixes on an outdoor level count, so walking into a building (which leaves the outdoor
 * level's zones) is not leaving the campus.
 */
/** The resident's home area, or (for an institution resident) the campus. */
function isArea(id: string, home: string | null | undefined, ctx: DetectorContext): boolean {
  return home ? id === home : ctx.zone(id)?.kind === 'campus';
}

export const leftArea: Detector<null> = {
  name: 'left-area',
  init: () => null,
  step(state, { fix, inside, exited }, ctx) {
    if (!ctx.rules.leftArea.enabled || !ctx.floor(fix.floorId)?.outdoor) return { state, alerts: NO_ALERTS };
    const home = ctx.resident.homeZoneId;
    const left = exited.find((id) => isArea(id, home, ctx));
    if (!left || inside.some((id) => isArea(id, home, ctx))) return { state, alerts: NO_ALERTS };
    return {
      state,
      alerts: [
        {
          kind: 'left_area',
          severity: 'critical',
          zoneId: left,
          floorId: fix.floorId,
          position: { x: fix.x, y: fix.y },
          fixTs: fix.ts,
          detail: home ? 'left home area' : 'left campus',
        },
      ],
    };
  },
};
