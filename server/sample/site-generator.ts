/**
 * Generates a care site from a plan: buildings of care-home floors, an outdoor level with the community
 * residents' homes, residents in beds, and their tags. Seeded: the same plan gives the same site, so the
 * committed sample (generate.ts) can be regenerated and diffed, and benchmarks (bench/lib/institution.ts,
 * a larger campus from the same generator) measure the same work on every run.
 *
 * Layout of every indoor floor (building-local metres, u along the corridor, v north; rotated and moved
 * into the site by the building's origin and rotation):
 *
 *   v 14.4 ┌ lift hall ┬ store ┬ bedrooms / lounge ……………………………… ┬ store ┐
 *   v  8.4 │ [lift]                                                   │
 *     stair▕  corridor 2.4 m, u 0 … L                                 ▏stair
 *   v  6.0 │ utility (forbidden) ┬ bedrooms / nurse / dining / lobby ┬ staff │
 *   v  0   └──────────────────────┴──────────── [entrance] ───────────┴───────┘
 *
 * The first and last 8 m / 6 m of the corridor have no bedroom or lounge door, so the exits (stairwells at both
 * corridor ends, the lift at the west end) are ≥ 6 m from every door an ordinary resident uses.
 */
import { ringArea } from '../../geo/geometry';
import type { Building, ExitType, Floor, Resident, Ring, Site, Tag, Ward, Zone, ZoneKind } from '../../geo/model';
import { Rng } from '../../geo/rng';

/** One slot along a side of the corridor, west to east. */
export type SlotKind = 'single' | 'double' | 'lounge' | 'dining' | 'nurse' | 'kitchen' | 'lobby';

const SLOT_WIDTH: Record<SlotKind, number> = {
  single: 4,
  double: 4,
  lounge: 8,
  dining: 8,
  nurse: 4,
  kitchen: 4,
  lobby: 8,
};

const S: SlotKind = 'single';
const D: SlotKind = 'double';
/** A general care floor's rooms along the north and south sides of its corridor, west to east. */
export const GENERAL_NORTH: SlotKind[] = [D, D, S, 'lounge', D, D, S, D, D];
export const GENERAL_SOUTH: SlotKind[] = [D, S, 'nurse', 'dining', D, D, S, D, S];

const CORRIDOR_Y0 = 6;
const CORRIDOR_W = 2.4;
const ROOM_DEPTH = 6;
const WEST_END = 8;
const EAST_END = 6;
const FLOOR_HEIGHT = 3.3;
/** Depth of a building from its south wall to its north wall, metres. */
export const BUILDING_DEPTH = 2 * ROOM_DEPTH + CORRIDOR_W;
/** The corridor's centre line, metres north of the south wall. */
export const CORRIDOR_MID = CORRIDOR_Y0 + CORRIDOR_W / 2;
/** A structural column taken out of a notched bedroom's far corner (clear of the beds), metres. */
const NOTCH = 0.35;

export interface FloorPlan {
  level: number;
  ward: { name: string; nameZh: string; memoryCare?: boolean };
  north: SlotKind[];
  south: SlotKind[];
  /** Residents to place (beds are filled in order, the spare ones scattered); default every bed. */
  residents?: number;
  wanderRisk: number;
}

export interface BuildingPlan {
  /** A short letter used in ids and names (`<site>-A2`, "Building A 2F"). */
  key: string;
  name: string;
  nameZh: string;
  /** South-west corner of the corridor frame in site metres. */
  origin: { x: number; y: number };
  /** Counter-clockwise turn of the building about its origin, degrees. Default 0. */
  rotationDeg?: number;
  floors: FloorPlan[];
}

/** A community resident's home plot, site metres; the resident's risk flags ride along. */
export interface HomePlot {
  x: number;
  y: number;
  w: number;
  h: number;
  rot: number;
  wanderRisk?: boolean;
  fallRisk?: boolean;
}

export interface SitePlan {
  seed: number;
  site: Omit<Site, 'buildings' | 'floors' | 'wards'>;
  buildings: BuildingPlan[];
  /** Outdoor zones other than homes (campus, gardens, gates, ...), site metres. */
  outdoor: Omit<Zone, 'floorId'>[];
  /** The outdoor zone wander-risk residents may be in besides their ward (a garden). */
  gardenId: string;
  homes: HomePlot[];
  /** Fall-risk residents among those in beds, spread over the house. */
  fallRisk: number;
  /** Cut each floor's utility room out of its ward as a hole instead of letting the ward cover it. Default false. */
  utilityHole?: boolean;
  /** Share of bedrooms with a column in their far corner (an L-shaped room). Default 0. */
  notchedRooms?: number;
}

/** Where a building stands, for callers that work in its frame. */
export interface BuildingFootprint {
  id: string;
  origin: { x: number; y: number };
  rotationDeg: number;
  /** Along the corridor (u) and across it (v), metres. */
  length: number;
  depth: number;
  floorIds: string[];
}

export interface GeneratedSite {
  site: Site;
  zones: Zone[];
  residents: Resident[];
  tags: Tag[];
  buildings: BuildingFootprint[];
}

const r2 = (v: number) => Math.round(v * 100) / 100;

/** An axis-aligned rectangle as a closed counter-clockwise ring (the winding GeoJSON, RFC 7946, recommends). */
export function rectRing(x0: number, y0: number, x1: number, y1: number): Ring {
  return placedRect(x0, y0, x1, y1, (u, v) => [r2(u), r2(v)]);
}

export function rotatedRectRing(cx: number, cy: number, w: number, h: number, rotDeg: number): Ring {
  const c = Math.cos((rotDeg * Math.PI) / 180);
  const s = Math.sin((rotDeg * Math.PI) / 180);
  const corners: [number, number][] = [
    [-w / 2, -h / 2],
    [w / 2, -h / 2],
    [w / 2, h / 2],
    [-w / 2, h / 2],
  ];
  const ring = corners.map(([u, v]) => [r2(cx + u * c - v * s), r2(cy + u * s + v * c)] as [number, number]);
  ring.push([...ring[0]] as [number, number]);
  return ring;
}

type Place = (u: number, v: number) => [number, number];

function placedRect(u0: number, v0: number, u1: number, v1: number, place: Place): Ring {
  const [a, b] = [Math.min(u0, u1), Math.max(u0, u1)];
  const [c, d] = [Math.min(v0, v1), Math.max(v0, v1)];
  return [place(a, c), place(b, c), place(b, d), place(a, d), place(a, c)];
}

interface BedSlot {
  roomZoneId: string;
  bedZoneId: string;
  bathroomZoneId: string;
}

interface FloorResult {
  floor: Floor;
  ward: Ward;
  wardZoneId: string;
  zones: Zone[];
  beds: BedSlot[];
  plan: FloorPlan;
}

function buildFloor(siteId: string, building: BuildingPlan, plan: FloorPlan, options: { utilityHole: boolean; notched: () => boolean }): FloorResult {
  const tag = `${building.key}${plan.level}`;
  const floorId = `${siteId}-${tag}`;
  const wardId = `${siteId}-ward-${tag}`;
  const wardZoneId = `${floorId}-ward`;
  const { x: ox, y: oy } = building.origin;
  const rot = ((building.rotationDeg ?? 0) * Math.PI) / 180;
  const [cos, sin] = [Math.cos(rot), Math.sin(rot)];
  const place: Place = (u, v) => [r2(ox + (u * cos - v * sin)), r2(oy + (u * sin + v * cos))];
  const zones: Zone[] = [];
  const beds: BedSlot[] = [];
  const sideLength = (slots: SlotKind[]) => slots.reduce((sum, k) => sum + SLOT_WIDTH[k], 0);
  const middle = sideLength(plan.north);
  if (sideLength(plan.south) !== middle) throw new Error(`${floorId}: north and south sides differ in length`);
  const L = WEST_END + middle + EAST_END;

  /** A building-local rectangle (u0, v0, u1, v1), or local points, in the site. */
  type Shape = [number, number, number, number] | [number, number][];
  const ringOf = (shape: Shape): Ring => {
    if (typeof shape[0] === 'number') {
      const [u0, v0, u1, v1] = shape as [number, number, number, number];
      return placedRect(u0, v0, u1, v1, place);
    }
    const ring = (shape as [number, number][]).map(([u, v]) => place(u, v));
    if (ringArea(ring) < 0) ring.reverse();
    return ring;
  };
  const add = (
    id: string,
    kind: ZoneKind,
    name: string,
    nameZh: string,
    shape: Shape,
    extra: { exitType?: ExitType; use?: string; ward?: boolean; holes?: Shape[] } = {},
  ) => {
    const zone: Zone = {
      id,
      kind,
      name,
      nameZh,
      floorId,
      polygon: [ringOf(shape), ...(extra.holes ?? []).map((h) => ringOf(h).reverse())],
    };
    if (extra.exitType) zone.exitType = extra.exitType;
    if (extra.ward !== false) zone.wardId = wardId;
    if (extra.use) zone.use = extra.use;
    zones.push(zone);
  };

  // The ward covers corridor and rooms but not the lift hall, so a resident stepping into the lift has left it.
  const yTop = BUILDING_DEPTH;
  const yN = CORRIDOR_Y0 + CORRIDOR_W;
  const utility: Shape = [0, 0, WEST_END, CORRIDOR_Y0];
  const wardShape: Shape = [
    [0, 0],
    [L, 0],
    [L, yTop],
    [4, yTop],
    [4, yN],
    [0, yN],
    [0, 0],
  ];
  add(wardZoneId, 'ward', plan.ward.name, plan.ward.nameZh, wardShape, {
    use: plan.ward.memoryCare ? 'memory_care' : 'care',
    holes: options.utilityHole ? [utility] : [],
  });

  add(`${floorId}-corridor`, 'corridor', `${tag} corridor`, `${tag}走廊`, [0, CORRIDOR_Y0, L, yN]);
  const mid = CORRIDOR_MID;
  add(`${floorId}-stair-w`, 'exit', `${tag} west stairwell`, `${tag}西楼梯间`, [-1.2, mid - 0.75, 0, mid + 0.75], {
    exitType: 'stairwell',
    ward: false,
  });
  add(`${floorId}-stair-e`, 'exit', `${tag} east stairwell`, `${tag}东楼梯间`, [L, mid - 0.75, L + 1.2, mid + 0.75], {
    exitType: 'stairwell',
    ward: false,
  });
  add(`${floorId}-lift`, 'exit', `${tag} lift`, `${tag}电梯`, [1, yN, 2.5, yN + 1.2], { exitType: 'lift', ward: false });
  add(`${floorId}-store-w`, 'room', `${tag} storage`, `${tag}储藏室`, [4, yN, WEST_END, yTop], { use: 'storage' });
  add(`${floorId}-utility`, 'forbidden', `${tag} sluice room`, `${tag}污物间`, utility, { use: 'utility' });
  add(`${floorId}-store-e`, 'room', `${tag} linen store`, `${tag}布草间`, [L - EAST_END, yN, L, yTop], { use: 'storage' });
  add(`${floorId}-staff`, 'room', `${tag} staff room`, `${tag}员工休息室`, [L - EAST_END, 0, L, CORRIDOR_Y0], { use: 'staff' });

  let roomNo = plan.level * 100;
  for (const side of ['north', 'south'] as const) {
    // v = depth from the corridor wall into the room; north rooms grow +v, south rooms -v
    const edge = side === 'north' ? yN : CORRIDOR_Y0;
    const sgn = side === 'north' ? 1 : -1;
    const inRoom = (x: number, u0: number, v0: number, u1: number, v1: number): Shape => [x + u0, edge + sgn * v0, x + u1, edge + sgn * v1];
    let x = WEST_END;
    for (const slot of plan[side]) {
      const w = SLOT_WIDTH[slot];
      const whole = inRoom(x, 0, 0, w, ROOM_DEPTH);
      switch (slot) {
        case 'single':
        case 'double': {
          roomNo++;
          const rid = `${floorId}-r${roomNo}`;
          const label = `${building.key}${roomNo}`;
          const far = edge + sgn * ROOM_DEPTH;
          const notched: Shape = [
            [x, edge],
            [x + w, edge],
            [x + w, far - sgn * NOTCH],
            [x + w - NOTCH, far - sgn * NOTCH],
            [x + w - NOTCH, far],
            [x, far],
            [x, edge],
          ];
          add(rid, 'room', `Room ${label}`, `${label}室`, options.notched() ? notched : whole, { use: 'bedroom' });
          // en-suite in the corner by the door; the door is the rest of the corridor wall (u 2–4, centre 3)
          add(`${rid}-bath`, 'bathroom', `${label} bathroom`, `${label}卫生间`, inRoom(x, 0, 0, 2, 2.2), { use: 'bathroom' });
          const bedUs = slot === 'single' ? [1.5] : [0.4, 2.6];
          bedUs.forEach((u, i) => {
            const bid = `${rid}-bed${i + 1}`;
            add(bid, 'bed', `${label} bed ${i + 1}`, `${label}-${i + 1}床`, inRoom(x, u, 3.8, u + 1, 5.9), { use: 'bed' });
            beds.push({ roomZoneId: rid, bedZoneId: bid, bathroomZoneId: `${rid}-bath` });
          });
          break;
        }
        case 'lounge':
          add(`${floorId}-lounge`, 'room', `${tag} lounge`, `${tag}起居厅`, whole, { use: 'lounge' });
          break;
        case 'dining':
          add(`${floorId}-dining`, 'room', `${tag} dining & activity room`, `${tag}餐厅活动室`, whole, { use: 'dining' });
          break;
        case 'nurse':
          add(`${floorId}-nurse`, 'room', `${tag} nurse station`, `${tag}护士站`, whole, { use: 'nurse_station' });
          break;
        case 'kitchen':
          add(`${floorId}-kitchen`, 'forbidden', `${tag} kitchen`, `${tag}厨房`, whole, { use: 'kitchen' });
          break;
        case 'lobby': {
          add(`${floorId}-lobby`, 'room', `${tag} entrance hall`, `${tag}门厅`, whole, { use: 'lobby' });
          // the main door is in the lobby's outer wall, 6 m from the corridor
          const cx = x + w / 2;
          const outer = edge + sgn * ROOM_DEPTH;
          add(
            `${floorId}-entrance`,
            'exit',
            `Building ${building.key} main entrance`,
            `${building.key}栋主入口`,
            [cx - 0.75, outer, cx + 0.75, outer + sgn * 1.2],
            { exitType: 'door', ward: false },
          );
          break;
        }
      }
      x += w;
    }
  }

  const floor: Floor = {
    id: floorId,
    buildingId: `${siteId}-${building.key}`,
    ordinal: plan.level - 1,
    name: `Building ${building.key} ${plan.level}F`,
    nameZh: `${building.key}栋${plan.level}层`,
    elevationM: r2((plan.level - 1) * FLOOR_HEIGHT),
  };
  const ward: Ward = { id: wardId, name: plan.ward.name, nameZh: plan.ward.nameZh, floorIds: [floorId] };
  return { floor, ward, wardZoneId, zones, beds, plan };
}

/** The building's length along its corridor (the same on every floor: the plans of a building share their slots' widths). */
function buildingLength(b: BuildingPlan): number {
  const first = b.floors[0];
  return first ? WEST_END + first.north.reduce((sum, k) => sum + SLOT_WIDTH[k], 0) + EAST_END : 0;
}

function buildOutdoor(plan: SitePlan): { floor: Floor; zones: Zone[]; homeIds: string[] } {
  const siteId = plan.site.id;
  const floorId = `${siteId}-outdoor`;
  const zones: Zone[] = plan.outdoor.map(({ id, kind, name, nameZh, polygon, ...extra }) => ({
    id,
    kind,
    name,
    ...(nameZh === undefined ? {} : { nameZh }),
    floorId,
    polygon,
    ...extra,
  }));
  const homeIds: string[] = [];
  plan.homes.forEach((h, i) => {
    const id = `${siteId}-home-${String(i + 1).padStart(2, '0')}`;
    homeIds.push(id);
    const polygon = [rotatedRectRing(h.x, h.y, h.w, h.h, h.rot)];
    zones.push({ id, kind: 'home', name: `Home ${i + 1}`, nameZh: `居家${i + 1}号`, floorId, polygon, use: 'home' });
  });
  const floor: Floor = {
    id: floorId,
    buildingId: null,
    ordinal: 0,
    name: 'Outdoor',
    nameZh: '室外',
    outdoor: true,
    elevationM: 0,
  };
  return { floor, zones, homeIds };
}

// Names common among people born in the 1930s–1950s, so the roster reads like a real one.
const SURNAMES = [...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢'];
const GIVEN_NAMES = [
  '桂英', '秀英', '玉兰', '淑珍', '凤英', '秀兰', '桂兰', '玉珍', '翠兰', '金花', '素珍', '兰英', '秀珍', '玉梅',
  '凤兰', '桂芝', '建国', '国华', '德明', '志强', '永福', '广才', '文华', '长林', '振华', '学文', '福生', '宝山',
  '德胜', '家明', '明德', '世杰', '宗义', '春生', '树林', '守仁', '英', '华', '勇', '敏', '芳', '军', '刚', '平',
];

function nameGenerator(rng: Rng): () => string {
  const used = new Set<string>();
  return () => {
    if (used.size >= SURNAMES.length * GIVEN_NAMES.length) throw new Error('more residents than distinct names');
    for (;;) {
      const name = rng.pick(SURNAMES) + rng.pick(GIVEN_NAMES);
      if (!used.has(name)) {
        used.add(name);
        return name;
      }
    }
  };
}

export function generateSite(plan: SitePlan): GeneratedSite {
  const siteId = plan.site.id;
  const rng = new Rng(plan.seed);
  const nextName = nameGenerator(rng);
  const notchedShare = plan.notchedRooms ?? 0;
  const options = { utilityHole: plan.utilityHole ?? false, notched: () => notchedShare > 0 && rng.next() < notchedShare };
  const floors = plan.buildings.flatMap((b) => b.floors.map((f) => buildFloor(siteId, b, f, options)));
  const outdoor = buildOutdoor(plan);
  const buildings: Building[] = plan.buildings.map((b) => ({ id: `${siteId}-${b.key}`, name: b.name, nameZh: b.nameZh }));
  const site: Site = {
    ...plan.site,
    buildings,
    floors: [...floors.map((f) => f.floor), outdoor.floor],
    wards: floors.map((f) => f.ward),
  };

  const residents: Resident[] = [];
  const tags: Tag[] = [];
  const addResident = (r: Omit<Resident, 'id' | 'siteId' | 'tagId'>, tagKind: Tag['kind']) => {
    const n = residents.length + 1;
    const id = `${siteId}-res-${String(n).padStart(3, '0')}`;
    const tagId = `T-${String(n).padStart(4, '0')}`;
    residents.push({ id, siteId, tagId, ...r });
    tags.push({ id: tagId, kind: tagKind, residentId: id, siteId });
  };

  const residentsOf = (f: FloorResult) => f.plan.residents ?? f.beds.length;
  let fallRiskLeft = plan.fallRisk;
  let placedLeft = floors.reduce((s, f) => s + residentsOf(f), 0);
  for (const f of floors) {
    const count = residentsOf(f);
    if (f.beds.length < count) throw new Error(`${f.floor.id}: more residents than beds`);
    // leave the spare beds scattered rather than all at the end of the corridor
    const empty = new Set(rng.shuffle(f.beds.map((_, i) => i)).slice(0, f.beds.length - count));
    const placed = f.beds.filter((_, i) => !empty.has(i));
    const wanderIdx = new Set(rng.shuffle(placed.map((_, i) => i)).slice(0, f.plan.wanderRisk));
    placed.forEach((bed, i) => {
      const wanderRisk = wanderIdx.has(i);
      // fall risk spread over the whole house, drawn so the total lands on the target
      const fallRisk = rng.next() < fallRiskLeft / placedLeft;
      if (fallRisk) fallRiskLeft--;
      placedLeft--;
      addResident(
        {
          name: nextName(),
          wardId: f.ward.id,
          wanderRisk,
          fallRisk,
          roomZoneId: bed.roomZoneId,
          bedZoneId: bed.bedZoneId,
          bathroomZoneId: bed.bathroomZoneId,
          safeZoneIds: wanderRisk ? [f.wardZoneId, plan.gardenId] : [],
          forbiddenZoneIds: [],
          homeZoneId: null,
          community: false,
        },
        'indoor',
      );
    });
  }

  outdoor.homeIds.forEach((homeZoneId, i) => {
    addResident(
      {
        name: nextName(),
        wardId: null,
        wanderRisk: plan.homes[i].wanderRisk ?? false,
        fallRisk: plan.homes[i].fallRisk ?? false,
        roomZoneId: null,
        bedZoneId: null,
        bathroomZoneId: null,
        safeZoneIds: [],
        forbiddenZoneIds: [],
        homeZoneId,
        community: true,
      },
      'outdoor',
    );
  });

  const zones = [...floors.flatMap((f) => f.zones), ...outdoor.zones];
  const footprints: BuildingFootprint[] = plan.buildings.map((b) => ({
    id: `${siteId}-${b.key}`,
    origin: b.origin,
    rotationDeg: b.rotationDeg ?? 0,
    length: buildingLength(b),
    depth: BUILDING_DEPTH,
    floorIds: b.floors.map((f) => `${siteId}-${b.key}${f.level}`),
  }));
  return { site, zones, residents, tags, buildings: footprints };
}
