/**
 * A seeded synthetic institution for benchmarks: several buildings of several floors, each floor
 * two wards of bedrooms (two 1×2.1 m beds and a bathroom each), lounges, a utility room that is
 * forbidden and cut out of its ward (a hole), a T-shaped corridor (concave), stairwells and a lift;
 * some buildings are rotated against the site axes and some rooms have a notch, so not every
 * polygon is an axis-aligned box. An outdoor level holds a concave campus with an enclave (a hole),
 * gardens, a pond, gates, and the home areas of community residents up to two kilometres away.
 *
 * A point indoors is typically in 2–4 zones (bed ⊂ room ⊂ ward ⊂ residential area, bathroom ⊂ room
 * ⊂ ward ⊂ area, corridor ⊂ ward ⊂ area). Everything comes from one seed.
 */
import type { Floor, Resident, Ring, Site, Zone, ZoneKind } from '../../geo/model';
import type { WorldData } from '../../geo/world';
import { Rng } from '../../geo/rng';

export interface InstitutionOptions {
  seed?: number;
  /** floors per building; one building per entry */
  floors?: number[];
  communityHomes?: number;
}

export interface BuildingPlacement {
  id: string;
  x: number;
  y: number;
  rotationDeg: number;
  floorIds: string[];
}

export interface Institution {
  world: WorldData;
  site: Site;
  /** every floor id, outdoor last; query points refer to floors by position in this list */
  floorIds: string[];
  buildings: BuildingPlacement[];
  outdoorFloorId: string;
  campusBBox: [number, number, number, number];
  homeCentres: [number, number][];
}

/** Building footprint in its own frame, metres (stairwells stick out 2 m at both ends, the lift 2 m north). */
export const BUILDING_W = 66;
export const BUILDING_D = 25;

const DEFAULT_FLOORS = [5, 5, 6, 6];

type Pt = [number, number];

export function generateInstitution(opts: InstitutionOptions = {}): Institution {
  const rnd = new Rng(opts.seed ?? 20260105);
  const floorsPerBuilding = opts.floors ?? DEFAULT_FLOORS;
  const homes = opts.communityHomes ?? 100;
  const zones: Zone[] = [];
  const floors: Floor[] = [];
  const wards: Site['wards'] = [];
  const residents: Resident[] = [];
  const buildings: BuildingPlacement[] = [];
  const sitePlacements: [number, number, number][] = [
    [0, 0, 0],
    [110, 0, 0],
    [10, 75, 15],
    [125, 95, -30],
    [240, 10, 90],
    [250, 120, 0],
  ];

  floorsPerBuilding.forEach((nFloors, b) => {
    const [sx, by, rot] = sitePlacements[b % sitePlacements.length];
    const bx = sx + 260 * Math.floor(b / sitePlacements.length);
    const place = placement(bx, by, rot);
    const bid = `b${b + 1}`;
    const bp: BuildingPlacement = { id: bid, x: bx, y: by, rotationDeg: rot, floorIds: [] };
    buildings.push(bp);
    for (let f = 0; f < nFloors; f++) {
      const floorId = `${bid}-f${f + 1}`;
      bp.floorIds.push(floorId);
      floors.push({ id: floorId, buildingId: bid, ordinal: f, name: `${f + 1}F`, elevationM: 3.2 * f });
      buildFloor(rnd, floorId, place, zones, wards, residents);
    }
  });

  const outdoorFloorId = 'outdoor';
  floors.push({ id: outdoorFloorId, buildingId: null, ordinal: 0, name: 'Outdoor', outdoor: true });
  const campusBBox: [number, number, number, number] = [-40, -40, 330, 230];
  const homeCentres = buildOutdoor(rnd, outdoorFloorId, campusBBox, homes, zones, residents);

  const site: Site = {
    id: 'bench-site',
    name: 'Synthetic Care Campus',
    region: ['Bench City', 'North District'],
    timeZone: 'Asia/Shanghai',
    georef: { lon: 117.0, lat: 32.63, rotationDeg: 0 },
    nightWindow: { start: '22:00', end: '06:00' },
    buildings: buildings.map((b) => ({ id: b.id, name: `Building ${b.id.slice(1)}` })),
    floors,
    wards,
  };
  return {
    world: { sites: [site], zones, residents },
    site,
    floorIds: floors.map((f) => f.id),
    buildings,
    outdoorFloorId,
    campusBBox,
    homeCentres,
  };
}

/** Building frame (u east along the building, v north) -> site frame. */
function placement(x: number, y: number, rotationDeg: number): (p: Pt) => Pt {
  const c = Math.cos((rotationDeg * Math.PI) / 180);
  const s = Math.sin((rotationDeg * Math.PI) / 180);
  return ([u, v]) => [round(x + u * c - v * s), round(y + u * s + v * c)];
}

const round = (v: number) => Math.round(v * 1000) / 1000;

function closed(pts: Pt[], place: (p: Pt) => Pt): Ring {
  const r = pts.map(place);
  r.push([r[0][0], r[0][1]]);
  return r;
}

const rect = (u0: number, v0: number, u1: number, v1: number): Pt[] => [
  [u0, v0],
  [u1, v0],
  [u1, v1],
  [u0, v1],
];

/** The same rectangle wound the other way (GeoJSON holes run clockwise). */
const hole = (u0: number, v0: number, u1: number, v1: number): Pt[] => rect(u0, v0, u1, v1).reverse();

function buildFloor(
  rnd: Rng,
  floorId: string,
  place: (p: Pt) => Pt,
  zones: Zone[],
  wards: Site['wards'],
  residents: Resident[],
): void {
  const add = (kind: ZoneKind, id: string, name: string, rings: Pt[][], extra: Partial<Zone> = {}) => {
    zones.push({ id, kind, name, floorId, polygon: rings.map((r) => closed(r, place)), ...extra });
    return id;
  };
  const W = BUILDING_W, D = BUILDING_D;
  // Utility room (forbidden, cut out of ward A): the south-side room at u 22..27.5.
  const utility: [number, number, number, number] = [22, 0, 27.5, 11];
  const wardA = `${floorId}-wA`, wardB = `${floorId}-wB`;
  add('ward', wardA, `${floorId} Ward A`, [rect(0, 0, 33, D), hole(...utility)], { wardId: wardA });
  add('ward', wardB, `${floorId} Ward B`, [rect(33, 0, W, D)], { wardId: wardB });
  // The floor's residential area (everything but the utility room): the usual safe zone.
  const area = add('safe', `${floorId}-area`, `${floorId} residential area`, [rect(0, 0, W, D), hole(...utility)]);
  wards.push({ id: wardA, name: `${floorId} Ward A`, floorIds: [floorId] }, { id: wardB, name: `${floorId} Ward B`, floorIds: [floorId] });
  // T-shaped corridor: the spine along v 11..14 and a spur north to the lift at u 30..36.
  add('corridor', `${floorId}-corr`, `${floorId} corridor`, [
    [
      [0, 11],
      [W, 11],
      [W, 14],
      [36, 14],
      [36, D],
      [30, D],
      [30, 14],
      [0, 14],
    ],
  ]);
  add('exit', `${floorId}-stairs-w`, `${floorId} west stairwell`, [rect(-2, 11, 0, 14)], { exitType: 'stairwell' });
  add('exit', `${floorId}-stairs-e`, `${floorId} east stairwell`, [rect(W, 11, W + 2, 14)], { exitType: 'stairwell' });
  add('exit', `${floorId}-lift`, `${floorId} lift`, [rect(30, D, 36, D + 2)], { exitType: 'lift' });
  add('forbidden', `${floorId}-utility`, `${floorId} utility room`, [rect(...utility)]);

  // Rooms: 12 along the south side (5.5 m wide), 6 + 6 along the north side (5 m) either side of the spur.
  const rooms: { u0: number; v0: number; u1: number; v1: number; south: boolean }[] = [];
  for (let k = 0; k < 12; k++) rooms.push({ u0: k * 5.5, v0: 0, u1: (k + 1) * 5.5, v1: 11, south: true });
  for (let k = 0; k < 6; k++) rooms.push({ u0: k * 5, v0: 14, u1: (k + 1) * 5, v1: D, south: false });
  for (let k = 0; k < 6; k++) rooms.push({ u0: 36 + k * 5, v0: 14, u1: 36 + (k + 1) * 5, v1: D, south: false });
  let n = 0;
  for (const r of rooms) {
    if (r.u0 === utility[0] && r.v0 === utility[1]) continue;
    n++;
    const ward = r.u1 <= 33 ? wardA : wardB;
    const id = `${floorId}-r${n}`;
    const lounge = n % 6 === 0;
    // A structural column in one corner of some rooms: an L-shaped (concave) room.
    const notch = rnd.next() < 0.35;
    const outer: Pt[] = notch
      ? [
          [r.u0, r.v0],
          [r.u1, r.v0],
          [r.u1, r.v1 - 0.6],
          [r.u1 - 0.6, r.v1 - 0.6],
          [r.u1 - 0.6, r.v1],
          [r.u0, r.v1],
        ]
      : rect(r.u0, r.v0, r.u1, r.v1);
    add('room', id, `Room ${floorId}-${n}`, [outer], { wardId: ward, use: lounge ? 'lounge' : 'bedroom' });
    if (lounge) continue;
    // Bathroom by the corridor door, beds against the outer wall.
    const bath = r.south ? rect(r.u1 - 2.2, r.v1 - 2.6, r.u1 - 0.05, r.v1 - 0.05) : rect(r.u1 - 2.2, r.v0 + 0.05, r.u1 - 0.05, r.v0 + 2.6);
    add('bathroom', `${id}-bath`, `Bathroom ${n}`, [bath], { wardId: ward });
    const vBed = r.south ? r.v0 + 0.3 : r.v1 - 2.4;
    for (let bed = 0; bed < 2; bed++) {
      const u = r.u0 + 0.5 + bed * 2.2;
      const bedId = add('bed', `${id}-bed${bed + 1}`, `Bed ${n}-${bed + 1}`, [rect(u, vBed, u + 1, vBed + 2.1)], { wardId: ward });
      residents.push({
        id: `res-${bedId}`,
        siteId: 'bench-site',
        name: `Resident ${bedId}`,
        wardId: ward,
        tagId: `tag-${bedId}`,
        wanderRisk: rnd.next() < 0.3,
        fallRisk: rnd.next() < 0.4,
        roomZoneId: id,
        bedZoneId: bedId,
        bathroomZoneId: `${id}-bath`,
        safeZoneIds: [ward, area],
        forbiddenZoneIds: [],
        homeZoneId: null,
        community: false,
      });
    }
  }
}

function buildOutdoor(
  rnd: Rng,
  floorId: string,
  [x0, y0, x1, y1]: [number, number, number, number],
  homes: number,
  zones: Zone[],
  residents: Resident[],
): [number, number][] {
  const id = (p: Pt) => p;
  const add = (kind: ZoneKind, zid: string, name: string, rings: Pt[][], extra: Partial<Zone> = {}) =>
    zones.push({ id: zid, kind, name, floorId, polygon: rings.map((r) => closed(r, id)), ...extra });
  // Concave campus (a neighbour's lot bites the north-east corner) with an enclave (a substation).
  add('campus', 'campus', 'Campus', [
    [
      [x0, y0],
      [x1, y0],
      [x1, y1 - 60],
      [x1 - 80, y1 - 60],
      [x1 - 80, y1],
      [x0, y1],
    ],
    hole(200, -30, 215, -15),
  ]);
  add('safe', 'garden-s', 'South garden', [rect(-35, -35, 100, -5)]);
  add('safe', 'garden-w', 'West garden', [rect(-38, 20, -5, 140)]);
  add('safe', 'garden-c', 'Courtyard', [rect(75, 30, 115, 70)]);
  add('forbidden', 'pond', 'Pond', [
    [
      [85, 40],
      [100, 36],
      [108, 48],
      [98, 60],
      [84, 55],
    ],
  ]);
  add('exit', 'gate-main', 'Main gate', [rect(100, y0 - 2, 112, y0 + 2)], { exitType: 'gate' });
  add('exit', 'gate-back', 'Back gate', [rect(x0 - 2, 180, x0 + 2, 190)], { exitType: 'gate' });
  const centres: [number, number][] = [];
  for (let h = 0; h < homes; h++) {
    const a = rnd.range(0, 2 * Math.PI);
    const d = rnd.range(400, 2000);
    const cx = round(d * Math.cos(a)), cy = round(d * Math.sin(a));
    centres.push([cx, cy]);
    // An irregular hexagon of about 30 m across: the house, its yard and the lane in front.
    const ring: Pt[] = [];
    for (let k = 0; k < 6; k++) {
      const t = (k / 6) * 2 * Math.PI;
      const r = 15 + rnd.gaussian(2);
      ring.push([round(cx + r * Math.cos(t)), round(cy + r * Math.sin(t))]);
    }
    const zid = `home-${h + 1}`;
    add('home', zid, `Home ${h + 1}`, [ring]);
    residents.push({
      id: `res-${zid}`,
      siteId: 'bench-site',
      name: `Community resident ${h + 1}`,
      wardId: null,
      tagId: `tag-${zid}`,
      wanderRisk: rnd.next() < 0.5,
      fallRisk: rnd.next() < 0.5,
      roomZoneId: null,
      bedZoneId: null,
      bathroomZoneId: null,
      safeZoneIds: [],
      forbiddenZoneIds: [],
      homeZoneId: zid,
      community: true,
    });
  }
  return centres;
}

/**
 * Seeded query points as [floorIndex, x, y] triples: `indoorShare` uniformly over a random
 * building floor's footprint (stairwells and lift included), the rest outdoors, two thirds over the
 * campus and a third around community homes.
 */
export function queryPoints(inst: Institution, count: number, seed = 7, indoorShare = 0.85): Float64Array {
  const rnd = new Rng(seed);
  const out = new Float64Array(count * 3);
  const outdoor = inst.floorIds.indexOf(inst.outdoorFloorId);
  for (let i = 0; i < count; i++) {
    let f: number, x: number, y: number;
    if (rnd.next() < indoorShare) {
      const b = rnd.pick(inst.buildings);
      f = inst.floorIds.indexOf(b.floorIds[rnd.int(0, b.floorIds.length - 1)]);
      const u = rnd.range(-2, BUILDING_W + 2), v = rnd.range(0, BUILDING_D + 2);
      const c = Math.cos((b.rotationDeg * Math.PI) / 180), s = Math.sin((b.rotationDeg * Math.PI) / 180);
      x = b.x + u * c - v * s;
      y = b.y + u * s + v * c;
    } else if (rnd.next() < 2 / 3) {
      f = outdoor;
      const [x0, y0, x1, y1] = inst.campusBBox;
      x = rnd.range(x0 - 20, x1 + 20);
      y = rnd.range(y0 - 20, y1 + 20);
    } else {
      f = outdoor;
      const [cx, cy] = rnd.pick(inst.homeCentres);
      x = cx + rnd.range(-30, 30);
      y = cy + rnd.range(-30, 30);
    }
    out[3 * i] = f;
    out[3 * i + 1] = x;
    out[3 * i + 2] = y;
  }
  return out;
}

/** A point in a building's own frame (u along it, v across), in site metres. */
export function toSite(b: BuildingPlacement, u: number, v: number): [number, number] {
  const c = Math.cos((b.rotationDeg * Math.PI) / 180), s = Math.sin((b.rotationDeg * Math.PI) / 180);
  return [b.x + u * c - v * s, b.y + u * s + v * c];
}

export interface WalkFix {
  tagId: string;
  ts: number;
  floorId: string;
  x: number;
  y: number;
  accuracy: number;
}

/**
 * Seeded tracks for `tags` residents, `fixesPerTag` fixes each, interleaved by time as they would
 * arrive: ward residents walk their building's floors at 0.7 m/s (one fix a second, 0.3 m noise,
 * accuracy 0.5 m), now and then changing floor or stepping outdoors; community residents stroll
 * around their homes (a GPS fix every 10 s, 5 m noise, accuracy 8 m) and sometimes wander off.
 */
export function residentWalks(inst: Institution, tags: number, fixesPerTag: number, seed = 11, t0 = Date.UTC(2026, 0, 5, 1)): WalkFix[] {
  const rnd = new Rng(seed);
  const residents = inst.world.residents;
  const chosen = Array.from({ length: tags }, (_, k) => residents[Math.floor((k * residents.length) / tags)]);
  const buildingOf = new Map(inst.buildings.flatMap((b) => b.floorIds.map((f) => [f, b] as const)));
  const streams = chosen.map((r) => {
    const out: WalkFix[] = [];
    if (r.community) {
      const home = inst.world.zones.find((z) => z.id === r.homeZoneId)!;
      const [hx, hy] = centroid(home.polygon[0]);
      let x = hx, y = hy, heading = rnd.range(0, 2 * Math.PI);
      for (let k = 0; k < fixesPerTag; k++) {
        heading += rnd.gaussian(0.4);
        // a slow pull back towards home keeps most strolls near it
        const pull = Math.hypot(x - hx, y - hy) > 40 && rnd.next() < 0.7 ? Math.atan2(hy - y, hx - x) : heading;
        heading = pull;
        x += 7 * Math.cos(heading);
        y += 7 * Math.sin(heading);
        out.push({ tagId: r.tagId, ts: t0 + k * 10_000, floorId: inst.outdoorFloorId, x: x + rnd.gaussian(5), y: y + rnd.gaussian(5), accuracy: 8 });
      }
      return out;
    }
    const bed = inst.world.zones.find((z) => z.id === r.bedZoneId)!;
    const b = buildingOf.get(bed.floorId)!;
    let floorId = bed.floorId;
    // walk in the building's frame: start near the middle of the corridor
    let u = rnd.range(2, BUILDING_W - 2), v = 12.5, heading = rnd.range(0, 2 * Math.PI);
    let outdoors = false;
    for (let k = 0; k < fixesPerTag; k++) {
      if (rnd.next() < 0.004) {
        outdoors = !outdoors && rnd.next() < 0.5;
        floorId = outdoors ? inst.outdoorFloorId : b.floorIds[rnd.int(0, b.floorIds.length - 1)];
      }
      heading += rnd.gaussian(0.5);
      u += 0.7 * Math.cos(heading);
      v += 0.7 * Math.sin(heading);
      const [u0, v0, u1, v1] = outdoors ? [-30, -30, BUILDING_W + 30, BUILDING_D + 30] : [-2, 0, BUILDING_W + 2, BUILDING_D + 2];
      if (u < u0 || u > u1) (heading = Math.PI - heading), (u = Math.min(u1, Math.max(u0, u)));
      if (v < v0 || v > v1) (heading = -heading), (v = Math.min(v1, Math.max(v0, v)));
      const [x, y] = toSite(b, u, v);
      const acc = outdoors ? 5 : 0.5;
      const noise = outdoors ? 3 : 0.3;
      out.push({ tagId: r.tagId, ts: t0 + k * 1000, floorId, x: x + rnd.gaussian(noise), y: y + rnd.gaussian(noise), accuracy: acc });
    }
    return out;
  });
  const all: WalkFix[] = [];
  for (let k = 0; k < fixesPerTag; k++) for (const s of streams) all.push(s[k]);
  return all;
}

function centroid(ring: Ring): [number, number] {
  let x = 0, y = 0;
  const n = ring.length - 1;
  for (let k = 0; k < n; k++) {
    x += ring[k][0];
    y += ring[k][1];
  }
  return [x / n, y / n];
}
