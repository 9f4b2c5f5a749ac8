import type { Zone, ZoneKind } from './model';

export interface NearZone {
  id: string;
  /** Signed distance from the point to the zone's boundary, metres: negative inside. */
  distance: number;
}

/**
 * Children per tree node. Floors hold about a hundred zones; a fan-out of 8 gives three shallow
 * levels, and measured faster than 4 or 16 on the synthetic institution (bench/geofence.ts).
 */
const NODE_SIZE = 8;

/**
 * Grid cells per zone on a floor. Point queries go through a uniform grid whose cells know which
 * zones cover them outright; 16 cells a zone gives indoor cells of about a metre and measured best
 * (bench/geofence.ts) against 4 and 64.
 */
const CELLS_PER_ZONE = 16;

/**
 * One floor's zones over a uniform grid, for point queries. Each cell lists the zones that meet it,
 * as `zone << 1 | covered`: a covered zone contains the whole cell (the cell's centre lies deeper
 * inside than half the cell's diagonal), so a point there needs no test at all; the others are
 * tested exactly. Zones whose polygon stays clear of a cell (though their box overlaps it: a T-shaped
 * corridor over the rooms beside it) are not listed.
 */
interface FloorGrid {
  x0: number;
  y0: number;
  /** 1 / cell size */
  inv: number;
  nx: number;
  ny: number;
  /** cellStart[c]..cellStart[c + 1]: cell c's entries; cells run row by row */
  cellStart: Int32Array;
  entries: Int32Array;
}

/**
 * One floor's zones as a static packed R-tree (the Flatbush layout): the leaf boxes first, in
 * Hilbert order of their centres, then each level of parent boxes up to the root, 4 numbers an entry.
 * A leaf's `ids` entry is the zone's integer id; a parent's is the offset of its first child, and
 * `ends` the offset just past its last.
 */
interface FloorTree {
  boxes: Float64Array;
  ids: Int32Array;
  ends: Int32Array;
  /** offset in `boxes` where the parents begin */
  leafEnd: number;
  /** offset of the root */
  root: number;
}

/**
 * Static spatial index of zone polygons, one packed R-tree per floor. A query prefilters by bounding
 * box and then tests the exact polygon (even-odd ray casting over one flat coordinate array, so holes
 * work and nothing is allocated per query). Zones are addressed by integer ids (their position in
 * `zones`) on the hot path and by string id at the edges.
 */
export class ZoneIndex {
  readonly zones: readonly Zone[];
  private readonly byId = new Map<string, number>();
  private readonly trees = new Map<string, FloorTree>();
  private readonly grids = new Map<string, FloorGrid>();
  /** Every ring of every zone as [x0, y0, x1, y1, ...] (closing point included), back to back. */
  private readonly coords: Float64Array;
  /** ringStart[r]..ringStart[r + 1]: ring r's numbers in `coords`. */
  private readonly ringStart: Int32Array;
  /** zoneRing[i]..zoneRing[i + 1]: zone i's rings, outer first. */
  private readonly zoneRing: Int32Array;
  /** Bounding box of each zone's outer ring: minX, minY, maxX, maxY. */
  private readonly bbox: Float64Array;
  /**
   * 1 where a zone is an axis-aligned rectangle without holes: for it the even-odd rule reduces
   * exactly to minX <= x < maxX && minY <= y < maxY, so no edge is walked. Most rooms, beds and
   * bathrooms are such rectangles.
   */
  private readonly isRect: Uint8Array;
  private readonly kinds: ZoneKind[] = [];
  /** About half the narrow width of each zone (see halfWidth below). */
  private readonly halfWidths: Float64Array;
  /** Traversal stack shared by all queries (they never nest); sized for the deepest floor. */
  private stack: Int32Array;
  /** Candidates of a box query (near), reused. */
  private readonly scratch: number[] = [];

  constructor(zones: readonly Zone[]) {
    this.zones = zones;
    let nRings = 0, nCoords = 0;
    for (const z of zones) {
      nRings += z.polygon.length;
      for (const ring of z.polygon) nCoords += ring.length * 2;
    }
    this.coords = new Float64Array(nCoords);
    this.ringStart = new Int32Array(nRings + 1);
    this.zoneRing = new Int32Array(zones.length + 1);
    this.bbox = new Float64Array(zones.length * 4);
    this.isRect = new Uint8Array(zones.length);
    this.halfWidths = new Float64Array(zones.length);
    const perFloor = new Map<string, number[]>();
    let r = 0, c = 0;
    zones.forEach((zone, i) => {
      if (this.byId.has(zone.id)) throw new Error(`duplicate zone id ${zone.id}`);
      this.byId.set(zone.id, i);
      this.kinds.push(zone.kind);
      this.zoneRing[i] = r;
      for (const ring of zone.polygon) {
        this.ringStart[r++] = c;
        for (const [x, y] of ring) {
          this.coords[c++] = x;
          this.coords[c++] = y;
        }
      }
      this.ringStart[r] = c;
      const s = this.ringStart[this.zoneRing[i]];
      const e = zone.polygon.length > 0 ? this.ringStart[this.zoneRing[i] + 1] : s;
      let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
      for (let k = s; k < e; k += 2) {
        const x = this.coords[k], y = this.coords[k + 1];
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        if (y > maxY) maxY = y;
      }
      this.bbox.set([minX, minY, maxX, maxY], i * 4);
      this.isRect[i] = zone.polygon.length === 1 && isAxisRect(this.coords, s, e, minX, minY, maxX, maxY) ? 1 : 0;
      this.halfWidths[i] = halfWidth(this.coords, this.ringStart, this.zoneRing[i], r);
      if (e > s) {
        let list = perFloor.get(zone.floorId);
        if (!list) perFloor.set(zone.floorId, (list = []));
        list.push(i);
      }
    });
    this.zoneRing[zones.length] = r;
    let depth = 1;
    for (const [floorId, ids] of perFloor) {
      const { tree, levels } = pack(ids, this.bbox);
      this.trees.set(floorId, tree);
      this.grids.set(floorId, this.grid(ids));
      depth = Math.max(depth, levels);
    }
    this.stack = new Int32Array(depth * NODE_SIZE + 1);
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
    const g = this.grids.get(floorId);
    if (!g) return 0;
    // Nothing contains a point at or beyond a floor's max x or y (the even-odd ray runs to +x), so
    // the grid need only span [x0, maxX) × [y0, maxY).
    const ix = Math.floor((x - g.x0) * g.inv);
    const iy = Math.floor((y - g.y0) * g.inv);
    if (!(ix >= 0 && ix < g.nx && iy >= 0 && iy < g.ny)) return 0;
    const cell = iy * g.nx + ix;
    const entries = g.entries;
    const bbox = this.bbox;
    let n = 0;
    for (let k = g.cellStart[cell], end = g.cellStart[cell + 1]; k < end; k++) {
      const e = entries[k];
      const i = e >> 1;
      if ((e & 1) === 0) {
        const inside = this.isRect[i]
          ? x >= bbox[4 * i] && y >= bbox[4 * i + 1] && x < bbox[4 * i + 2] && y < bbox[4 * i + 3]
          : this.pointInZone(i, x, y);
        if (!inside) continue;
      }
      out.push(i);
      n++;
    }
    return n;
  }

  /** Integer ids of the zones containing the point found through the R-tree: the reference the grid is checked against. */
  containingIdsByTree(floorId: string, x: number, y: number, out: number[]): number {
    const t = this.trees.get(floorId);
    if (!t) return 0;
    const cand = this.scratch;
    cand.length = 0;
    this.searchBox(t, x, y, x, y, cand);
    let n = 0;
    for (const i of cand) {
      if (this.pointInZone(i, x, y)) {
        out.push(i);
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
    const t = this.trees.get(floorId);
    if (!t) return [];
    const cand = this.scratch;
    cand.length = 0;
    this.searchBox(t, x - radiusM, y - radiusM, x + radiusM, y + radiusM, cand);
    const out: NearZone[] = [];
    for (const i of cand) {
      if (kinds && !kinds.includes(this.kinds[i])) continue;
      const d = this.signedDistanceById(i, x, y);
      if (d <= radiusM) out.push({ id: this.zones[i].id, distance: d });
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
    let best = Infinity;
    for (let r = this.zoneRing[i]; r < this.zoneRing[i + 1]; r++) {
      const d = distanceToRing(this.coords, this.ringStart[r], this.ringStart[r + 1], x, y);
      if (d < best) best = d;
    }
    return this.pointInZone(i, x, y) ? -best : best;
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

  /** Build one floor's grid over its zones' boxes (see FloorGrid). */
  private grid(zoneIds: readonly number[]): FloorGrid {
    const b = this.bbox;
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (const i of zoneIds) {
      x0 = Math.min(x0, b[4 * i]);
      y0 = Math.min(y0, b[4 * i + 1]);
      x1 = Math.max(x1, b[4 * i + 2]);
      y1 = Math.max(y1, b[4 * i + 3]);
    }
    const w = x1 - x0, h = y1 - y0;
    const cells = CELLS_PER_ZONE * zoneIds.length;
    const size = Math.max(Math.sqrt((w * h) / cells), Math.max(w, h) / cells, 1e-6);
    const inv = 1 / size;
    // floor(extent / size) + 1 cells: a point just short of the max edge cannot round past the last cell.
    const nx = Math.floor(w * inv) + 1, ny = Math.floor(h * inv) + 1;
    // A cell is covered when its centre is deeper inside than half its diagonal (plus a micrometre
    // for the rounding of a point into its cell): then no edge passes through it.
    const clear = (size * Math.SQRT2) / 2 + 1e-6;
    const cellOf = (v: number, v0: number, n: number) => Math.min(n - 1, Math.max(0, Math.floor((v - v0) * inv)));
    const lists: number[][] = Array.from({ length: nx * ny }, () => []);
    for (const i of zoneIds) {
      const cx0 = cellOf(b[4 * i], x0, nx), cx1 = cellOf(b[4 * i + 2], x0, nx);
      const cy0 = cellOf(b[4 * i + 1], y0, ny), cy1 = cellOf(b[4 * i + 3], y0, ny);
      for (let cy = cy0; cy <= cy1; cy++) {
        for (let cx = cx0; cx <= cx1; cx++) {
          const d = this.signedDistanceById(i, x0 + (cx + 0.5) * size, y0 + (cy + 0.5) * size);
          if (d > clear) continue; // the polygon stays clear of this cell
          lists[cy * nx + cx].push((i << 1) | (d < -clear ? 1 : 0));
        }
      }
    }
    const cellStart = new Int32Array(nx * ny + 1);
    let total = 0;
    lists.forEach((l, c) => {
      cellStart[c] = total;
      total += l.length;
    });
    cellStart[nx * ny] = total;
    const entries = new Int32Array(total);
    lists.forEach((l, c) => entries.set(l, cellStart[c]));
    return { x0, y0, inv, nx, ny, cellStart, entries };
  }

  /** Even-odd rule over the zone's rings (a point in a hole crosses an even number of edges). */
  private pointInZone(i: number, x: number, y: number): boolean {
    const c = this.coords;
    let inside = false;
    for (let r = this.zoneRing[i], rEnd = this.zoneRing[i + 1]; r < rEnd; r++) {
      const s = this.ringStart[r], e = this.ringStart[r + 1];
      for (let k = s, j = e - 2; k < e; j = k, k += 2) {
        const yi = c[k + 1], yj = c[j + 1];
        if (yi > y !== yj > y) {
          const xi = c[k], xj = c[j];
          if (x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
        }
      }
    }
    return inside;
  }

  /** Integer ids of the zones whose bounding box meets the box, appended to `out`. */
  private searchBox(t: FloorTree, minX: number, minY: number, maxX: number, maxY: number, out: number[]): void {
    const { boxes, ids, ends, leafEnd } = t;
    const stack = this.stack;
    let sp = 0;
    stack[sp++] = t.root;
    while (sp > 0) {
      const node = stack[--sp] >> 2;
      for (let q = ids[node], end = ends[node]; q < end; q += 4) {
        if (maxX < boxes[q] || maxY < boxes[q + 1] || minX > boxes[q + 2] || minY > boxes[q + 3]) continue;
        if (q >= leafEnd) stack[sp++] = q;
        else out.push(ids[q >> 2]);
      }
    }
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

/**
 * Pack one floor's zones (leaves in Hilbert order, then NODE_SIZE children a parent, level by level).
 * Returns the tree and its number of levels, root included.
 */
function pack(zoneIds: readonly number[], bbox: Float64Array): { tree: FloorTree; levels: number } {
  const n = zoneIds.length;
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const i of zoneIds) {
    minX = Math.min(minX, bbox[4 * i]);
    minY = Math.min(minY, bbox[4 * i + 1]);
    maxX = Math.max(maxX, bbox[4 * i + 2]);
    maxY = Math.max(maxY, bbox[4 * i + 3]);
  }
  const w = maxX - minX || 1, h = maxY - minY || 1;
  const H = (1 << 16) - 1;
  const order = zoneIds
    .map((i) => ({
      i,
      h: hilbert(
        Math.floor((H * ((bbox[4 * i] + bbox[4 * i + 2]) / 2 - minX)) / w),
        Math.floor((H * ((bbox[4 * i + 1] + bbox[4 * i + 3]) / 2 - minY)) / h),
      ),
    }))
    .sort((a, b) => a.h - b.h || a.i - b.i);

  // Entries per level, leaves first, until a single root.
  const counts = [n];
  while (counts[counts.length - 1] > 1) counts.push(Math.ceil(counts[counts.length - 1] / NODE_SIZE));
  if (counts.length === 1) counts.push(1); // one leaf still gets a root above it
  const total = counts.reduce((a, b) => a + b, 0);
  const boxes = new Float64Array(total * 4);
  const ids = new Int32Array(total);
  const ends = new Int32Array(total);
  order.forEach(({ i }, k) => {
    boxes.set(bbox.subarray(4 * i, 4 * i + 4), 4 * k);
    ids[k] = i;
  });
  let from = 0, pos = n;
  for (let level = 1; level < counts.length; level++) {
    const levelEnd = from + counts[level - 1];
    for (let child = from; child < levelEnd; child += NODE_SIZE) {
      const last = Math.min(child + NODE_SIZE, levelEnd);
      let a = Infinity, b = Infinity, c = -Infinity, d = -Infinity;
      for (let k = child; k < last; k++) {
        a = Math.min(a, boxes[4 * k]);
        b = Math.min(b, boxes[4 * k + 1]);
        c = Math.max(c, boxes[4 * k + 2]);
        d = Math.max(d, boxes[4 * k + 3]);
      }
      boxes.set([a, b, c, d], 4 * pos);
      ids[pos] = 4 * child;
      ends[pos] = 4 * last;
      pos++;
    }
    from = levelEnd;
  }
  return { tree: { boxes, ids, ends, leafEnd: 4 * n, root: 4 * (total - 1) }, levels: counts.length };
}

/** Whether coords[s..e) is a closed ring over exactly the four corners of its bounding box, walked edge by edge. */
function isAxisRect(c: Float64Array, s: number, e: number, minX: number, minY: number, maxX: number, maxY: number): boolean {
  if (e - s !== 10 || !(minX < maxX && minY < maxY)) return false;
  if (c[s] !== c[e - 2] || c[s + 1] !== c[e - 1]) return false;
  let corners = 0;
  for (let k = s; k < e - 2; k += 2) {
    const x = c[k], y = c[k + 1];
    if ((x !== minX && x !== maxX) || (y !== minY && y !== maxY)) return false;
    corners |= 1 << ((x === maxX ? 1 : 0) + (y === maxY ? 2 : 0));
    const nx = c[k + 2], ny = c[k + 3];
    if ((nx !== x) === (ny !== y)) return false; // each edge moves along exactly one axis
  }
  return corners === 15;
}

function distanceToRing(c: Float64Array, s: number, e: number, x: number, y: number): number {
  let best2 = Infinity;
  for (let k = s; k + 3 < e; k += 2) {
    const ax = c[k], ay = c[k + 1], bx = c[k + 2], by = c[k + 3];
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

/**
 * Half the short side of the rectangle that has the zone's area and perimeter (holes take area and
 * add perimeter): exact for a rectangle (a 1×2 m bed: 0.5 m, a 3 m corridor: 1.5 m), a little under
 * the inradius for compact shapes (a circle: 0.79 r), so a margin kept below it always leaves a core
 * in which the zone can be entered.
 */
function halfWidth(c: Float64Array, ringStart: Int32Array, r0: number, r1: number): number {
  let area = 0;
  let perimeter = 0;
  for (let r = r0; r < r1; r++) {
    let area2 = 0;
    for (let k = ringStart[r], e = ringStart[r + 1]; k + 3 < e; k += 2) {
      area2 += c[k] * c[k + 3] - c[k + 2] * c[k + 1];
      perimeter += Math.hypot(c[k + 2] - c[k], c[k + 3] - c[k + 1]);
    }
    area += r === r0 ? Math.abs(area2) / 2 : -Math.abs(area2) / 2;
  }
  if (perimeter <= 0 || area <= 0) return 0;
  // sides a <= b with a + b = P/2 and a·b = A; for shapes more compact than a square take a = b.
  const half = perimeter / 2;
  const a = (half - Math.sqrt(Math.max(0, half * half - 4 * area))) / 2;
  return a / 2;
}

/**
 * Position of (x, y) in [0, 2^16) along a Hilbert curve (after "Fast Hilbert curve generation,
 * sorting, and range queries" by rawrunprotected, as used in Flatbush): nearby centres, nearby ranks.
 */
function hilbert(x: number, y: number): number {
  let a = x ^ y;
  let b = 0xffff ^ a;
  let c = 0xffff ^ (x | y);
  let d = x & (y ^ 0xffff);
  let A = a | (b >> 1);
  let B = (a >> 1) ^ a;
  let C = (c >> 1) ^ (b & (d >> 1)) ^ c;
  let D = (a & (c >> 1)) ^ (d >> 1) ^ d;

  a = A; b = B; c = C; d = D;
  A = (a & (a >> 2)) ^ (b & (b >> 2));
  B = (a & (b >> 2)) ^ (b & ((a ^ b) >> 2));
  C ^= (a & (c >> 2)) ^ (b & (d >> 2));
  D ^= (b & (c >> 2)) ^ ((a ^ b) & (d >> 2));

  a = A; b = B; c = C; d = D;
  A = (a & (a >> 4)) ^ (b & (b >> 4));
  B = (a & (b >> 4)) ^ (b & ((a ^ b) >> 4));
  C ^= (a & (c >> 4)) ^ (b & (d >> 4));
  D ^= (b & (c >> 4)) ^ ((a ^ b) & (d >> 4));

  a = A; b = B; c = C; d = D;
  C ^= (a & (c >> 8)) ^ (b & (d >> 8));
  D ^= (b & (c >> 8)) ^ ((a ^ b) & (d >> 8));

  a = C ^ (C >> 1);
  b = D ^ (D >> 1);
  let i0 = x ^ y;
  let i1 = b | (0xffff ^ (i0 | a));
  i0 = (i0 | (i0 << 8)) & 0x00ff00ff;
  i0 = (i0 | (i0 << 4)) & 0x0f0f0f0f;
  i0 = (i0 | (i0 << 2)) & 0x33333333;
  i0 = (i0 | (i0 << 1)) & 0x55555555;
  i1 = (i1 | (i1 << 8)) & 0x00ff00ff;
  i1 = (i1 | (i1 << 4)) & 0x0f0f0f0f;
  i1 = (i1 | (i1 << 2)) & 0x33333333;
  i1 = (i1 | (i1 << 1)) & 0x55555555;
  return ((i1 << 1) | i0) >>> 0;
}
