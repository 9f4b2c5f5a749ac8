import type { RawFix } from './fix-schema';
import type { Refusal } from './fix-validation';
import type { Registry } from '../registry';

/** Where a fix lies in its site's metric frame. */
export interface Placed {
  floorId: string;
  x: number;
  y: number;
  accuracy: number;
}

const INDOOR_ACCURACY_M = 0.5;
const OUTDOOR_ACCURACY_M = 15;
const MAX_LOCAL_M = 100_000;

/**
 * Places a fix in the site's frame: an indoor fix (floorId, x, y) must name a floor of the tag's
 * site; a lat/lon fix goes to the site's outdoor level, projected to local metres. Either must lie
 * within 100 km of the site origin. A missing accuracy takes the positioning system's typical one.
 */
export function placeInSite(registry: Pick<Registry, 'floor' | 'outdoorFloorOf' | 'frame'>, siteId: string, f: RawFix): Placed | Refusal {
  if (f.floorId !== undefined) {
    const ref = registry.floor(f.floorId);
    if (!ref || ref.site.id !== siteId) return { code: 'unknown_floor', reason: `floorId: unknown floor ${f.floorId} for this site` };
    const x = f.x!;
    const y = f.y!;
    if (Math.abs(x) > MAX_LOCAL_M || Math.abs(y) > MAX_LOCAL_M) return { code: 'invalid', reason: `x/y: more than ${MAX_LOCAL_M / 1000} km from the site origin` };
    return { floorId: f.floorId, x, y, accuracy: f.accuracy ?? INDOOR_ACCURACY_M };
  }
  const outdoor = registry.outdoorFloorOf(siteId);
  const frame = registry.frame(siteId);
  if (!outdoor || !frame) return { code: 'unknown_floor', reason: 'this site has no outdoor level for lat/lon fixes' };
  const p = frame.toLocal(f.lon!, f.lat!);
  if (Math.abs(p.x) > MAX_LOCAL_M || Math.abs(p.y) > MAX_LOCAL_M) return { code: 'invalid', reason: `lat/lon: more than ${MAX_LOCAL_M / 1000} km from the site` };
  return { floorId: outdoor, x: p.x, y: p.y, accuracy: f.accuracy ?? OUTDOOR_ACCURACY_M };
}
