/**
 * A resident's state in words for their family (SPEC §9: the family sees where their relative is only while an
 * alert is open; the rest of the time they get this: in the home, in the grounds, out, asleep). Pure.
 */
import { pointInPolygon } from '../../geo/geometry';
import type { Resident, Site, Zone } from '../../geo/model';
import { inNightWindow } from '../../geo/night-window';

export type RelativeStatus = 'in_home' | 'in_grounds' | 'out' | 'at_home' | 'asleep' | 'no_signal';

/** A tag silent this long says nothing about where its wearer is now. */
export const NO_SIGNAL_AFTER_MS = 15 * 60_000;

export interface StatusInput {
  resident: Pick<Resident, 'community' | 'bedZoneId' | 'homeZoneId'>;
  site: Pick<Site, 'timeZone' | 'nightWindow' | 'floors'>;
  zones: ReadonlyMap<string, Zone> | { get(id: string): Zone | undefined };
  /** Campus outlines of the site's outdoor level. */
  campus: readonly Zone[];
  position: { floorId: string; x: number; y: number; ts: number } | null;
  now: number;
}

export function relativeStatus(i: StatusInput): RelativeStatus {
  const p = i.position;
  if (!p || i.now - p.ts > NO_SIGNAL_AFTER_MS) return 'no_signal';
  const inside = (zoneId: string | null | undefined) => {
    const z = zoneId ? i.zones.get(zoneId) : undefined;
    return !!z && z.floorId === p.floorId && pointInPolygon(p.x, p.y, z.polygon);
  };
  const night = inNightWindow(p.ts, i.site.timeZone, i.site.nightWindow);
  if (i.resident.community) {
    if (!inside(i.resident.homeZoneId)) return 'out';
    return night ? 'asleep' : 'at_home';
  }
  const outdoor = i.site.floors.find((f) => f.id === p.floorId)?.outdoor === true;
  if (!outdoor) return night && inside(i.resident.bedZoneId) ? 'asleep' : 'in_home';
  return i.campus.some((z) => z.floorId === p.floorId && pointInPolygon(p.x, p.y, z.polygon)) ? 'in_grounds' : 'out';
}
