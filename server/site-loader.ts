/**
 * Loads an institution from its directory (site.json, zones.geojson, residents.json, tags.json), validates every
 * file with zod and checks that the files agree with each other. Every problem is reported with its file and
 * path, e.g. `zones.geojson feature 12 (hn1-A1-r101): polygon ring 0 is not closed`.
 */
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { ImdfArchive, ImdfFeatureCollection } from '../geo/imdf';
import { ZONE_KINDS } from '../geo/model';
import type { Resident, RuleOverrides, Site, Tag, Zone, ZoneKind } from '../geo/model';

export interface LoadedSite {
  site: Site;
  zones: Zone[];
  residents: Resident[];
  tags: Tag[];
}

/** The sample institution shipped with the product (a care home in Huainan). */
export const SAMPLE_SITE_DIR = join(dirname(fileURLToPath(import.meta.url)), 'sample', 'huainan');

export const SITE_FILES = {
  site: 'site.json',
  zones: 'zones.geojson',
  residents: 'residents.json',
  tags: 'tags.json',
} as const;

/** Every problem found in a site's files; `problems` lists them one per line, `message` shows them all. */
export class SiteLoadError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`invalid site ${source}:\n  - ${problems.join('\n  - ')}`);
    this.name = 'SiteLoadError';
  }
}

// --- schemas ------------------------------------------------------------------------------------------------

const Id = z.string().min(1, 'must not be empty').max(128, 'at most 128 characters');
const Name = z.string().min(1, 'must not be empty');
export const Rules = z.record(z.string(), z.record(z.string(), z.union([z.number(), z.boolean(), z.string()])));
const HhMm = z.string().regex(/^([01]?\d|2[0-3]):[0-5]\d$|^24:00$/, 'must be "HH:MM"');

const FloorSchema = z.looseObject({
  id: Id,
  buildingId: Id.nullable(),
  ordinal: z.number().int('must be an integer'),
  name: Name,
  nameZh: z.string().optional(),
  outdoor: z.boolean().optional(),
  elevationM: z.number().optional(),
});

const SiteSchema = z.looseObject({
  id: Id,
  name: Name,
  nameZh: z.string().optional(),
  region: z.array(Name),
  timeZone: z.string().refine(validTimeZone, 'must be an IANA time zone such as "Asia/Shanghai"'),
  georef: z.object({
    lon: z.number().min(-180).max(180),
    lat: z.number().min(-90).max(90),
    rotationDeg: z.number(),
  }),
  nightWindow: z.object({ start: HhMm, end: HhMm }),
  buildings: z.array(z.looseObject({ id: Id, name: Name, nameZh: z.string().optional() })),
  floors: z.array(FloorSchema).min(1, 'a site needs at least one floor'),
  wards: z.array(z.looseObject({ id: Id, name: Name, nameZh: z.string().optional(), floorIds: z.array(Id) })),
  rules: Rules.optional(),
});

const Position = z.array(z.number()).min(2, 'a position needs x and y');
const ZoneFeatureSchema = z.object({
  type: z.literal('Feature'),
  id: z.union([z.string(), z.number()]).optional(),
  geometry: z.object({
    type: z.literal('Polygon', { error: 'must be a Polygon (split a MultiPolygon into one feature per polygon)' }),
    coordinates: z.array(z.array(Position)).min(1, 'a polygon needs an outer ring'),
  }),
  properties: z.looseObject({
    id: Id,
    kind: z.enum(ZONE_KINDS),
    name: Name,
    nameZh: z.string().optional(),
    floorId: Id,
    exitType: z.enum(['door', 'gate', 'lift', 'stairwell']).optional(),
    wardId: Id.optional(),
    use: z.string().optional(),
  }),
});
const ZonesFileSchema = z.object({ type: z.literal('FeatureCollection'), features: z.array(z.unknown()) });

const ResidentSchema = z.looseObject({
  id: Id,
  siteId: Id,
  name: Name,
  wardId: Id.nullable(),
  tagId: Id,
  wanderRisk: z.boolean(),
  fallRisk: z.boolean(),
  roomZoneId: Id.nullable(),
  bedZoneId: Id.nullable(),
  bathroomZoneId: Id.nullable(),
  safeZoneIds: z.array(Id),
  forbiddenZoneIds: z.array(Id),
  homeZoneId: Id.nullable(),
  community: z.boolean(),
  rules: Rules.optional(),
});

const TagSchema = z.looseObject({
  id: Id,
  kind: z.enum(['indoor', 'outdoor', 'hybrid']),
  residentId: Id.nullable(),
  siteId: Id,
  staffId: Id.optional(),
});

export function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function describe(error: z.ZodError): string[] {
  return error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message));
}

// --- GeoJSON <-> Zone ---------------------------------------------------------------------------------------

export interface ZoneFeature {
  type: 'Feature';
  id: string;
  geometry: { type: 'Polygon'; coordinates: [number, number][][] };
  properties: Omit<Zone, 'polygon'>;
}

export interface ZoneFeatureCollection {
  type: 'FeatureCollection';
  features: ZoneFeature[];
}

/** Zones as the GeoJSON the site files and the REST API use (local metres; properties carry kind and floorId). */
export function zonesToFeatureCollection(zones: readonly Zone[]): ZoneFeatureCollection {
  return {
    type: 'FeatureCollection',
    features: zones.map(({ polygon, ...properties }) => ({
      type: 'Feature',
      id: properties.id,
      geometry: { type: 'Polygon', coordinates: polygon },
      properties,
    })),
  };
}

/** Why a polygon ring is unusable (too short, open, no area), or null. */
export function ringProblem(ring: number[][]): string | null {
  if (ring.length < 4) return `has ${ring.length} positions, a closed ring needs at least 4`;
  const [first, last] = [ring[0], ring[ring.length - 1]];
  if (first[0] !== last[0] || first[1] !== last[1]) return 'is not closed (first and last positions differ)';
  let area = 0;
  for (let i = 0; i + 1 < ring.length; i++) area += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
  if (Math.abs(area) < 1e-6) return 'has no area';
  return null;
}

// --- validation ---------------------------------------------------------------------------------------------

/** The four files' parsed JSON, before validation. */
export interface RawSiteFiles {
  site: unknown;
  zones: unknown;
  residents: unknown;
  tags: unknown;
}

const MAX_PROBLEMS = 50;

/**
 * Validate the parsed contents of a site's files and check that they refer to each other correctly.
 * Throws a SiteLoadError listing every problem (up to 50); returns the typed site otherwise.
 */
export function parseSiteFiles(raw: RawSiteFiles, source = '(in memory)'): LoadedSite {
  const problems: string[] = [];
  const report = (where: string, what: string) => {
    if (problems.length < MAX_PROBLEMS) problems.push(`${where}: ${what}`);
  };

  const siteParse = SiteSchema.safeParse(raw.site);
  if (!siteParse.success) for (const p of describe(siteParse.error)) report(SITE_FILES.site, p);
  const site = siteParse.success ? (siteParse.data as unknown as Site) : null;
  if (site && siteParse.success && siteParse.data.rules) site.rules = siteParse.data.rules as RuleOverrides;

  const zones: Zone[] = [];
  /** Feature index of each valid zone in the file, for messages after invalid features were dropped. */
  const featureIndex: number[] = [];
  /** Ids of zones already reported as invalid: references to them are not reported again. */
  const invalidZoneIds = new Set<string>();
  const zonesFile = ZonesFileSchema.safeParse(raw.zones);
  if (!zonesFile.success) {
    for (const p of describe(zonesFile.error)) report(SITE_FILES.zones, p);
  } else {
    zonesFile.data.features.forEach((f, i) => {
      const fid = (f as { properties?: { id?: unknown } })?.properties?.id;
      const where = `${SITE_FILES.zones} feature ${i}${typeof fid === 'string' ? ` (${fid})` : ''}`;
      const parsed = ZoneFeatureSchema.safeParse(f);
      if (!parsed.success) {
        for (const p of describe(parsed.error)) report(where, p);
        if (typeof fid === 'string') invalidZoneIds.add(fid);
        return;
      }
      const rings = parsed.data.geometry.coordinates;
      let ok = true;
      rings.forEach((ring, r) => {
        const problem = ringProblem(ring);
        if (problem) {
          report(where, `polygon ring ${r} ${problem}`);
          ok = false;
        }
      });
      if (!ok) invalidZoneIds.add(parsed.data.properties.id);
      else {
        const { properties } = parsed.data;
        const polygon = rings.map((ring) => ring.map((p) => [p[0], p[1]] as [number, number]));
        zones.push({ ...(properties as Omit<Zone, 'polygon'>), polygon });
        featureIndex.push(i);
      }
    });
  }

  const parseArray = <T>(file: string, data: unknown, schema: z.ZodType<unknown>): T[] => {
    if (!Array.isArray(data)) {
      report(file, 'must be a JSON array');
      return [];
    }
    const out: T[] = [];
    data.forEach((item, i) => {
      const parsed = schema.safeParse(item);
      const id = (item as { id?: unknown })?.id;
      if (!parsed.success) for (const p of describe(parsed.error)) report(`${file} [${i}]${typeof id === 'string' ? ` (${id})` : ''}`, p);
      else out.push(parsed.data as T);
    });
    return out;
  };
  const residents = parseArray<Resident>(SITE_FILES.residents, raw.residents, ResidentSchema);
  const tags = parseArray<Tag>(SITE_FILES.tags, raw.tags, TagSchema);

  if (site) checkReferences({ site, zones, residents, tags }, { featureIndex, invalidZoneIds }, report);
  if (problems.length > 0 || !site) throw new SiteLoadError(source, problems);
  return { site, zones, residents, tags };
}

/** The zone a resident's field names must be of this kind. */
export const RESIDENT_ZONE_KINDS = { roomZoneId: 'room', bedZoneId: 'bed', bathroomZoneId: 'bathroom', homeZoneId: 'home' } as const satisfies Partial<Record<keyof Resident, ZoneKind>>;

function duplicates(ids: string[]): string[] {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const id of ids) (seen.has(id) ? dup : seen).add(id);
  return [...dup];
}

/** Cross-file integrity: every id a record refers to exists and is of the kind the field expects. */
function checkReferences(
  s: LoadedSite,
  { featureIndex, invalidZoneIds }: { featureIndex: number[]; invalidZoneIds: Set<string> },
  report: (where: string, what: string) => void,
): void {
  const { site, zones, residents, tags } = s;
  const F = SITE_FILES;
  for (const d of duplicates(site.floors.map((f) => f.id))) report(F.site, `duplicate floor id ${d}`);
  for (const d of duplicates(site.buildings.map((b) => b.id))) report(F.site, `duplicate building id ${d}`);
  for (const d of duplicates(site.wards.map((w) => w.id))) report(F.site, `duplicate ward id ${d}`);
  const floorIds = new Set(site.floors.map((f) => f.id));
  const buildingIds = new Set(site.buildings.map((b) => b.id));
  const wardIds = new Set(site.wards.map((w) => w.id));
  site.floors.forEach((f, i) => {
    if (f.buildingId !== null && !buildingIds.has(f.buildingId)) {
      report(`${F.site} floors.${i} (${f.id})`, `buildingId ${f.buildingId} is not a building of the site`);
    }
  });
  if (site.floors.filter((f) => f.outdoor).length > 1) report(F.site, 'more than one outdoor floor');
  site.wards.forEach((w, i) => {
    for (const fid of w.floorIds) if (!floorIds.has(fid)) report(`${F.site} wards.${i} (${w.id})`, `floor ${fid} does not exist`);
  });

  const zoneById = new Map<string, Zone>();
  for (const d of duplicates(zones.map((z) => z.id))) report(F.zones, `duplicate zone id ${d}`);
  zones.forEach((z, i) => {
    zoneById.set(z.id, z);
    const where = `${F.zones} feature ${featureIndex[i] ?? i} (${z.id})`;
    if (!floorIds.has(z.floorId)) report(where, `floorId ${z.floorId} is not a floor of site ${site.id}`);
    if (z.wardId !== undefined && !wardIds.has(z.wardId)) report(where, `wardId ${z.wardId} is not a ward of the site`);
    if (z.exitType !== undefined && z.kind !== 'exit') report(where, `exitType given on a zone of kind ${z.kind}`);
  });

  const tagById = new Map<string, Tag>();
  for (const d of duplicates(tags.map((t) => t.id))) report(F.tags, `duplicate tag id ${d}`);
  const residentIds = new Set(residents.map((r) => r.id));
  tags.forEach((t, i) => {
    tagById.set(t.id, t);
    const where = `${F.tags} [${i}] (${t.id})`;
    if (t.siteId !== site.id) report(where, `siteId ${t.siteId} is not ${site.id}`);
    if (t.residentId !== null && !residentIds.has(t.residentId)) report(where, `residentId ${t.residentId} does not exist`);
  });

  for (const d of duplicates(residents.map((r) => r.id))) report(F.residents, `duplicate resident id ${d}`);
  const tagOwner = new Map<string, string>();
  residents.forEach((r, i) => {
    const where = `${F.residents} [${i}] (${r.id})`;
    if (r.siteId !== site.id) report(where, `siteId ${r.siteId} is not ${site.id}`);
    if (r.wardId !== null && !wardIds.has(r.wardId)) report(where, `wardId ${r.wardId} is not a ward of the site`);
    const tag = tagById.get(r.tagId);
    if (!tag) report(where, `tagId ${r.tagId} is not in ${F.tags}`);
    else if (tag.residentId !== null && tag.residentId !== r.id) {
      report(where, `tag ${r.tagId} belongs to resident ${tag.residentId}`);
    }
    const owner = tagOwner.get(r.tagId);
    if (owner) report(where, `tag ${r.tagId} is already worn by ${owner}`);
    else tagOwner.set(r.tagId, r.id);
    const expect = (field: string, id: string | null, kind?: ZoneKind) => {
      if (id === null || invalidZoneIds.has(id)) return;
      const zone = zoneById.get(id);
      if (!zone) report(where, `${field} ${id} is not a zone of the site`);
      else if (kind && zone.kind !== kind) report(where, `${field} ${id} is a ${zone.kind} zone, expected ${kind}`);
    };
    for (const [field, kind] of Object.entries(RESIDENT_ZONE_KINDS)) expect(field, r[field as keyof typeof RESIDENT_ZONE_KINDS], kind);
    r.safeZoneIds.forEach((id, k) => expect(`safeZoneIds.${k}`, id));
    r.forbiddenZoneIds.forEach((id, k) => expect(`forbiddenZoneIds.${k}`, id));
  });
}

// --- files --------------------------------------------------------------------------------------------------

async function readJson(dir: string, file: string, problems: string[]): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(join(dir, file), 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    problems.push(`${file}: ${code === 'ENOENT' ? 'file not found' : `cannot read (${code ?? String(e)})`}`);
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    problems.push(`${file}: invalid JSON (${(e as Error).message})`);
    return undefined;
  }
}

/** Read and validate an institution directory; throws SiteLoadError naming each bad file and path. */
export async function loadSiteDir(dir: string): Promise<LoadedSite> {
  const problems: string[] = [];
  const [site, zones, residents, tags] = await Promise.all([
    readJson(dir, SITE_FILES.site, problems),
    readJson(dir, SITE_FILES.zones, problems),
    readJson(dir, SITE_FILES.residents, problems),
    readJson(dir, SITE_FILES.tags, problems),
  ]);
  if (problems.length > 0) throw new SiteLoadError(dir, problems);
  return parseSiteFiles({ site, zones, residents, tags }, dir);
}

/** Read an unzipped IMDF archive: every `<feature type>.geojson` in the directory, keyed by feature type. */
export async function loadImdfDir(dir: string): Promise<ImdfArchive> {
  const archive: ImdfArchive = {};
  for (const file of await readdir(dir)) {
    if (!file.endsWith('.geojson')) continue;
    const problems: string[] = [];
    const data = (await readJson(dir, file, problems)) as ImdfFeatureCollection | undefined;
    if (problems.length > 0) throw new SiteLoadError(dir, problems);
    if (data?.type !== 'FeatureCollection' || !Array.isArray(data.features)) {
      throw new SiteLoadError(dir, [`${file}: not a GeoJSON FeatureCollection`]);
    }
    archive[file.slice(0, -'.geojson'.length)] = data;
  }
  if (!archive.level) throw new SiteLoadError(dir, ['level.geojson: file not found (an IMDF archive needs its levels)']);
  return archive;
}
