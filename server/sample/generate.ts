/**
 * Generates the sample institution (a care home in Huainan) into server/sample/huainan/, from its plan through
 * the site generator (site-generator.ts: the floor layout is described there).
 * Deterministic: the same seed writes the same files, so the committed sample can be regenerated and diffed.
 *
 *   npx tsx server/sample/generate.ts
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Resident, Site, Tag, Zone } from '../../geo/model';
import { zonesToFeatureCollection } from '../site-loader';
import { GENERAL_NORTH, GENERAL_SOUTH, generateSite, rectRing, type FloorPlan, type SitePlan, type SlotKind } from './site-generator';

const SITE_ID = 'hn1';
const SEED = 20_240_601;

const S: SlotKind = 'single';
const D: SlotKind = 'double';

const BUILDING_A: FloorPlan[] = [
  {
    level: 1,
    ward: { name: 'Care ward 1', nameZh: '护理一区' },
    north: GENERAL_NORTH,
    south: [D, 'nurse', 'dining', 'kitchen', 'lobby', D, S, S],
    residents: 19,
    wanderRisk: 0,
  },
  {
    level: 2,
    ward: { name: 'Memory care', nameZh: '记忆照护', memoryCare: true },
    // the lounge sits at the west end so the dementia residents' day room is near the nurses, not in a dead end
    north: ['lounge', S, S, D, S, D, S, S, S],
    south: [S, S, 'nurse', 'dining', S, D, S, S, S],
    residents: 17,
    wanderRisk: 13,
  },
  {
    level: 3,
    ward: { name: 'Care ward 3', nameZh: '护理三区' },
    north: GENERAL_NORTH,
    south: GENERAL_SOUTH,
    residents: 22,
    wanderRisk: 1,
  },
];

const BUILDING_B: FloorPlan[] = [
  {
    level: 1,
    ward: { name: 'Rehabilitation ward 1', nameZh: '康养一区' },
    north: GENERAL_NORTH,
    south: [D, S, 'nurse', 'dining', 'lobby', D, S, S],
    residents: 20,
    wanderRisk: 0,
  },
  {
    level: 2,
    ward: { name: 'Rehabilitation ward 2', nameZh: '康养二区' },
    north: GENERAL_NORTH,
    south: GENERAL_SOUTH,
    residents: 22,
    wanderRisk: 1,
  },
];

const GARDEN_ID = `${SITE_ID}-garden`;

export const SAMPLE_PLAN: SitePlan = {
  seed: SEED,
  site: {
    id: SITE_ID,
    name: 'Huainan Dongshan Care Home',
    nameZh: '淮南市洞山颐养院',
    regionCode: '340403',
    region: ['淮南市', '田家庵区', '洞山街道', '洞山社区'],
    timeZone: 'Asia/Shanghai',
    georef: { lon: 116.99362, lat: 32.62974, rotationDeg: 14 },
    nightWindow: { start: '22:00', end: '06:00' },
  },
  // origins: south-west corners of the corridor frames in site metres (campus 120 × 90 m)
  buildings: [
    { key: 'A', name: 'Building A (care)', nameZh: 'A栋（护理楼）', origin: { x: 10, y: 12 }, floors: BUILDING_A },
    { key: 'B', name: 'Building B (rehabilitation)', nameZh: 'B栋（康养楼）', origin: { x: 57, y: 52 }, floors: BUILDING_B },
  ],
  outdoor: [
    { id: `${SITE_ID}-campus`, kind: 'campus', name: 'Campus', nameZh: '院区', polygon: [rectRing(0, 0, 120, 90)] },
    { id: GARDEN_ID, kind: 'safe', name: 'Garden', nameZh: '康复花园', polygon: [rectRing(8, 36, 48, 80)], use: 'garden' },
    { id: `${SITE_ID}-gate`, kind: 'exit', name: 'Main gate', nameZh: '大门', polygon: [rectRing(80, 0, 84, 1.5)], exitType: 'gate' },
  ],
  gardenId: GARDEN_ID,
  // community residents' homes, site metres from the campus: 300 m to 2 km away, 15–30 m plots
  homes: [
    { x: 420, y: -180, w: 18, h: 22, rot: 10, wanderRisk: true },
    { x: -650, y: 380, w: 24, h: 16, rot: -25, wanderRisk: true },
    { x: 900, y: 760, w: 20, h: 26, rot: 40, fallRisk: true },
    { x: -1300, y: -620, w: 28, h: 20, rot: 5 },
    { x: 1650, y: 240, w: 16, h: 18, rot: -12, fallRisk: true },
    { x: 260, y: 1180, w: 22, h: 30, rot: 70 },
  ],
  fallRisk: 30,
};

export interface SampleInstitution {
  site: Site;
  zones: Zone[];
  residents: Resident[];
  tags: Tag[];
}

export function generateSample(seed = SEED): SampleInstitution {
  const { site, zones, residents, tags } = generateSite({ ...SAMPLE_PLAN, seed });
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
