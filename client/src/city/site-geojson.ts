/**
 * The site's own data as WGS84 GeoJSON for the city map: campus outline, building footprints (the hull of each
 * building's lowest floor), community residents' home areas and the outdoor zones. Pure: no map, no DOM.
 */
import { SiteFrame } from '../../../geo/frame';
import type { SiteDto, ZoneFeature } from '../state/types';

export type CityFeatureKind = 'campus' | 'building' | 'home' | 'safe' | 'exit' | 'forbidden';

export interface CityFeature {
  type: 'Feature';
  geometry: { type: 'Polygon'; coordinates: [number, number][][] };
  properties: { id: string; kind: CityFeatureKind; name: string; nameZh?: string; siteId: string };
}

export interface CityCollection {
  type: 'FeatureCollection';
  features: CityFeature[];
}

const OUTDOOR_KINDS: ReadonlySet<string> = new Set(['campus', 'home', 'safe', 'exit', 'forbidden']);

export function siteFrames(sites: readonly SiteDto[]): Map<string, SiteFrame> {
  return new Map(sites.map((s) => [s.id, new SiteFrame(s.georef)]));
}

export function cityFeatures(sites: readonly SiteDto[]): CityCollection {
  const features: CityFeature[] = [];
  for (const site of sites) {
    const frame = new SiteFrame(site.georef);
    const toLngLat = (ring: readonly [number, number][]) => ring.map(([x, y]) => frame.toLngLat(x, y) as [number, number]);
    const outdoor = new Set(site.floors.filter((f) => f.outdoor).map((f) => f.id));
    for (const z of site.zones.features) {
      if (!outdoor.has(z.properties.floorId) || !OUTDOOR_KINDS.has(z.properties.kind)) continue;
      for (const rings of polygonsOf(z)) {
        features.push({
          type: 'Feature',
          geometry: { type: 'Polygon', coordinates: rings.map(toLngLat) },
          properties: { id: z.properties.id, kind: z.properties.kind as CityFeatureKind, name: z.properties.name, nameZh: z.properties.nameZh, siteId: site.id },
        });
      }
    }
    for (const b of site.buildings) {
      const lowest = site.floors.filter((f) => f.buildingId === b.id).sort((x, y) => x.ordinal - y.ordinal)[0];
      if (!lowest) continue;
      const points = site.zones.features.filter((z) => z.properties.floorId === lowest.id).flatMap((z) => polygonsOf(z).flatMap((rings) => rings[0]));
      const hull = convexHull(points);
      if (hull.length < 4) continue;
      features.push({
        type: 'Feature',
        geometry: { type: 'Polygon', coordinates: [toLngLat(hull)] },
        properties: { id: b.id, kind: 'building', name: b.name, nameZh: b.nameZh, siteId: site.id },
      });
    }
  }
  return { type: 'FeatureCollection', features };
}

function polygonsOf(z: ZoneFeature): [number, number][][][] {
  return z.geometry.type === 'Polygon' ? [z.geometry.coordinates] : z.geometry.coordinates;
}

/** Andrew's monotone chain; the ring comes back closed, counter-clockwise. */
export function convexHull(points: readonly [number, number][]): [number, number][] {
  const p = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (p.length < 3) return [];
  const cross = (o: [number, number], a: [number, number], b: [number, number]) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const lower: [number, number][] = [];
  for (const pt of p) {
    while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], pt) <= 0) lower.pop();
    lower.push(pt);
  }
  const upper: [number, number][] = [];
  for (let i = p.length - 1; i >= 0; i--) {
    while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], p[i]) <= 0) upper.pop();
    upper.push(p[i]);
  }
  const hull = [...lower.slice(0, -1), ...upper.slice(0, -1)];
  return hull.length >= 3 ? [...hull, hull[0]] : [];
}

/** [west, south, east, north] of every coordinate, or null when there is none. */
export function boundsOfCollection(c: CityCollection): [number, number, number, number] | null {
  let w = Infinity;
  let s = Infinity;
  let e = -Infinity;
  let n = -Infinity;
  for (const f of c.features)
    for (const ring of f.geometry.coordinates)
      for (const [x, y] of ring) {
        w = Math.min(w, x);
        s = Math.min(s, y);
        e = Math.max(e, x);
        n = Math.max(n, y);
      }
  return Number.isFinite(w) ? [w, s, e, n] : null;
}
