/**
 * Generates the sample institution (a care home in Huainan) into server/sample/huainan/.
 * Deterministic: the same seed writes the same files, so the committed sample can be regenerated and diffed.
 *
 *   npx tsx server/sample/generate.ts
 *
 * Layout of every indoor floor (building-local metres, x along the corridor, y north):
 *
 *   y 14.4 ┌ lift hall ┬ store ┬ bedrooms / lounge ……………………………… ┬ store ┐
 *   y  8.4 │ [lift]                                                   │
 *     stair▕  corridor 2.4 m, x 0 … L                                 ▏stair
 *   y  6.0 │ utility (forbidden) ┬ bedrooms / nurse / dining / lobby ┬ staff │
 *   y  0   └──────────────────────┴──────────── [entrance] ───────────┴───────┘
 *
 * The first and last 8 m / 6 m of the corridor have no bedroom or lounge door, so the exits (stairwells at both
 * corridor ends, the lift at the west end) are ≥ 6 m from every door an ordinary resident uses.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Building, ExitType, Floor, Resident, Ring, Site, Tag, Ward, Zone, ZoneKind } from '../../geo/model';
import { Rng } from '../../geo/rng';
import { zonesToFeatureCollection } from '../site-loader';

const SITE_ID = 'hn1';
const SEED = 20_240_601;

const CORRIDOR_Y0 = 6;
const CORRIDOR_W = 2.4;
const ROOM_DEPTH = 6;
const BUILDING_DEPTH = 2 * ROOM_DEPTH + CORRIDOR_W;
const WEST_END = 8;
const EAST_END = 6;
const FLOOR_HEIGHT = 3.3;

/** One slot along a side of the corridor, west to east. */
type SlotKind = 'single' | 'double' | 'lounge' | 'dining' | 'nurse' | 'kitchen' | 'lobby';
const SLOT_WIDTH: Record<SlotKind, number> = {
  single: 4,
  double: 4,
  lounge: 8,
  dining: 8,
  nurse: 4,
  kitchen: 4,
  lobby: 8,
};

interface FloorPlan {
  building: 'A' | 'B';
  level: number;
  ward: { name: string; nameZh: string; memoryCare?: boolean };
  north: SlotKind[];
  south: SlotKind[];
  /** Residents to place (beds are filled in order, a few left empty). */
  residents: number;
  wanderRisk: number;
}

const S: SlotKind = 'single';
const D: SlotKind = 'double';
const GENERAL_NORTH: SlotKind[] = [D, D, S, 'lounge', D, D, S, D, D];
const GENERAL_SOUTH: SlotKind[] = [D, S, 'nurse', 'dining', D, D, S, D, S];

const PLANS: FloorPlan[] = [
  {
    building: 'A',
    level: 1,
    ward: { name: 'Care ward 1', nameZh: '护理一区' },
    north: GENERAL_NORTH,
    south: [D, 'nurse', 'dining', 'kitchen', 'lobby', D, S, S],
    residents: 19,
    wanderRisk: 0,
  },
  {
    building: 'A',
    level: 2,
    ward: { name: 'Memory care', nameZh: '记忆照护', memoryCare: true },
    // the lounge sits at the west end so the dementia residents' day room is near the nurses, not in a dead end
    north: ['lounge', S, S, D, S, D, S, S, S],
    south: [S, S, 'nurse', 'dining', S, D, S, S, S],
    residents: 17,
    wanderRisk: 13,
  },
  {
    building: 'A',
    level: 3,
    ward: { name: 'Care ward 3', nameZh: '护理三区' },
    north: GENERAL_NORTH,
    south: GENERAL_SOUTH,
    residents: 22,
    wanderRisk: 1,
  },
  {
    building: 'B',
    level: 1,
    ward: { name: 'Rehabilitation ward 1', nameZh: '康养一区' },
    north: GENERAL_NORTH,
    south: [D, S, 'nurse', 'dining', 'lobby', D, S, S],
    residents: 20,
    wanderRisk: 0,
  },
  {
    building: 'B',
    level: 2,
    ward: { name: 'Rehabilitation ward 2', nameZh: '康养二区' },
    north: GENERAL_NORTH,
    south: GENERAL_SOUTH,
    residents: 22,
    wanderRisk: 1,
  },
];

/** South-west corner of each building's corridor frame in site metres (campus 120 × 90 m). */
const BUILDING_ORIGIN: Record<'A' | 'B', { x: number; y: number }> = {
  A: { x: 10, y: 12 },
  B: { x: 57, y: 52 },
};

const OUTDOOR_FLOOR = `${SITE_ID}-outdoor`;

/** Community residents' homes, site metres from the campus: 300 m to 2 km away, 15–30 m plots. */
const HOMES = [
  { x: 420, y: -180, w: 18, h: 22, rot: 10 },
  { x: -650, y: 380, w: 24, h: 16, rot: -25 },
  { x: 900, y: 760, w: 20, h: 26, rot: 40 },
  { x: -1300, y: -620, w: 28, h: 20, rot: 5 },
  { x: 1650, y: 240, w: 16, h: 18, rot: -12 },
  { x: 260, y: 1180, w: 22, h: 30, rot: 70 },
];

// Names common among people born in the 1930s–1950s, so the roster reads like a real one.
const SURNAMES = [...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢'];
const GIVEN_NAMES = [
  '桂英', '秀英', '玉兰', '淑珍', '凤英', '秀兰', '桂兰', '玉珍', '翠兰', '金花', '素珍', '兰英', '秀珍', '玉梅',
  '凤兰', '桂芝', '建国', '国华', '德明', '志强', '永福', '广才', '文华', '长林', '振华', '学文', '福生', '宝山',
  '德胜', '家明', '明德', '世杰', '宗义', '春生', '树林', '守仁', '英', '华', '勇', '敏', '芳', '军', '刚', '平',
];

// ---------------------------------------------------------------------------------------------------------------

interface Rect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

const r2 = (v: number) => Math.round(v * 100) / 100;

function rectRing({ x0, y0, x1, y1 }: Rect): Ring {
  const [a, b] = [Math.min(x0, x1), Math.max(x0, x1)];
  const [c, d] = [Math.min(y0, y1), Math.max(y0, y1)];
  // counter-clockwise outer ring, as GeoJSON (RFC 7946) recommends
  return [
    [r2(a), r2(c)],
    [r2(b), r2(c)],
    [r2(b), r2(d)],
    [r2(a), r2(d)],
    [r2(a), r2(c)],
  ];
}

function rotatedRectRing(cx: number, cy: number, w: number, h: number, rotDeg: number): Ring {
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

function buildFloor(plan: FloorPlan): FloorResult {
  const floorId = `${SITE_ID}-${plan.building}${plan.level}`;
  const wardId = `${SITE_ID}-ward-${plan.building}${plan.level}`;
  const wardZoneId = `${floorId}-ward`;
  const origin = BUILDING_ORIGIN[plan.building];
  const tag = `${plan.building}${plan.level}`;
  const zones: Zone[] = [];
  const beds: BedSlot[] = [];
  const sideLength = (slots: SlotKind[]) => slots.reduce((sum, k) => sum + SLOT_WIDTH[k], 0);
  const middle = sideLength(plan.north);
  if (sideLength(plan.south) !== middle) throw new Error(`${floorId}: north and south sides differ in length`);
  const L = WEST_END + middle + EAST_END;

  // building-local rect -> site rect
  const at = (x0: number, y0: number, x1: number, y1: number): Rect => ({
    x0: origin.x + x0,
    y0: origin.y + y0,
    x1: origin.x + x1,
    y1: origin.y + y1,
  });
  const add = (
    id: string,
    kind: ZoneKind,
    name: string,
    nameZh: string,
    rect: Rect | Ring,
    extra: { exitType?: ExitType; use?: string; ward?: boolean } = {},
  ) => {
    const zone: Zone = {
      id,
      kind,
      name,
      nameZh,
      floorId,
      polygon: [Array.isArray(rect) ? rect : rectRing(rect)],
    };
    if (extra.exitType) zone.exitType = extra.exitType;
    if (extra.ward !== false) zone.wardId = wardId;
    if (extra.use) zone.use = extra.use;
    zones.push(zone);
  };

  // The ward covers corridor and rooms but not the lift hall, so a resident stepping into the lift has left it.
  const yTop = BUILDING_DEPTH;
  const yN = CORRIDOR_Y0 + CORRIDOR_W;
  const wardRing: Ring = [
    [0, 0],
    [L, 0],
    [L, yTop],
    [4, yTop],
    [4, yN],
    [0, yN],
    [0, 0],
  ].map(([x, y]) => [r2(origin.x + x), r2(origin.y + y)] as [number, number]);
  add(wardZoneId, 'ward', plan.ward.name, plan.ward.nameZh, wardRing, { use: plan.ward.memoryCare ? 'memory_care' : 'care' });

  add(`${floorId}-corridor`, 'corridor', `${tag} corridor`, `${tag}走廊`, at(0, CORRIDOR_Y0, L, yN));
  const mid = CORRIDOR_Y0 + CORRIDOR_W / 2;
  add(`${floorId}-stair-w`, 'exit', `${tag} west stairwell`, `${tag}西楼梯间`, at(-1.2, mid - 0.75, 0, mid + 0.75), {
    exitType: 'stairwell',
    ward: false,
  });
  add(`${floorId}-stair-e`, 'exit', `${tag} east stairwell`, `${tag}东楼梯间`, at(L, mid - 0.75, L + 1.2, mid + 0.75), {
    exitType: 'stairwell',
    ward: false,
  });
  add(`${floorId}-lift`, 'exit', `${tag} lift`, `${tag}电梯`, at(1, yN, 2.5, yN + 1.2), { exitType: 'lift', ward: false });
  add(`${floorId}-store-w`, 'room', `${tag} storage`, `${tag}储藏室`, at(4, yN, WEST_END, yTop), { use: 'storage' });
  add(`${floorId}-utility`, 'forbidden', `${tag} sluice room`, `${tag}污物间`, at(0, 0, WEST_END, CORRIDOR_Y0), {
    use: 'utility',
  });
  add(`${floorId}-store-e`, 'room', `${tag} linen store`, `${tag}布草间`, at(L - EAST_END, yN, L, yTop), { use: 'storage' });
  add(`${floorId}-staff`, 'room', `${tag} staff room`, `${tag}员工休息室`, at(L - EAST_END, 0, L, CORRIDOR_Y0), {
    use: 'staff',
  });

  let roomNo = plan.level * 100;
  for (const side of ['north', 'south'] as const) {
    // v = depth from the corridor wall into the room; north rooms grow +y, south rooms -y
    const edge = side === 'north' ? yN : CORRIDOR_Y0;
    const sgn = side === 'north' ? 1 : -1;
    const inRoom = (x: number, u0: number, v0: number, u1: number, v1: number) =>
      at(x + u0, edge + sgn * v0, x + u1, edge + sgn * v1);
    let x = WEST_END;
    for (const slot of plan[side]) {
      const w = SLOT_WIDTH[slot];
      const whole = inRoom(x, 0, 0, w, ROOM_DEPTH);
      switch (slot) {
        case 'single':
        case 'double': {
          roomNo++;
          const rid = `${floorId}-r${roomNo}`;
          const label = `${plan.building}${roomNo}`;
          add(rid, 'room', `Room ${label}`, `${label}室`, whole, { use: 'bedroom' });
          // en-suite in the corner by the door; the door is the rest of the corridor wall (u 2–4, centre 3)
          add(`${rid}-bath`, 'bathroom', `${label} bathroom`, `${label}卫生间`, inRoom(x, 0, 0, 2, 2.2), {
            use: 'bathroom',
          });
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
            `Building ${plan.building} main entrance`,
            `${plan.building}栋主入口`,
            at(cx - 0.75, outer, cx + 0.75, outer + sgn * 1.2),
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
    buildingId: `${SITE_ID}-${plan.building}`,
    ordinal: plan.level - 1,
    name: `Building ${plan.building} ${plan.level}F`,
    nameZh: `${plan.building}栋${plan.level}层`,
    elevationM: r2((plan.level - 1) * FLOOR_HEIGHT),
  };
  const ward: Ward = { id: wardId, name: plan.ward.name, nameZh: plan.ward.nameZh, floorIds: [floorId] };
  return { floor, ward, wardZoneId, zones, beds, plan };
}

function buildOutdoor(): { floor: Floor; zones: Zone[]; homeIds: string[]; gardenId: string } {
  const floorId = OUTDOOR_FLOOR;
  const zone = (id: string, kind: ZoneKind, name: string, nameZh: string, ring: Ring, extra: Partial<Zone> = {}): Zone => ({
    id,
    kind,
    name,
    nameZh,
    floorId,
    polygon: [ring],
    ...extra,
  });
  const gardenId = `${SITE_ID}-garden`;
  const zones: Zone[] = [
    zone(`${SITE_ID}-campus`, 'campus', 'Campus', '院区', rectRing({ x0: 0, y0: 0, x1: 120, y1: 90 })),
    zone(gardenId, 'safe', 'Garden', '康复花园', rectRing({ x0: 8, y0: 36, x1: 48, y1: 80 }), { use: 'garden' }),
    zone(`${SITE_ID}-gate`, 'exit', 'Main gate', '大门', rectRing({ x0: 80, y0: 0, x1: 84, y1: 1.5 }), { exitType: 'gate' }),
  ];
  const homeIds: string[] = [];
  HOMES.forEach((h, i) => {
    const id = `${SITE_ID}-home-${String(i + 1).padStart(2, '0')}`;
    homeIds.push(id);
    zones.push(zone(id, 'home', `Home ${i + 1}`, `居家${i + 1}号`, rotatedRectRing(h.x, h.y, h.w, h.h, h.rot), { use: 'home' }));
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
  return { floor, zones, homeIds, gardenId };
}

function nameGenerator(rng: Rng): () => string {
  const used = new Set<string>();
  return () => {
    for (;;) {
      const name = rng.pick(SURNAMES) + rng.pick(GIVEN_NAMES);
      if (!used.has(name)) {
        used.add(name);
        return name;
      }
    }
  };
}

export interface SampleInstitution {
  site: Site;
  zones: Zone[];
  residents: Resident[];
  tags: Tag[];
}

export function generateSample(seed = SEED): SampleInstitution {
  const rng = new Rng(seed);
  const nextName = nameGenerator(rng);
  const floors = PLANS.map(buildFloor);
  const outdoor = buildOutdoor();
  const buildings: Building[] = [
    { id: `${SITE_ID}-A`, name: 'Building A (care)', nameZh: 'A栋（护理楼）' },
    { id: `${SITE_ID}-B`, name: 'Building B (rehabilitation)', nameZh: 'B栋（康养楼）' },
  ];
  const site: Site = {
    id: SITE_ID,
    name: 'Huainan Dongshan Care Home',
    nameZh: '淮南市洞山颐养院',
    regionCode: '340403',
    region: ['淮南市', '田家庵区', '洞山街道', '洞山社区'],
    timeZone: 'Asia/Shanghai',
    georef: { lon: 116.99362, lat: 32.62974, rotationDeg: 14 },
    nightWindow: { start: '22:00', end: '06:00' },
    buildings,
    floors: [...floors.map((f) => f.floor), outdoor.floor],
    wards: floors.map((f) => f.ward),
  };

  const residents: Resident[] = [];
  const tags: Tag[] = [];
  const addResident = (r: Omit<Resident, 'id' | 'siteId' | 'tagId'>, tagKind: Tag['kind']) => {
    const n = residents.length + 1;
    const id = `${SITE_ID}-res-${String(n).padStart(3, '0')}`;
    const tagId = `T-${String(n).padStart(4, '0')}`;
    residents.push({ id, siteId: SITE_ID, tagId, ...r });
    tags.push({ id: tagId, kind: tagKind, residentId: id, siteId: SITE_ID });
  };

  const FALL_RISK_TARGET = 30;
  const institutionTotal = PLANS.reduce((s, p) => s + p.residents, 0);
  let fallRiskLeft = FALL_RISK_TARGET;
  let placedLeft = institutionTotal;
  for (const f of floors) {
    if (f.beds.length < f.plan.residents) throw new Error(`${f.floor.id}: more residents than beds`);
    // leave the spare beds scattered rather than all at the end of the corridor
    const empty = new Set(rng.shuffle(f.beds.map((_, i) => i)).slice(0, f.beds.length - f.plan.residents));
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
          safeZoneIds: wanderRisk ? [f.wardZoneId, outdoor.gardenId] : [],
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
        wanderRisk: i < 2,
        fallRisk: i === 2 || i === 4,
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
  return { site, zones, residents, tags };
}

/** One JSON value per line inside the array: compact, yet a diff shows which resident changed. */
function jsonLines(items: unknown[]): string {
  return `[\n${items.map((i) => JSON.stringify(i)).join(',\n')}\n]\n`;
}

export async function writeSample(dir: string, sample: SampleInstitution): Promise<void> {
  await mkdir(dir, { recursive: true });
  const fc = zonesToFeatureCollection(sample.zones);
  const zonesText = `{"type":"FeatureCollection","features":[\n${fc.features.map((f) => JSON.stringify(f)).join(',\n')}\n]}\n`;
  await writeFile(join(dir, 'site.json'), `${JSON.stringify(sample.site, null, 2)}\n`);
  await writeFile(join(dir, 'zones.geojson'), zonesText);
  await writeFile(join(dir, 'residents.json'), jsonLines(sample.residents));
  await writeFile(join(dir, 'tags.json'), jsonLines(sample.tags));
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolve(process.argv[1]);
if (isMain) {
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'huainan');
  const sample = generateSample();
  await writeSample(dir, sample);
  const kinds: Record<string, number> = {};
  for (const z of sample.zones) kinds[z.kind] = (kinds[z.kind] ?? 0) + 1;
  const institution = sample.residents.filter((r) => !r.community);
  console.log(
    `wrote ${dir}: ${sample.site.buildings.length} buildings, ${sample.site.floors.length} floors, ` +
      `${sample.zones.length} zones ${JSON.stringify(kinds)}, ${institution.length} residents ` +
      `(${institution.filter((r) => r.wanderRisk).length} wander-risk, ${institution.filter((r) => r.fallRisk).length} fall-risk), ` +
      `${sample.residents.length - institution.length} community`,
  );
}
