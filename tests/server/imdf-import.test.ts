import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { strToU8, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../geo/model';
import type { RunningServer } from '../../server/app';
import { loadSiteSource } from '../../server/imdf-site';
import { SAMPLE_SITE_DIR, type ZoneFeature } from '../../server/site-loader';
import { careHomeArchive, feature, rect, unit, zipArchive, type Archive } from '../fixtures/imdf-zip';
import { api, login, nextAlert, openSocket, postFixes, startTiny } from '../helpers/server';

interface SiteView {
  id: string;
  name: string;
  nameZh?: string;
  timeZone: string;
  floors: { id: string; buildingId: string | null; ordinal: number; name: string; nameZh?: string }[];
  zones: { type: 'FeatureCollection'; features: ZoneFeature[] };
}
interface ImportAnswer {
  siteId: string;
  floors: number;
  zones: number;
  warnings: string[];
}

// built before the server starts: zipping 60 MB takes seconds, longer than an idle keep-alive connection lives
const BOMB = zipArchive({ ...careHomeArchive(), 'unit.geojson': new Uint8Array(60 * 1024 * 1024) });
const BIG = zipSync({ 'level.geojson': strToU8('{}'), 'noise.bin': [randomBytes(50 * 1024 * 1024), { level: 0 }] });

let server: RunningServer;
let admin: string;

function importZip(body: Uint8Array | string, query = '?name=Sunrise&timezone=Asia/Shanghai', token = admin, type = 'application/zip') {
  return fetch(`${server.url}/api/v1/sites/imdf${query}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': type },
    body: body as BodyInit,
  });
}

async function sites(token = admin): Promise<SiteView[]> {
  return (await api<SiteView[]>(server.url, token, '/api/v1/sites')).body;
}

async function imported(archive: Archive = careHomeArchive(), query?: string): Promise<{ answer: ImportAnswer; site: SiteView; zone: (unitId: string) => ZoneFeature['properties'] | undefined }> {
  const res = await importZip(zipArchive(archive), query);
  const answer = (await res.json()) as ImportAnswer;
  expect(res.status, JSON.stringify(answer)).toBe(201);
  const site = (await sites()).find((s) => s.id === answer.siteId)!;
  const zone = (id: string) => site.zones.features.find((f) => f.properties.id === `${answer.siteId}-${id}`)?.properties;
  return { answer, site, zone };
}

beforeAll(async () => {
  server = await startTiny();
  admin = await login(server.url, 'admin');
});
afterAll(() => server.close());

describe('importing an IMDF archive through POST /api/v1/sites/imdf', () => {
  it('answers 201 with the site id, floor and zone counts and warnings, and the site is then listed', async () => {
    const { answer, site } = await imported();
    expect(answer.siteId).toMatch(/^site-/);
    expect(answer.floors).toBe(3);
    expect(answer.zones).toBe(site.zones.features.length);
    expect(site.name).toBe('Sunrise');
    expect(site.timeZone).toBe('Asia/Shanghai');
  });

  it('makes one floor per IMDF level, in ordinal order, levels without units included (with a warning)', async () => {
    const { site, answer } = await imported();
    expect(site.floors.map((f) => [f.ordinal, f.name])).toEqual([
      [0, '一层'],
      [1, 'First floor'],
      [2, 'Deuxième étage'],
    ]);
    expect(site.zones.features.filter((f) => f.properties.floorId === site.floors[2].id)).toEqual([]);
    expect(answer.warnings.some((w) => w.includes('Deuxième étage') && w.includes('no units'))).toBe(true);
  });

  it('makes one zone per unit (structure excepted) on the level the unit is on', async () => {
    const { site, answer } = await imported();
    const unitZones = site.zones.features.filter((f) => !f.properties.id.endsWith('-exit'));
    expect(unitZones).toHaveLength(16);
    expect(unitZones.find((f) => f.properties.id === `${answer.siteId}-room-201`)?.properties.floorId).toBe(site.floors[1].id);
  });

  it('makes restrooms of every kind and showers bathrooms', async () => {
    const { zone } = await imported();
    for (const id of ['wc-f', 'wc-m', 'wc-u', 'wc', 'shower']) expect(zone(id)?.kind, id).toBe('bathroom');
  });

  it('makes stairs, lifts and escalators exits', async () => {
    const { zone } = await imported();
    expect(zone('stairs')).toMatchObject({ kind: 'exit', exitType: 'stairwell' });
    expect(zone('lift')).toMatchObject({ kind: 'exit', exitType: 'lift' });
    expect(zone('escalator')).toMatchObject({ kind: 'exit', exitType: 'stairwell' });
  });

  it('makes nonpublic units and units restricted to employees forbidden', async () => {
    const { zone } = await imported();
    expect(zone('staff')?.kind).toBe('forbidden');
    expect(zone('office')?.kind).toBe('forbidden');
    expect(zone('room-101')?.kind).toBe('room');
  });

  it('makes doors on the building outline exits reaching outwards, also when drawn on the wall centre line', async () => {
    const { zone, site, answer } = await imported();
    const ring = (id: string) => site.zones.features.find((f) => f.properties.id === `${answer.siteId}-${id}`)!.geometry.coordinates[0];
    expect(zone('door-west-exit')).toMatchObject({ kind: 'exit', exitType: 'door', name: 'West door' });
    expect(zone('door-east-exit')).toMatchObject({ kind: 'exit', exitType: 'door' });
    // outside the building: west of x=0, east of x=30 (local metres, anchored at the venue display point x=15)
    expect(Math.max(...ring('door-west-exit').map((p) => p[0]))).toBeLessThanOrEqual(-15 + 0.05);
    expect(Math.min(...ring('door-east-exit').map((p) => p[0]))).toBeGreaterThanOrEqual(29.7 - 15 - 0.05);
    expect(zone('door-101-exit')).toBeUndefined();
  });

  it('makes automobile openings exits (gates) even off the outline', async () => {
    const { zone } = await imported();
    expect(zone('garage-exit')).toMatchObject({ kind: 'exit', exitType: 'gate' });
  });

  it('names zones in Chinese, else English, else any language, and replaces placeholders and missing names', async () => {
    const { zone, answer } = await imported();
    expect(zone('room-101')).toMatchObject({ name: '101室', nameZh: '101室' });
    expect(zone('room-102')?.name).toBe('Room 102');
    expect(zone('room-103')?.name).toBe('103号室');
    expect(zone('room-201')?.name).toBe('日間室');
    expect(zone('room-104')?.name).toMatch(/^Room \d+$/);
    expect(zone('room-104')?.name).not.toContain('input name here');
    expect(zone('wc')?.name).toMatch(/^Restroom \d+$/);
    expect(answer.warnings.some((w) => w.includes('placeholder "input name here"'))).toBe(true);
  });

  it('reports wrong venue metadata: a display point far from the building and a name other than the one given', async () => {
    const archive = careHomeArchive();
    const venue = (archive['venue.geojson'] as { features: { properties: Record<string, unknown> }[] }).features[0];
    venue.properties.display_point = { type: 'Point', coordinates: [0, 0] };
    const { answer, site } = await imported(archive, '?name=' + encodeURIComponent('朝阳颐养院') + '&timezone=Asia/Shanghai');
    expect(answer.warnings.some((w) => w.includes('display point') && w.includes('km from the levels'))).toBe(true);
    expect(answer.warnings.some((w) => w.includes('朝阳养老院') && w.includes('朝阳颐养院'))).toBe(true);
    expect(site.name).toBe('朝阳颐养院');
    // anchored on the levels, so the plan sits around the local origin rather than thousands of km away
    const xs = site.zones.features.flatMap((f) => f.geometry.coordinates[0].map((p) => p[0]));
    expect(Math.max(...xs.map(Math.abs))).toBeLessThan(100);
  });

  it('imports several buildings, each level on its own building', async () => {
    const archive = careHomeArchive();
    (archive['building.geojson'] as { features: unknown[] }).features.push(feature('building', 'bld-2', null, { name: { en: 'Annex' } }));
    (archive['level.geojson'] as { features: unknown[] }).features.push(
      feature('level', 'annex-0', rect(50, 0, 70, 10), { ordinal: 0, name: { en: 'Annex ground' }, building_ids: ['bld-2'] }),
    );
    (archive['unit.geojson'] as { features: unknown[] }).features.push(unit('annex-room', 'annex-0', 'room', rect(50, 0, 60, 10), { en: 'Annex room' }));
    const { site, zone, answer } = await imported(archive);
    expect(site.floors).toHaveLength(4);
    const annex = site.floors.find((f) => f.name === 'Annex ground')!;
    expect(annex.buildingId).toBe(`${answer.siteId}-bld-2`);
    expect(zone('annex-room')?.floorId).toBe(annex.id);
  });

  it('ignores unknown extra files and IMDF types it does not need, naming the unknown ones', async () => {
    const archive: Archive = {
      ...careHomeArchive(),
      'README.txt': 'exported by a tool',
      'amenity.geojson': { type: 'FeatureCollection', features: [] },
      'extras/notes.json': '{"a":1}',
    };
    const { answer } = await imported(archive);
    expect(answer.warnings.some((w) => w.includes('README.txt') && w.includes('extras/notes.json'))).toBe(true);
    expect(answer.warnings.some((w) => w.includes('amenity'))).toBe(false);
  });

  it('reads an archive whose files sit in one folder', async () => {
    const nested: Archive = {};
    for (const [k, v] of Object.entries(careHomeArchive())) nested[`CareHome.imdf/${k}`] = v;
    const { answer } = await imported(nested);
    expect(answer.floors).toBe(3);
  });
});

describe('refusing an IMDF archive, with nothing half-imported', () => {
  const siteCount = async () => (await sites()).length;

  async function refused(res: Response, status: number, message: RegExp) {
    const body = (await res.json()) as { error: string };
    expect(res.status, body.error).toBe(status);
    expect(body.error).toMatch(message);
  }

  it('refuses a zip bomb with 413', async () => {
    const before = await siteCount();
    expect(BOMB.length).toBeLessThan(1024 * 1024);
    await refused(await importZip(BOMB), 413, /zip bomb|inflates/);
    expect(await siteCount()).toBe(before);
  });

  it('refuses a 50 MB archive with 413', async () => {
    const before = await siteCount();
    // the server answers 413 without reading 50 MB; a client still sending may see the connection closed instead
    const res = await importZip(BIG).catch((e: Error) => e);
    if (res instanceof Response) await refused(res, 413, /larger than|at most/);
    else expect(String((res as Error & { cause?: unknown }).cause ?? res)).toMatch(/ECONNRESET|EPIPE|closed|socket/i);
    expect(await siteCount()).toBe(before);
  });

  it('refuses broken GeoJSON naming the file, and registers none of the good files', async () => {
    const before = await siteCount();
    const archive = careHomeArchive();
    archive['opening.geojson'] = '{"type": "FeatureCollection", "features": [';
    await refused(await importZip(zipArchive(archive)), 400, /opening\.geojson: not valid JSON/);
    expect(await siteCount()).toBe(before);
  });

  it('refuses a feature whose coordinates are not longitude/latitude, naming the feature', async () => {
    const archive = careHomeArchive();
    (archive['unit.geojson'] as { features: unknown[] }).features.push(unit('bad', 'lvl-0', 'room', { type: 'Polygon', coordinates: [[[500, 2], [1, 2], [1, 3], [500, 2]]] }));
    await refused(await importZip(zipArchive(archive)), 400, /unit\.geojson feature \d+ \(bad\).*not WGS84/);
  });

  it('refuses an archive without levels, a body that is not a zip, and a damaged zip', async () => {
    const before = await siteCount();
    const { 'level.geojson': _levels, ...noLevels } = careHomeArchive();
    await refused(await importZip(zipArchive(noLevels)), 422, /level\.geojson is missing/);
    await refused(await importZip('just text'), 400, /not a zip/);
    const zip = zipArchive(careHomeArchive());
    await refused(await importZip(zip.slice(0, zip.length - 40)), 400, /damaged/);
    expect(await siteCount()).toBe(before);
  });

  it('refuses a body that is not sent as a zip, a bad time zone, and every role but admin', async () => {
    const zip = zipArchive(careHomeArchive());
    await refused(await importZip(zip, undefined, admin, 'application/json'), 415, /application\/zip/);
    await refused(await importZip(zip, '?timezone=Mars/Olympus'), 400, /timezone/);
    await refused(await importZip(zip, '?surprise=1'), 400, /surprise|Unrecognized/i);
    const manager = await login(server.url, 'manager');
    await refused(await importZip(zip, undefined, manager), 403, /manager role may not set up sites/);
  });
});

describe('an imported plan is live at once', () => {
  it('a wander-risk resident created on it raises exit_approach near an imported exit', async () => {
    const { answer, zone } = await imported();
    const socket = await openSocket(server.url, admin);
    try {
      const created = await api<{ id: string }>(server.url, admin, '/api/v1/residents', {
        method: 'POST',
        body: JSON.stringify({ name: 'Wang Fang', siteId: answer.siteId, wanderRisk: true, tagId: `${answer.siteId}-tag-1`, roomZoneId: `${answer.siteId}-room-101` }),
      });
      expect(created.status).toBe(201);
      const key = await api<{ key: string }>(server.url, admin, '/api/v1/keys', { method: 'POST', body: JSON.stringify({ siteId: answer.siteId }) });
      expect(key.status).toBe(201);
      const floorId = zone('room-101')!.floorId;
      const alert = nextAlert(socket, (a: Alert) => a.kind === 'exit_approach' && a.residentId === created.body.id, 10_000);
      const t0 = Date.now() - 20_000;
      // walking west along the corridor, away from the stairs, towards the west door (local x = -15 is the outline)
      const fixes = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => ({ tagId: `${answer.siteId}-tag-1`, ts: t0 + i * 1000, floorId, x: -9 - i * 0.6, y: 0, accuracy: 0.3 }));
      const res = await postFixes(server.url, fixes, key.body.key);
      expect(res.status).toBe(202);
      expect((await alert).zoneId).toBe(`${answer.siteId}-door-west-exit`);
    } finally {
      socket.close();
    }
  });
});


describe('SITE_DIR pointing at an IMDF archive', () => {
  it('loads a zipped archive as the site, named after the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'carewatch-imdf-'));
    const file = join(dir, 'sunrise.zip');
    writeFileSync(file, zipArchive(careHomeArchive()));
    const bundle = await loadSiteSource(file, { timeZone: 'Asia/Shanghai' });
    expect(bundle.site.id).toBe('sunrise');
    expect(bundle.site.floors).toHaveLength(3);
    expect(bundle.zones.find((z) => z.id === 'sunrise-garage-exit')?.kind).toBe('exit');
  });

  it('loads an unzipped archive directory, and still loads a site directory as before', async () => {
    const imdf = await loadSiteSource(fileURLToPath(new URL('../fixtures/imdf-mini', import.meta.url)));
    expect(imdf.site.floors.map((f) => f.ordinal)).toEqual([0, 1]);
    const sample = await loadSiteSource(SAMPLE_SITE_DIR);
    expect(sample.site.id).toBe('hn1');
  });

  it('refuses a broken archive with the file named', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'carewatch-imdf-'));
    const file = join(dir, 'broken.zip');
    writeFileSync(file, zipArchive({ ...careHomeArchive(), 'unit.geojson': '{ nope' }));
    await expect(loadSiteSource(file)).rejects.toThrow(/unit\.geojson: not valid JSON/);
  });
});
