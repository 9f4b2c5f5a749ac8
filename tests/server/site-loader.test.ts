import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Resident } from '../../geo/model';
import { generateSample } from '../../server/sample/generate';
import {
  loadSiteDir,
  parseSiteFiles,
  SAMPLE_SITE_DIR,
  SiteLoadError,
  zonesToFeatureCollection,
  type LoadedSite,
  type RawSiteFiles,
} from '../../server/site-loader';

async function rawSample(): Promise<RawSiteFiles> {
  const read = async (f: string) => JSON.parse(await readFile(join(SAMPLE_SITE_DIR, f), 'utf8'));
  return {
    site: await read('site.json'),
    zones: await read('zones.geojson'),
    residents: await read('residents.json'),
    tags: await read('tags.json'),
  };
}

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof SiteLoadError) return e.problems;
    throw e;
  }
  throw new Error('expected a SiteLoadError');
}

describe('the sample institution', () => {
  let sample: LoadedSite;
  beforeAll(async () => {
    sample = await loadSiteDir(SAMPLE_SITE_DIR);
  });

  it('loads and validates from server/sample/huainan', () => {
    expect(sample.site.id).toBe('hn1');
    expect(sample.site.timeZone).toBe('Asia/Shanghai');
    expect(sample.site.nightWindow).toEqual({ start: '22:00', end: '06:00' });
    expect(sample.site.region[0]).toBe('淮南市');
  });

  it('is a care home of two buildings with five indoor floors and an outdoor level', () => {
    expect(sample.site.buildings.map((b) => b.id)).toEqual(['hn1-A', 'hn1-B']);
    const indoor = sample.site.floors.filter((f) => !f.outdoor);
    expect(indoor.map((f) => f.id)).toEqual(['hn1-A1', 'hn1-A2', 'hn1-A3', 'hn1-B1', 'hn1-B2']);
    expect(indoor.every((f) => typeof f.elevationM === 'number')).toBe(true);
    const outdoor = sample.site.floors.filter((f) => f.outdoor);
    expect(outdoor).toEqual([expect.objectContaining({ id: 'hn1-outdoor', buildingId: null })]);
  });

  it('houses about a hundred residents, the wander-risk ones mostly in the memory-care ward', () => {
    const institution = sample.residents.filter((r) => !r.community);
    expect(institution.length).toBeGreaterThanOrEqual(95);
    const wander = institution.filter((r) => r.wanderRisk);
    expect(wander.length).toBeGreaterThanOrEqual(12);
    const memoryWard = sample.site.wards.find((w) => w.nameZh === '记忆照护')!;
    expect(wander.filter((r) => r.wardId === memoryWard.id).length).toBeGreaterThan(wander.length / 2);
    for (const r of wander) expect(r.safeZoneIds).toEqual([`${r.roomZoneId!.split('-r')[0]}-ward`, 'hn1-garden']);
    expect(institution.filter((r) => r.fallRisk).length).toBeGreaterThanOrEqual(20);
  });

  it('has community residents at home with outdoor tags, two of them wander-risk', () => {
    const community = sample.residents.filter((r) => r.community);
    expect(community.length).toBe(6);
    expect(community.filter((r) => r.wanderRisk)).toHaveLength(2);
    const tags = new Map(sample.tags.map((t) => [t.id, t]));
    for (const r of community) {
      expect(r.homeZoneId).toMatch(/^hn1-home-/);
      expect(r.bedZoneId).toBeNull();
      expect(tags.get(r.tagId)?.kind).toBe('outdoor');
    }
  });

  it('gives every floor a corridor, stairwells at both ends, a lift and a nurse station', () => {
    for (const f of sample.site.floors.filter((x) => !x.outdoor)) {
      const zones = sample.zones.filter((z) => z.floorId === f.id);
      expect(zones.filter((z) => z.kind === 'corridor')).toHaveLength(1);
      expect(zones.filter((z) => z.exitType === 'stairwell')).toHaveLength(2);
      expect(zones.filter((z) => z.exitType === 'lift')).toHaveLength(1);
      expect(zones.some((z) => z.use === 'nurse_station')).toBe(true);
      expect(zones.filter((z) => z.kind === 'ward')).toHaveLength(1);
    }
    expect(sample.zones.filter((z) => z.exitType === 'door').map((z) => z.floorId).sort()).toEqual(['hn1-A1', 'hn1-B1']);
    expect(sample.zones.find((z) => z.id === 'hn1-gate')).toMatchObject({ kind: 'exit', exitType: 'gate' });
  });

  it('is exactly what the seeded generator writes, so the committed files can be regenerated', () => {
    const generated = generateSample();
    expect(generated.site).toEqual(sample.site);
    expect(generated.residents).toEqual(sample.residents);
    expect(generated.tags).toEqual(sample.tags);
    expect(generated.zones).toEqual(sample.zones);
  });

  it('round-trips its zones through GeoJSON', async () => {
    const raw = await rawSample();
    expect(zonesToFeatureCollection(sample.zones)).toEqual(raw.zones);
  });
});

describe('validating site files', () => {
  let raw: RawSiteFiles;
  beforeAll(async () => {
    raw = await rawSample();
  });
  const clone = (): RawSiteFiles => structuredClone(raw);

  it('reports a polygon ring that is not closed with the file, feature index and zone id', () => {
    const bad = clone();
    const features = (bad.zones as { features: { properties: { id: string }; geometry: { coordinates: number[][][] } }[] }).features;
    const i = features.findIndex((f) => f.properties.id === 'hn1-A1-r101');
    features[i].geometry.coordinates[0].pop();
    expect(problemsOf(() => parseSiteFiles(bad))).toEqual([
      `zones.geojson feature ${i} (hn1-A1-r101): polygon ring 0 is not closed (first and last positions differ)`,
    ]);
  });

  it('reports an unknown zone kind and a zone on a floor that does not exist', () => {
    const bad = clone();
    const features = (bad.zones as { features: { properties: Record<string, unknown> }[] }).features;
    features[3].properties.kind = 'balcony';
    features[4].properties.floorId = 'hn1-Z9';
    const problems = problemsOf(() => parseSiteFiles(bad));
    expect(problems[0]).toMatch(/^zones\.geojson feature 3 \(.+\): properties\.kind: /);
    expect(problems).toContainEqual(expect.stringMatching(/^zones\.geojson feature 4 \(.+\): floorId hn1-Z9 is not a floor of site hn1$/));
  });

  it('reports a resident whose bed is not a bed zone, and a tag that does not exist', () => {
    const bad = clone();
    const residents = bad.residents as Resident[];
    residents[0].bedZoneId = residents[0].roomZoneId;
    residents[1].tagId = 'T-9999';
    const problems = problemsOf(() => parseSiteFiles(bad));
    expect(problems).toContainEqual(
      `residents.json [0] (${residents[0].id}): bedZoneId ${residents[0].roomZoneId} is a room zone, expected bed`,
    );
    expect(problems).toContainEqual(`residents.json [1] (${residents[1].id}): tagId T-9999 is not in tags.json`);
  });

  it('reports duplicate tag ids, a tag worn by two residents and a missing field', () => {
    const bad = clone();
    const tags = bad.tags as { id: string }[];
    tags[1].id = tags[0].id;
    const residents = bad.residents as Partial<Resident>[];
    delete residents[5].wanderRisk;
    const problems = problemsOf(() => parseSiteFiles(bad));
    expect(problems).toContainEqual(`tags.json: duplicate tag id ${tags[0].id}`);
    expect(problems).toContainEqual(expect.stringMatching(/^residents\.json \[5\] \(hn1-res-006\): wanderRisk: /));
  });

  it('reports a bad time zone and night window in site.json', () => {
    const bad = clone();
    (bad.site as { timeZone: string }).timeZone = 'Mars/Olympus';
    (bad.site as { nightWindow: { start: string } }).nightWindow.start = '10pm';
    const problems = problemsOf(() => parseSiteFiles(bad));
    expect(problems).toContain('site.json: timeZone: must be an IANA time zone such as "Asia/Shanghai"');
    expect(problems).toContain('site.json: nightWindow.start: must be "HH:MM"');
  });

  it('reports a MultiPolygon zone with a hint to split it', () => {
    const bad = clone();
    const f = (bad.zones as { features: { geometry: { type: string } }[] }).features[0];
    f.geometry.type = 'MultiPolygon';
    expect(problemsOf(() => parseSiteFiles(bad))[0]).toMatch(/geometry\.type: must be a Polygon \(split a MultiPolygon/);
  });

  describe('from a directory', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'carewatch-site-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('names a missing file and a file that is not JSON', async () => {
      await writeFile(join(dir, 'site.json'), JSON.stringify(raw.site));
      await writeFile(join(dir, 'zones.geojson'), JSON.stringify(raw.zones));
      await writeFile(join(dir, 'residents.json'), '[{"id": ');
      const err = await loadSiteDir(dir).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SiteLoadError);
      const problems = (err as SiteLoadError).problems;
      expect(problems).toContainEqual(expect.stringMatching(/^residents\.json: invalid JSON/));
      expect(problems).toContain('tags.json: file not found');
      expect((err as Error).message).toContain(dir);
    });
  });
});
