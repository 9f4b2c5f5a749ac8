/**
 * Walkable geometry of one floor, derived from its zones: corridor centre lines, each room's door on the corridor
 * wall, and a few anchor points inside rooms. Simulated residents move only along these straight, wall-free
 * segments: centre line <-> door <-> just inside <-> hub <-> bed / seat / bathroom, never through a wall.
 *
 * It understands floors built from axis-aligned rectangles (the sample institution and most CAD exports after
 * rotation into the site frame); a room that shares no wall with a corridor simply gets no door and is never a
 * destination.
 */
import { distanceToRing, pointInRing } from '../../geo/geometry';
import type { Ring, Zone } from '../../geo/model';

export interface Pt {
  x: number;
  y: number;
}

export type Place = { kind: 'corridor'; id: string } | { kind: 'room'; id: string; bath: boolean };

export interface Waypoint extends Pt {
  /** Where the walker is once it reaches this point. */
  place: Place;
}

interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface CorridorNav {
  zone: Zone;
  /** Centre line from `a` along unit vector `u`, length `len`. */
  a: Pt;
  u: Pt;
  len: number;
  /** Part of the centre line at least SAFE_CLEARANCE_M from every exit: where routine walks may go. */
  safe: [number, number] | null;
}

export interface RoomNav {
  zone: Zone;
  box: Box;
  corridor: CorridorNav;
  /** Door centre on the shared wall, the point just inside, and its projection on the corridor centre line. */
  door: Pt;
  inner: Pt;
  corridorPoint: Pt;
  /** Open floor inside the room from which beds, seats and the bathroom door are in straight sight. */
  hub: Pt;
  bath: { zoneId: string; front: Pt; centre: Pt } | null;
  beds: Map<string, Pt>;
  /** Distance from the room's door path to the nearest exit zone, metres. */
  exitClearance: number;
}

/** Routine (unscripted) movement keeps this far from exits, so positioning noise cannot bring it within 5 m. */
export const SAFE_CLEARANCE_M = 6.5;
const EDGE_EPS = 0.05;

function boxOf(ring: Ring): Box {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const [x, y] of ring) {
    x0 = Math.min(x0, x);
    y0 = Math.min(y0, y);
    x1 = Math.max(x1, x);
    y1 = Math.max(y1, y);
  }
  return { x0, y0, x1, y1 };
}

const centre = (b: Box): Pt => ({ x: (b.x0 + b.x1) / 2, y: (b.y0 + b.y1) / 2 });
const inside = (b: Box, p: Pt, m = 0) => p.x >= b.x0 + m && p.x <= b.x1 - m && p.y >= b.y0 + m && p.y <= b.y1 - m;

/** Distance from a point to a zone's polygon, 0 inside. */
export function distanceToZone(p: Pt, zone: Zone): number {
  const outer = zone.polygon[0];
  return pointInRing(p.x, p.y, outer) ? 0 : distanceToRing(p.x, p.y, outer);
}

/** Subtract intervals from [lo, hi]; the longest remaining piece, or null. */
function longestFree(lo: number, hi: number, blocked: [number, number][]): [number, number] | null {
  let pieces: [number, number][] = [[lo, hi]];
  for (const [b0, b1] of blocked) {
    pieces = pieces.flatMap(([p0, p1]): [number, number][] => {
      if (b1 <= p0 || b0 >= p1) return [[p0, p1]];
      const out: [number, number][] = [];
      if (b0 > p0) out.push([p0, b0]);
      if (b1 < p1) out.push([b1, p1]);
      return out;
    });
  }
  pieces.sort((a, b) => b[1] - b[0] - (a[1] - a[0]));
  return pieces[0] ?? null;
}

export class FloorNav {
  readonly corridors: CorridorNav[] = [];
  readonly rooms = new Map<string, RoomNav>();
  readonly exits: Zone[];

  constructor(
    readonly floorId: string,
    zones: readonly Zone[],
  ) {
    const onFloor = zones.filter((z) => z.floorId === floorId);
    this.exits = onFloor.filter((z) => z.kind === 'exit');
    for (const z of onFloor.filter((z) => z.kind === 'corridor')) {
      const b = boxOf(z.polygon[0]);
      const alongX = b.x1 - b.x0 >= b.y1 - b.y0;
      const c = centre(b);
      const corridor: CorridorNav = alongX
        ? { zone: z, a: { x: b.x0, y: c.y }, u: { x: 1, y: 0 }, len: b.x1 - b.x0, safe: null }
        : { zone: z, a: { x: c.x, y: b.y0 }, u: { x: 0, y: 1 }, len: b.y1 - b.y0, safe: null };
      corridor.safe = this.safeSpan(corridor);
      this.corridors.push(corridor);
    }
    const baths = onFloor.filter((z) => z.kind === 'bathroom').map((z) => ({ zone: z, box: boxOf(z.polygon[0]) }));
    const beds = onFloor.filter((z) => z.kind === 'bed').map((z) => ({ zone: z, box: boxOf(z.polygon[0]) }));
    for (const z of onFloor.filter((z) => z.kind === 'room')) {
      const box = boxOf(z.polygon[0]);
      const myBaths = baths.filter((b) => inside(box, centre(b.box)));
      const room = this.connect(z, box, myBaths);
      if (!room) continue;
      for (const bed of beds) if (inside(box, centre(bed.box))) room.beds.set(bed.zone.id, centre(bed.box));
      this.rooms.set(z.id, room);
    }
  }

  /** Distance from a point to the nearest exit zone of this floor. */
  exitClearance(p: Pt): number {
    let best = Infinity;
    for (const e of this.exits) best = Math.min(best, distanceToZone(p, e));
    return best;
  }

  corridorPoint(c: CorridorNav, s: number): Pt {
    return { x: c.a.x + c.u.x * s, y: c.a.y + c.u.y * s };
  }

  /** Position along the corridor's centre line of the point nearest p. */
  corridorParam(c: CorridorNav, p: Pt): number {
    const s = (p.x - c.a.x) * c.u.x + (p.y - c.a.y) * c.u.y;
    return Math.max(0, Math.min(c.len, s));
  }

  roomsWithUse(use: string): RoomNav[] {
    return [...this.rooms.values()].filter((r) => r.zone.use === use);
  }

  private safeSpan(c: CorridorNav): [number, number] | null {
    let best: [number, number] | null = null;
    let start: number | null = null;
    const step = 0.1;
    for (let s = 0; s <= c.len + 1e-9; s += step) {
      const ok = this.exitClearance(this.corridorPoint(c, s)) >= SAFE_CLEARANCE_M;
      if (ok && start === null) start = s;
      if ((!ok || s + step > c.len + 1e-9) && start !== null) {
        const end = ok ? s : s - step;
        if (!best || end - start > best[1] - best[0]) best = [start, end];
        start = null;
      }
    }
    return best;
  }

  /** Find the corridor wall a room shares and place its door on the part of that wall no bathroom occupies. */
  private connect(zone: Zone, box: Box, baths: { zone: Zone; box: Box }[]): RoomNav | null {
    type Candidate = { corridor: CorridorNav; axis: 'x' | 'y'; edge: number; n: Pt; lo: number; hi: number };
    let best: Candidate | null = null;
    for (const corridor of this.corridors) {
      const cb = boxOf(corridor.zone.polygon[0]);
      const options: Candidate[] = [];
      const ox: [number, number] = [Math.max(box.x0, cb.x0), Math.min(box.x1, cb.x1)];
      const oy: [number, number] = [Math.max(box.y0, cb.y0), Math.min(box.y1, cb.y1)];
      if (Math.abs(box.y0 - cb.y1) < EDGE_EPS) options.push({ corridor, axis: 'x', edge: box.y0, n: { x: 0, y: 1 }, lo: ox[0], hi: ox[1] });
      if (Math.abs(box.y1 - cb.y0) < EDGE_EPS) options.push({ corridor, axis: 'x', edge: box.y1, n: { x: 0, y: -1 }, lo: ox[0], hi: ox[1] });
      if (Math.abs(box.x0 - cb.x1) < EDGE_EPS) options.push({ corridor, axis: 'y', edge: box.x0, n: { x: 1, y: 0 }, lo: oy[0], hi: oy[1] });
      if (Math.abs(box.x1 - cb.x0) < EDGE_EPS) options.push({ corridor, axis: 'y', edge: box.x1, n: { x: -1, y: 0 }, lo: oy[0], hi: oy[1] });
      for (const o of options) if (o.hi - o.lo >= 0.9 && (!best || o.hi - o.lo > best.hi - best.lo)) best = o;
    }
    if (!best) return null;
    const { corridor, axis, edge, n } = best;
    // a bathroom against the corridor wall blocks that stretch of it
    const touching = baths.filter((b) =>
      axis === 'x'
        ? Math.abs((n.y > 0 ? b.box.y0 : b.box.y1) - edge) < EDGE_EPS
        : Math.abs((n.x > 0 ? b.box.x0 : b.box.x1) - edge) < EDGE_EPS,
    );
    const blocked = touching.map((b): [number, number] => (axis === 'x' ? [b.box.x0, b.box.x1] : [b.box.y0, b.box.y1]));
    const free = longestFree(best.lo, best.hi, blocked);
    if (!free || free[1] - free[0] < 0.8) return null;
    const along = (free[0] + free[1]) / 2;
    const at = (t: number, depth: number): Pt =>
      axis === 'x' ? { x: t, y: edge + n.y * depth } : { x: edge + n.x * depth, y: t };
    const depthOf = (b: Box) => (axis === 'x' ? b.y1 - b.y0 : b.x1 - b.x0);
    const roomDepth = depthOf(box);
    const door = at(along, 0);
    const inner = at(along, Math.min(1, roomDepth / 2));
    const corridorPoint = this.corridorPoint(corridor, this.corridorParam(corridor, door));
    const clampIn = (p: Pt): Pt => ({
      x: Math.max(box.x0 + 0.5, Math.min(box.x1 - 0.5, p.x)),
      y: Math.max(box.y0 + 0.5, Math.min(box.y1 - 0.5, p.y)),
    });
    let hub = centre(box);
    let bath: RoomNav['bath'] = null;
    const b = baths[0];
    if (b) {
      // in front of the bathroom door, on the line of the room door: in sight of door, bathroom and beds
      const bathDepth = touching.includes(b) ? depthOf(b.box) : 0;
      const bathAlong = axis === 'x' ? (b.box.x0 + b.box.x1) / 2 : (b.box.y0 + b.box.y1) / 2;
      hub = clampIn(at(along, bathDepth + 0.6));
      bath = { zoneId: b.zone.id, front: clampIn(at(bathAlong, bathDepth + 0.6)), centre: centre(b.box) };
    }
    const room: RoomNav = { zone, box, corridor, door, inner, corridorPoint, hub, bath, beds: new Map(), exitClearance: 0 };
    room.exitClearance = Math.min(...[door, inner, corridorPoint, hub].map((p) => this.exitClearance(p)));
    return room;
  }

  /** A random seat in a room, kept 0.8 m off the walls. */
  seat(room: RoomNav, r: () => number): Pt {
    const m = 0.8;
    const { x0, y0, x1, y1 } = room.box;
    return { x: x0 + m + (x1 - x0 - 2 * m) * r(), y: y0 + m + (y1 - y0 - 2 * m) * r() };
  }

  /**
   * Waypoints from a place to a destination: out of the current room through its door, along the corridor
   * centre line, in through the destination's door. The current position is not included.
   */
  path(from: Place, pos: Pt, to: Destination): Waypoint[] {
    const out: Waypoint[] = [];
    let here: Place = from;
    const fromRoom = from.kind === 'room' ? this.rooms.get(from.id) : undefined;
    if (fromRoom && from.kind === 'room' && from.bath && fromRoom.bath) {
      out.push({ ...fromRoom.bath.front, place: { kind: 'room', id: fromRoom.zone.id, bath: false } });
      here = { kind: 'room', id: fromRoom.zone.id, bath: false };
    }
    const toRoom = to.kind === 'room' ? this.rooms.get(to.roomId) : undefined;
    const roomPlace = (id: string, bath = false): Place => ({ kind: 'room', id, bath });
    if (fromRoom && toRoom && fromRoom === toRoom) {
      if (fromRoom.bath) out.push({ ...fromRoom.hub, place: roomPlace(fromRoom.zone.id) });
    } else {
      if (fromRoom && here.kind === 'room') {
        if (fromRoom.bath) out.push({ ...fromRoom.hub, place: roomPlace(fromRoom.zone.id) });
        out.push({ ...fromRoom.inner, place: roomPlace(fromRoom.zone.id) });
        out.push({ ...fromRoom.door, place: { kind: 'corridor', id: fromRoom.corridor.zone.id } });
        out.push({ ...fromRoom.corridorPoint, place: { kind: 'corridor', id: fromRoom.corridor.zone.id } });
      }
      if (toRoom) {
        const c = { kind: 'corridor', id: toRoom.corridor.zone.id } as const;
        out.push({ ...toRoom.corridorPoint, place: c });
        out.push({ ...toRoom.door, place: c });
        out.push({ ...toRoom.inner, place: roomPlace(toRoom.zone.id) });
        if (toRoom.bath) out.push({ ...toRoom.hub, place: roomPlace(toRoom.zone.id) });
      }
    }
    if (to.kind === 'room' && toRoom) {
      if (to.bath && toRoom.bath) {
        out.push({ ...toRoom.bath.front, place: roomPlace(toRoom.zone.id) });
        out.push({ ...to.point, place: roomPlace(toRoom.zone.id, true) });
      } else {
        out.push({ ...to.point, place: roomPlace(toRoom.zone.id) });
      }
    } else if (to.kind === 'corridor') {
      out.push({ ...to.point, place: { kind: 'corridor', id: to.corridorId } });
    }
    // drop zero-length legs so walking time is honest
    const dedup: Waypoint[] = [];
    let last = pos;
    for (const w of out) {
      if (Math.hypot(w.x - last.x, w.y - last.y) > 1e-6) dedup.push(w);
      else if (dedup.length > 0) dedup[dedup.length - 1] = w;
      last = w;
    }
    if (dedup.length === 0 && out.length > 0) dedup.push(out[out.length - 1]);
    return dedup;
  }
}

export type Destination =
  | { kind: 'room'; roomId: string; point: Pt; bath?: boolean }
  | { kind: 'corridor'; corridorId: string; point: Pt };
