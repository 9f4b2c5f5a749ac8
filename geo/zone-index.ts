import RBush from 'rbush';
import { distanceToFlatRing, pointInFlatRing } from './geometry';
import type { Zone, ZoneKind } from './model';

export interface NearZone {
  id: string;
  /** Signed distance from the point to the zone's boundary, metres: negative inside. */
  distance: number;
}

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

/** An R-tree entry: a zone's bounding box and its integer id. */
interface TreeEntry {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
  i: number;
}

/**
 * Static spatial index of zone polygons. Per floor, point queries (`containingIds`) go through a
 * covering grid and box queries (`near`) through an R-tree (rbush); either way the candidates are then
 * tested exactly (even-odd ray casting over one flat coordinate array, so holes work, or a box test
 * for axis-aligned rectangles), and nothing is allocated per point query. Points on an edge follow
 * the even-odd rule's half-open convention, so a point on a wall shared by two rooms is in exactly
 * one of them. Zones are addressed by integer ids (their position in `zones`) on the hot path and by
 * string id at the edges.
 */
export class ZoneIndex {
  readonly zones: readonly Zone[];
  private readonly byId = new Map<string, number>();
  private readonly trees = new Map<string, RBush<TreeEntry>>();
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
  /** Candidates of a box query (near), reused. */
  private readonly scratch: number[] = [];
  /** Zone kinds under each node of the R-trees, as masks of kindBits (see searchBox). */
  private readonly nodeKinds = new Map<TreeNode, number>();
  private readonly kindBits = new Map<ZoneKind, number>();
  /** The R-tree walk's stacks, reused (see searchBox). */
  private readonly nodeStack: TreeNode[] = [];
  private readonly allStack: TreeNode[] = [];

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
    const b = this.bbox;
    for (const [floorId, ids] of perFloor) {
      const tree = new RBush<TreeEntry>().load(ids.map((i) => ({ minX: b[4 * i], minY: b[4 * i + 1], maxX: b[4 * i + 2], maxY: b[4 * i + 3], i })));
      this.trees.set(floorId, tree);
      this.markKinds(tree.toJSON() as TreeNode);
      this.grids.set(floorId, this.grid(ids));
    }
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

  /**
   * The same answer as `containingIds`, found through the R-tree instead of the grid (box prefilter,
   * then the polygon test): a reference for tests and the benchmark, not for the hot path.
   */
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
    this.searchBox(t, x - radiusM, y - radiusM, x + radiusM, y + radiusM, cand, kinds ? this.kindMask(kinds) : -1);
    const out: NearZone[] = [];
    for (const i of cand) {
      if (kinds && !kinds.includes(this.kinds[i])) continue;
      const d = this.signedDistanceById(i, x, y);
      if (d <= radiusM) out.push({ id: this.zones[i].id, distance: d });
    }
    sortByDistance(out);
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
      const d = distanceToFlatRing(this.coords, this.ringStart[r], this.ringStart[r + 1], x, y);
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
    let inside = false;
    for (let r = this.zoneRing[i], rEnd = this.zoneRing[i + 1]; r < rEnd; r++) {
      if (pointInFlatRing(this.coords, this.ringStart[r], this.ringStart[r + 1], x, y)) inside = !inside;
    }
    return inside;
  }

  /**
   * Integer ids of the zones whose bounding box meets the box, appended to `out`, in the order rbush's own
   * search gives them (near() sorts stably, so zones at the same distance keep it). Its walk, done here over
   * its tree (the toJSON form) with stacks kept between queries: no two arrays a query, and subtrees without
   * a zone of the kinds asked for (`mask`, bits of kindBits) are skipped, which leaves the others' order as it is.
   */
  private searchBox(t: RBush<TreeEntry>, minX: number, minY: number, maxX: number, maxY: number, out: number[], mask = -1): void {
    let node: TreeNode | undefined = t.toJSON() as TreeNode;
    if (!(node.minX <= maxX && node.minY <= maxY && node.maxX >= minX && node.maxY >= minY)) return;
    const stack = this.nodeStack;
    const masks = this.nodeKinds;
    while (node) {
      const children = node.children;
      for (let k = 0; k < children.length; k++) {
        const c = children[k];
        if (c.minX <= maxX && c.minY <= maxY && c.maxX >= minX && c.maxY >= minY) {
          if (node.leaf) out.push((c as TreeEntry).i);
          else if (mask !== -1 && (masks.get(c as TreeNode)! & mask) === 0) continue;
          else if (minX <= c.minX && minY <= c.minY && c.maxX <= maxX && c.maxY <= maxY) this.allEntries(c as TreeNode, out, mask);
          else stack.push(c as TreeNode);
        }
      }
      node = stack.pop();
    }
  }

  /** Every entry under a node, in rbush's order (its `_all`), skipping subtrees without the kinds in `mask`. */
  private allEntries(from: TreeNode, out: number[], mask: number): void {
    const stack = this.allStack;
    const masks = this.nodeKinds;
    let node: TreeNode | undefined = from;
    while (node) {
      if (node.leaf) for (const c of node.children) out.push((c as TreeEntry).i);
      else for (const c of node.children) if (mask === -1 || (masks.get(c as TreeNode)! & mask) !== 0) stack.push(c as TreeNode);
      node = stack.pop();
    }
  }

  /** Bit of a zone kind (kinds get bits as they are first seen; 30 at most, then all share the last). */
  private kindBit(kind: ZoneKind): number {
    let bit = this.kindBits.get(kind);
    if (bit === undefined) this.kindBits.set(kind, (bit = 1 << Math.min(this.kindBits.size, 30)));
    return bit;
  }

  private kindMask(kinds: readonly ZoneKind[]): number {
    let mask = 0;
    for (const k of kinds) mask |= this.kindBits.get(k) ?? 0;
    return mask;
  }

  /** The kinds of zone under each inner node of a tree, as a mask. */
  private markKinds(node: TreeNode): number {
    let mask = 0;
    if (node.leaf) for (const c of node.children) mask |= this.kindBit(this.kinds[(c as TreeEntry).i]);
    else for (const c of node.children) mask |= this.markKinds(c as TreeNode);
    this.nodeKinds.set(node, mask);
    return mask;
  }
}

/** A node of rbush's tree as `toJSON` gives it. */
interface TreeNode {
  children: (TreeNode | TreeEntry)[];
  leaf: boolean;
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

/** Stable sort, nearest first: insertion sort, for the few zones a query finds (the builtin's comparator calls cost more). */
function sortByDistance(a: NearZone[]): void {
  for (let i = 1; i < a.length; i++) {
    const v = a[i];
    let j = i - 1;
    while (j >= 0 && a[j].distance > v.distance) {
      a[j + 1] = a[j];
      j--;
    }
    a[j + 1] = v;
  }
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

