/**
 * A seeded synthetic campus for benchmarks, from the same site generator as the sample institution
 * (server/sample/site-generator.ts), only larger: four care buildings of five and six floors, some rotated
 * against the site axes; each floor's utility room cut out of its ward (a hole), a third of the bedrooms
 * L-shaped (a column in a corner), the wards L-shaped around the lift hall; an outdoor level with a concave
 * campus holding an enclave (a hole), gardens, a pond, two gates, and the plots of 100 community residents
 * up to two kilometres away.
 *
 * A point indoors is typically in 2–4 zones (bed ⊂ room ⊂ ward, bathroom ⊂ room ⊂ ward, corridor ⊂ ward).
 * Everything comes from one seed.
 */
import { ringCentroid } from '../../geo/geometry';
import type { Fix, Ring, Site, Zone } from '../../geo/model';
import { Rng } from '../../geo/rng';
import type { WorldData } from '../../geo/world';
import { CORRIDOR_MID, GENERAL_NORTH, GENERAL_SOUTH, generateSite, rectRing, type BuildingFootprint, type BuildingPlan, type HomePlot } from '../../server/sample/site-generator';

export interface InstitutionOptions {
  seed?: number;
  /** floors per building; one building per entry */
  floors?: number[];
  communityHomes?: number;
}

export interface Institution {
  world: WorldData;
  site: Site;
  /** every floor id, outdoor last; query points refer to floors by position in this list */
  floorIds: string[];
  buildings: BuildingFootprint[];
  outdoorFloorId: string;
  campusBBox: [number, number, number, number];
  homeCentres: [number, number][];
}

const DEFAULT_FLOORS = [5, 5, 6, 6];
const SITE_ID = 'bench';

export function generateInstitution(opts: InstitutionOptions = {}): Institution {
  const seed = opts.seed ?? 20260105;
  const floorsPerBuilding = opts.floors ?? DEFAULT_FLOORS;
  const sitePlacements: [number, number, number][] = [
    [0, 0, 0],
    [110, 0, 0],
    [10, 75, 15],
    [125, 95, -30],
    [240, 10, 90],
    [250, 120, 0],
  ];
  const buildings: BuildingPlan[] = floorsPerBuilding.map((nFloors, b) => {
    const [sx, y, rotationDeg] = sitePlacements[b % sitePlacements.length];
    const key = String.fromCharCode(65 + b);
    return {
      key,
      name: `Building ${key}`,
      nameZh: `${key}栋`,
      origin: { x: sx + 260 * Math.floor(b / sitePlacements.length), y },
      rotationDeg,
      floors: Array.from({ length: nFloors }, (_, f) => ({
        level: f + 1,
        ward: { name: `Ward ${key}${f + 1}`, nameZh: `${key}${f + 1}病区` },
        north: GENERAL_NORTH,
        south: GENERAL_SOUTH,
        wanderRisk: 8,
      })),
    };
  });
  const bedsPerFloor = [...GENERAL_NORTH, ...GENERAL_SOUTH].reduce((n, k) => n + (k === 'double' ? 2 : k === 'single' ? 1 : 0), 0);
  const campusBBox: [number, number, number, number] = [-40, -40, 330, 230];
  const [x0, y0, x1, y1] = campusBBox;
  const plots = new Rng(seed + 1);
  const homes: HomePlot[] = Array.from({ length: opts.communityHomes ?? 100 }, () => {
    const a = plots.range(0, 2 * Math.PI);
    const d = plots.range(400, 2000);
    return {
      x: Math.round(d * Math.cos(a)),
      y: Math.round(d * Math.sin(a)),
      w: plots.range(15, 30),
      h: plots.range(15, 30),
      rot: plots.range(-90, 90),
      wanderRisk: plots.next() < 0.5,
      fallRisk: plots.next() < 0.5,
    };
  });
  const outdoor: Omit<Zone, 'floorId'>[] = [
    {
      // a neighbour's lot bites the north-east corner; a substation is an enclave
      id: `${SITE_ID}-campus`,
      kind: 'campus',
      name: 'Campus',
      polygon: [
        [
          [x0, y0],
          [x1, y0],
          [x1, y1 - 60],
          [x1 - 80, y1 - 60],
          [x1 - 80, y1],
          [x0, y1],
          [x0, y0],
        ],
        rectRing(200, -30, 215, -15).reverse() as Ring,
      ],
    },
    { id: `${SITE_ID}-garden-s`, kind: 'safe', name: 'South garden', polygon: [rectRing(-35, -35, 100, -5)], use: 'garden' },
    { id: `${SITE_ID}-garden-w`, kind: 'safe', name: 'West garden', polygon: [rectRing(-38, 20, -5, 140)], use: 'garden' },
    { id: `${SITE_ID}-garden-c`, kind: 'safe', name: 'Courtyard', polygon: [rectRing(75, 30, 115, 70)], use: 'garden' },
    {
      id: `${SITE_ID}-pond`,
      kind: 'forbidden',
      name: 'Pond',
      polygon: [
        [
          [85, 40],
          [100, 36],
          [108, 48],
          [98, 60],
          [84, 55],
          [85, 40],
        ],
      ],
    },
    { id: `${SITE_ID}-gate-main`, kind: 'exit', name: 'Main gate', polygon: [rectRing(100, y0 - 2, 112, y0 + 2)], exitType: 'gate' },
    { id: `${SITE_ID}-gate-back`, kind: 'exit', name: 'Back gate', polygon: [rectRing(x0 - 2, 180, x0 + 2, 190)], exitType: 'gate' },
  ];
  const generated = generateSite({
    seed,
    site: {
      id: SITE_ID,
      name: 'Synthetic Care Campus',
      region: ['Bench City', 'North District'],
      timeZone: 'Asia/Shanghai',
      georef: { lon: 117.0, lat: 32.63, rotationDeg: 0 },
      nightWindow: { start: '22:00', end: '06:00' },
    },
    buildings,
    outdoor,
    gardenId: `${SITE_ID}-garden-c`,
    homes,
    fallRisk: Math.round(0.4 * bedsPerFloor * buildings.reduce((n, b) => n + b.floors.length, 0)),
    utilityHole: true,
    notchedRooms: 0.35,
  });
  const { site, zones, residents } = generated;
  return {
    world: { sites: [site], zones, residents },
    site,
    floorIds: site.floors.map((f) => f.id),
    buildings: generated.buildings,
    outdoorFloorId: `${SITE_ID}-outdoor`,
    campusBBox,
    homeCentres: homes.map((h) => [h.x, h.y]),
  };
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
      [x, y] = toSite(b, rnd.range(-2, b.length + 2), rnd.range(-2, b.depth + 2));
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
export function toSite(b: BuildingFootprint, u: number, v: number): [number, number] {
  const c = Math.cos((b.rotationDeg * Math.PI) / 180), s = Math.sin((b.rotationDeg * Math.PI) / 180);
  return [b.origin.x + u * c - v * s, b.origin.y + u * s + v * c];
}

export type WalkFix = Pick<Fix, 'tagId' | 'ts' | 'floorId' | 'x' | 'y' | 'accuracy'>;

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
      const [hx, hy] = ringCentroid(home.polygon[0]);
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
    let u = rnd.range(2, b.length - 2), v = CORRIDOR_MID, heading = rnd.range(0, 2 * Math.PI);
    let outdoors = false;
    for (let k = 0; k < fixesPerTag; k++) {
      if (rnd.next() < 0.004) {
        outdoors = !outdoors && rnd.next() < 0.5;
        floorId = outdoors ? inst.outdoorFloorId : b.floorIds[rnd.int(0, b.floorIds.length - 1)];
      }
      heading += rnd.gaussian(0.5);
      u += 0.7 * Math.cos(heading);
      v += 0.7 * Math.sin(heading);
      const [u0, v0, u1, v1] = outdoors ? [-30, -30, b.length + 30, b.depth + 30] : [-2, -2, b.length + 2, b.depth + 2];
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
