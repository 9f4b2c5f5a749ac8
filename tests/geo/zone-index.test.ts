import { booleanPointInPolygon } from '@turf/turf';
import RBush from 'rbush';
import { describe, expect, it } from 'vitest';
import type { Ring, Zone, ZoneKind } from '../../geo/model';
import { ZoneIndex } from '../../geo/zone-index';
import { mulberry32, type RandomSource } from '../../geo/rng';
import { SMALL_ZONES, rect } from '../fixtures/small-floor';

/** Brute force: Turf's point-in-polygon over every zone of the floor. */
function bruteContaining(zones: readonly Zone[], floorId: string, x: number, y: number): string[] {
  return zones
    .filter((z) => z.floorId === floorId && booleanPointInPolygon([x, y], { type: 'Polygon', coordinates: z.polygon }))
    .map((z) => z.id)
    .sort();
}

/** Brute force: the distance to every edge of every ring, negative when Turf says inside. */
function bruteSignedDistance(zone: Zone, x: number, y: number): number {
  let best = Infinity;
  for (const ring of zone.polygon) {
    for (let k = 0; k + 1 < ring.length; k++) {
      const [ax, ay] = ring[k], [bx, by] = ring[k + 1];
      const dx = bx - ax, dy = by - ay;
      const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy || 1)));
      best = Math.min(best, Math.hypot(ax + t * dx - x, ay + t * dy - y));
    }
  }
  return booleanPointInPolygon([x, y], { type: 'Polygon', coordinates: zone.polygon }) ? -best : best;
}

function floorBox(zones: readonly Zone[], floorId: string, pad: number): [number, number, number, number] {
  const pts = zones.filter((z) => z.floorId === floorId).flatMap((z) => z.polygon.flat());
  return [
    Math.min(...pts.map((p) => p[0])) - pad,
    Math.min(...pts.map((p) => p[1])) - pad,
    Math.max(...pts.map((p) => p[0])) + pad,
    Math.max(...pts.map((p) => p[1])) + pad,
  ];
}

/** A star-shaped, usually concave polygon around (cx, cy) with a star-shaped hole that cannot touch it. */
function starWithHole(rnd: RandomSource, id: string, floorId: string, cx: number, cy: number, r: number): Zone {
  const star = (n: number, rMin: number, rMax: number, clockwise = false): Ring => {
    const ring: Ring = [];
    for (let k = 0; k < n; k++) {
      const a = ((clockwise ? -k : k) / n) * 2 * Math.PI;
      const rr = rMin + (rMax - rMin) * rnd();
      ring.push([cx + rr * Math.cos(a), cy + rr * Math.sin(a)]);
    }
    ring.push([...ring[0]]);
    return ring;
  };
  const polygon = [star(5 + Math.floor(rnd() * 10), 0.5 * r, r)];
  if (rnd() < 0.6) polygon.push(star(3 + Math.floor(rnd() * 5), 0.1 * r, 0.4 * r, true));
  return { id, kind: 'room', name: id, floorId, polygon };
}

describe('ZoneIndex', () => {
  it('agrees with brute force on 6,000 seeded random points over the small site, holes and concave rooms included', () => {
    const index = new ZoneIndex(SMALL_ZONES);
    const rnd = mulberry32(1);
    let inside = 0;
    for (const floorId of ['f1', 'f2', 'out']) {
      const [x0, y0, x1, y1] = floorBox(SMALL_ZONES, floorId, 5);
      for (let k = 0; k < 2000; k++) {
        // the outdoor level spans half a kilometre: aim half of its points at the campus
        const [a, b, c, d] = floorId === 'out' && k % 2 ? [-60, -60, 130, 90] : [x0, y0, x1, y1];
        const x = a + (c - a) * rnd(), y = b + (d - b) * rnd();
        const expected = bruteContaining(SMALL_ZONES, floorId, x, y);
        expect(index.containing(floorId, x, y).sort(), `${floorId} (${x}, ${y})`).toEqual(expected);
        if (expected.length) inside++;
      }
    }
    expect(inside).toBeGreaterThan(2500); // the points do land in zones, often several
  });

  it('agrees with brute force on 300 random concave polygons with holes, over three floors', () => {
    const rnd = mulberry32(2);
    const zones: Zone[] = [];
    for (let i = 0; i < 300; i++) {
      zones.push(starWithHole(rnd, `z${i}`, `L${i % 3}`, 200 * rnd(), 120 * rnd(), 3 + 25 * rnd()));
    }
    const index = new ZoneIndex(zones);
    let hits = 0;
    for (let k = 0; k < 6000; k++) {
      const floorId = `L${k % 3}`;
      const x = -30 + 260 * rnd(), y = -30 + 180 * rnd();
      const expected = bruteContaining(zones, floorId, x, y);
      expect(index.containing(floorId, x, y).sort(), `${floorId} (${x}, ${y})`).toEqual(expected);
      hits += expected.length;
    }
    expect(hits).toBeGreaterThan(3000);
  });

  it('answers for the floor asked only: a point under a ground-floor room is not in it on the floor above', () => {
    const index = new ZoneIndex(SMALL_ZONES);
    expect(index.containing('f1', 3, 2).sort()).toEqual(['f1-r1', 'f1-ward']);
    expect(index.containing('f2', 3, 2).sort()).toEqual(['f2-r1', 'f2-ward']);
    expect(index.containing('out', 3, 2)).toEqual(['campus']);
    expect(index.containing('basement', 3, 2)).toEqual([]);
  });

  it('finds a point in the light well outside the ward (a hole) and inside the L-shaped corridor', () => {
    const index = new ZoneIndex(SMALL_ZONES);
    expect(index.containing('f1', 29, 15)).toEqual([]);
    expect(index.containing('f1', 12.5, 18).sort()).toEqual(['f1-corr', 'f1-ward']);
    // inside the corridor's bounding box but not the corridor: the room beside its spur
    expect(index.containing('f1', 5, 15).sort()).toEqual(['f1-r3', 'f1-ward']);
  });

  it('puts a point on the wall shared by two rooms in exactly one of them', () => {
    const index = new ZoneIndex(SMALL_ZONES);
    const rooms = (x: number, y: number) => index.containing('f1', x, y).filter((id) => id === 'f1-r1' || id === 'f1-r2');
    expect(rooms(6, 2)).toHaveLength(1);
    expect(rooms(6, 3.999)).toHaveLength(1);
  });

  it('appends integer ids to the array given and returns how many it added', () => {
    const index = new ZoneIndex(SMALL_ZONES);
    const out = [42];
    const n = index.containingIds('f1', 1.5, 2, out);
    expect(n).toBe(3);
    expect(out[0]).toBe(42);
    expect(out.slice(1).map((i) => index.zones[i].id).sort()).toEqual(['f1-r1', 'f1-r1-bed', 'f1-ward']);
    expect(index.indexOf('f1-r1-bed')).toBe(SMALL_ZONES.findIndex((z) => z.id === 'f1-r1-bed'));
    expect(index.indexOf('nope')).toBe(-1);
  });

  it('near returns exactly the zones within the radius, with the signed distance to their boundary', () => {
    const index = new ZoneIndex(SMALL_ZONES);
    const rnd = mulberry32(3);
    const kindsChoices: (readonly ZoneKind[] | undefined)[] = [undefined, ['exit'], ['room', 'bed'], ['ward', 'campus']];
    let found = 0;
    for (let k = 0; k < 3000; k++) {
      const floorId = ['f1', 'f2', 'out'][k % 3];
      const [x0, y0, x1, y1] = floorId === 'out' ? [-60, -60, 130, 90] : floorBox(SMALL_ZONES, floorId, 4);
      const x = x0 + (x1 - x0) * rnd(), y = y0 + (y1 - y0) * rnd();
      const radius = 6 * rnd();
      const kinds = kindsChoices[k % kindsChoices.length];
      const expected = SMALL_ZONES.filter((z) => z.floorId === floorId && (!kinds || kinds.includes(z.kind)))
        .map((z) => ({ id: z.id, distance: bruteSignedDistance(z, x, y) }))
        .filter((n) => n.distance <= radius)
        .sort((a, b) => a.distance - b.distance);
      const got = index.near(floorId, x, y, radius, kinds);
      expect(got.map((n) => n.id).sort(), `${floorId} (${x}, ${y}) r=${radius}`).toEqual(expected.map((n) => n.id).sort());
      for (const n of got) expect(n.distance).toBeCloseTo(expected.find((e) => e.id === n.id)!.distance, 9);
      for (let i = 1; i < got.length; i++) expect(got[i].distance).toBeGreaterThanOrEqual(got[i - 1].distance);
      found += got.length;
    }
    expect(found).toBeGreaterThan(1000); // the radius does reach zones, often several
  });

  it('measures the signed distance to the nearest ring, holes included', () => {
    const index = new ZoneIndex(SMALL_ZONES);
    expect(index.signedDistance('f1-ward', 20, 4)).toBeCloseTo(-4, 12); // 4 m from the south wall
    expect(index.signedDistance('f1-ward', 29, 17)).toBeCloseTo(1, 12); // in the light well, 1 m from its edge
    expect(index.signedDistance('f1-ward', 29, 19.5)).toBeCloseTo(-0.5, 12); // between the well and the north wall
    expect(index.signedDistance('f1-door', 37, 9.5)).toBeCloseTo(3, 12);
    expect(() => index.signedDistance('nope', 0, 0)).toThrow(/unknown zone/);
  });

  it('gives a 1×2 m bed a half-width of half a metre, and a 3 m corridor 1.5 m', () => {
    const index = new ZoneIndex([
      { id: 'bed', kind: 'bed', name: 'Bed', floorId: 'f', polygon: [rect(0, 0, 1, 2)] },
      { id: 'bed-turned', kind: 'bed', name: 'Bed', floorId: 'f', polygon: [rect(0, 0, 2, 1).reverse()] },
      { id: 'corridor', kind: 'corridor', name: 'Corridor', floorId: 'f', polygon: [rect(0, 0, 60, 3)] },
      ...SMALL_ZONES,
    ]);
    expect(index.halfWidth('bed')).toBeCloseTo(0.5, 9);
    expect(index.halfWidth('bed-turned')).toBeCloseTo(0.5, 9);
    expect(index.halfWidth('corridor')).toBeCloseTo(1.5, 9);
    expect(index.halfWidth('f1-r1-bed')).toBeCloseTo(0.5, 9); // 1 × 2.1 m
    expect(index.halfWidth('f1-corr')).toBeCloseTo(1.5, 9); // L-shaped, 3 m wide throughout
    expect(index.halfWidth('f1-ward')).toBeGreaterThan(3);
    expect(index.halfWidth('f1-ward')).toBeLessThan(10); // 40 × 20 m, less the light well
    expect(index.halfWidth('nope')).toBe(0);
  });

  it("near lists zones at the same distance in rbush's own search order (nested zones sharing a wall tie), kinds or not", () => {
    // Many equal distances: a grid of unit squares, each inside a 2 × 2 block, inside a 4 × 4 block.
    const zones: Zone[] = [];
    for (const size of [1, 2, 4]) {
      for (let x = 0; x < 16; x += size) {
        for (let y = 0; y < 16; y += size) {
          const kind: ZoneKind = size === 1 ? ((x + y) % 7 === 0 ? 'exit' : 'bed') : size === 2 ? 'room' : 'ward';
          zones.push({ id: `z${size}-${x}-${y}`, kind, name: '', floorId: 'f', polygon: [rect(x, y, x + size, y + size)] });
        }
      }
    }
    const index = new ZoneIndex(zones);
    // The reference: an R-tree loaded as the index loads its own, searched with rbush's search.
    const tree = new RBush<{ minX: number; minY: number; maxX: number; maxY: number; i: number }>().load(
      zones.map((z, i) => {
        const xs = z.polygon[0].map((p) => p[0]), ys = z.polygon[0].map((p) => p[1]);
        return { minX: Math.min(...xs), minY: Math.min(...ys), maxX: Math.max(...xs), maxY: Math.max(...ys), i };
      }),
    );
    const rnd = mulberry32(8);
    let ties = 0;
    for (let k = 0; k < 2000; k++) {
      // on a quarter-metre lattice, so distances to shared walls are exactly equal
      const x = Math.floor(rnd() * 72) / 4 - 1, y = Math.floor(rnd() * 72) / 4 - 1;
      const r = [0.5, 1, 3, 20][k % 4];
      const kinds = ([undefined, ['exit'], ['bed', 'ward'], ['room']] as const)[(k >> 2) % 4];
      const expected = tree
        .search({ minX: x - r, minY: y - r, maxX: x + r, maxY: y + r })
        .filter((e) => !kinds || (kinds as readonly ZoneKind[]).includes(zones[e.i].kind))
        .map((e) => ({ id: zones[e.i].id, distance: index.signedDistance(zones[e.i].id, x, y) }))
        .filter((n) => n.distance <= r)
        .sort((a, b) => a.distance - b.distance);
      const got = index.near('f', x, y, r, kinds);
      expect(got, `(${x}, ${y}) r=${r} ${kinds}`).toEqual(expected);
      for (let i = 1; i < got.length; i++) if (got[i].distance === got[i - 1].distance) ties++;
    }
    expect(ties).toBeGreaterThan(1000);
  });

  it('refuses two zones with the same id', () => {
    expect(() => new ZoneIndex([SMALL_ZONES[0], SMALL_ZONES[0]])).toThrow(/duplicate zone id/);
  });
});
