import RBush from 'rbush';
import type { Zone, ZoneKind } from './model';

interface Entry {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
  /** integer zone id: position in ZoneIndex.zones */
  i: number;
}

export interface NearZone {
  id: string;
  /** Signed distance from the point to the zone's boundary, metres: negative inside. */
  distance: number;
}

/**
 * R-tree over zone polygons, one tree per floor. A query prefilters by bounding box and then
 * tests the exact polygon (even-odd ray casting over flat coordinate arrays, so holes work and
 * nothing is allocated per vertex). Zones are addressed by integer ids (their position in
 * `zones`) on the hot path and by string id at the edges.
 */
export class ZoneIndex {
  readonly zones: readonly Zone[];
  private readonly byId = new Map<string, number>();
  private readonly trees = new Map<string, RBush<Entry>>();
  /** rings[i] = the zone's rings as flat [x0, y0, x1, y1, ...] (closing point included). */
  private readonly rings: Float64Array[][] = [];
  private readonly kinds: ZoneKind[] = [];
  /** 2·area/perimeter: the inradius of a regular shape, about half the short side of a rectangle. */
  private readonly halfWidths: number[] = [];

  constructor(zones: readonly Zone[]) {
    this.zones = zones;
    const perFloor = new Map<string, Entry[]>();
    zones.forEach((zone, i) => {
      if (this.byId.has(zone.id)) throw new Error(`duplicate zone id ${zone.id}`);
      this.byId.set(zone.id, i);
      this.kinds.push(zone.kind);
      const flat = zone.polygon.map((ring) => {
        const a = new Float64Array(ring.length * 2);
        ring.forEach(([x, y], k) => {
          a[2 * k] = x;
          a[2 * k + 1] = y;
        });
        return a;
      });
      this.rings.push(flat);
      const outer = flat[0];
      this.halfWidths.push(halfWidth(outer));
      let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
      for (let k = 0; k < outer.length; k += 2) {
        if (outer[k] < minX) minX = outer[k];
        if (outer[k] > maxX) maxX = outer[k];
        if (outer[k + 1] < minY) minY = outer[k + 1];
        if (outer[k + 1] > maxY) maxY = outer[k + 1];
      }
      let list = perFloor.get(zone.floorId);
      if (!list) perFloor.set(zone.floorId, (list = []));
      list.push({ minX, minY, maxX, maxY, i });
    });
    for (const [floorId, entries] of perFloor) this.trees.set(floorId, new RBush<Entry>().load(entries));
  }

  /** The zone with this string id. */
  zone(id: string): Zone | undefined {
    const i = this.byId.get(id);
    return i === undefined ? undefined : this.zones[i];
  }

  /** Integer id of a zone, or -1. */
  indexOf(id: string): number {
    return this.byId.get(id) ?? -1;
  }

  /** Ids of the zones on `floorId` that contain the point. */
  containing(floorId: string, x: number, y: number): string[] {
    const out: number[] = [];
    this.containingIds(floorId, x, y, out);
    return out.map((i) => this.zones[i].id);
  }

  /** Integer ids of the zones containing the point, appended to `out`; returns the count. */
  containingIds(floorId: string, x: number, y: number, out: number[]): number {
    const tree = this.trees.get(floorId);
    if (!tree) return 0;
    let n = 0;
    for (const e of tree.search({ minX: x, minY: y, maxX: x, maxY: y })) {
      if (pointInRings(this.rings[e.i], x, y)) {
        out.push(e.i);
        n++;
      }
    }
    return n;
  }

  /**
   * Zones on `floorId` whose polygon lies within `radiusM` of the point (containing it or not),
   * with the signed distance to their boundary; optionally only some kinds. Sorted nearest first.
   */
  near(floorId: string, x: number, y: number, radiusM: number, kinds?: readonly ZoneKind[]): NearZone[] {
    const tree = this.trees.get(floorId);
    if (!tree) return [];
    const out: NearZone[] = [];
    for (const e of tree.search({ minX: x - radiusM, minY: y - radiusM, maxX: x + radiusM, maxY: y + radiusM })) {
      if (kinds && !kinds.includes(this.kinds[e.i])) continue;
      const d = this.signedDistanceById(e.i, x, y);
      if (d <= radiusM) out.push({ id: this.zones[e.i].id, distance: d });
    }
    out.sort((a, b) => a.distance - b.distance);
    return out;
  }

  /** Signed distance from the point to a zone's boundary (negative inside), by string id. */
  signedDistance(id: string, x: number, y: number): number {
    const i = this.byId.get(id);
    if (i === undefined) throw new Error(`unknown zone ${id}`);
    return this.signedDistanceById(i, x, y);
  }

  signedDistanceById(i: number, x: number, y: number): number {
    const rings = this.rings[i];
    let best = Infinity;
    for (const r of rings) {
      const d = distanceToRing(r, x, y);
      if (d < best) best = d;
    }
    return pointInRings(rings, x, y) ? -best : best;
  }

  /** About half the narrow width of a zone, metres: caps hysteresis margins so small zones (a bed) can be entered. */
  halfWidth(id: string): number {
    const i = this.byId.get(id);
    return i === undefined ? 0 : this.halfWidths[i];
  }

  /** Floors that have at least one zone. */
  floors(): string[] {
    return [...this.trees.keys()];
  }
}

/** Even-odd rule over all rings: a point in a hole crosses an even number of edges. */
export function pointInRings(rings: readonly Float64Array[], x: number, y: number): boolean {
  let inside = false;
  for (const r of rings) {
    const n = r.length;
    for (let k = 0, j = n - 2; k < n; j = k, k += 2) {
      const yi = r[k + 1], yj = r[j + 1];
      if (yi > y !== yj > y) {
        const xi = r[k], xj = r[j];
        if (x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
      }
    }
  }
  return inside;
}

function distanceToRing(r: Float64Array, x: number, y: number): number {
  let best2 = Infinity;
  for (let k = 0; k + 3 < r.length; k += 2) {
    const ax = r[k], ay = r[k + 1], bx = r[k + 2], by = r[k + 3];
    const dx = bx - ax, dy = by - ay;
    const len2 = dx * dx + dy * dy;
    let t = len2 > 0 ? ((x - ax) * dx + (y - ay) * dy) / len2 : 0;
    if (t < 0) t = 0;
    else if (t > 1) t = 1;
    const px = ax + t * dx - x, py = ay + t * dy - y;
    const d2 = px * px + py * py;
    if (d2 < best2) best2 = d2;
  }
  return Math.sqrt(best2);
}

function halfWidth(r: Float64Array): number {
  let area2 = 0;
  let perimeter = 0;
  for (let k = 0; k + 3 < r.length; k += 2) {
    area2 += r[k] * r[k + 3] - r[k + 2] * r[k + 1];
    perimeter += Math.hypot(r[k + 2] - r[k], r[k + 3] - r[k + 1]);
  }
  return perimeter > 0 ? Math.abs(area2) / perimeter : 0;
}
