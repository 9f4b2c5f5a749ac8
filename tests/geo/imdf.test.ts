import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { importImdf, unitZoneMapping, type ImdfArchive, type ImdfImport } from '../../geo/imdf';
import type { Zone } from '../../geo/model';
import { loadImdfDir, parseSiteFiles, zonesToFeatureCollection } from '../../server/site-loader';

const FIXTURE = fileURLToPath(new URL('../fixtures/imdf-mini', import.meta.url));
// at 32.6° N: metres per 0.00001° of longitude and of latitude
const LON_M = 0.93781;
const LAT_M = 1.11319;

function bbox(z: Zone) {
  const xs = z.polygon[0].map((p) => p[0]);
  const ys = z.polygon[0].map((p) => p[1]);
  return { x0: Math.min(...xs), x1: Math.max(...xs), y0: Math.min(...ys), y1: Math.max(...ys) };
}

describe('importing an IMDF archive', () => {
  let archive: ImdfArchive;
  let result: ImdfImport;
  const zone = (id: string) => {
    const z = result.zones.find((x) => x.id === id);
    if (!z) throw new Error(`no zone ${id}`);
    return z;
  };

  beforeAll(async () => {
    archive = await loadImdfDir(FIXTURE);
    result = importImdf(archive);
  });

  it('anchors the site frame at the venue display point and names things in Chinese first, keeping the region', () => {
    expect(result.site.georef).toEqual({ lon: 117.0001, lat: 32.60005, rotationDeg: 0 });
    expect(result.site.name).toBe('迷你养老院');
    expect(result.site.nameZh).toBe('迷你养老院');
    expect(result.site.region).toEqual(['安徽省', '淮南市']);
    expect(result.site.buildings).toEqual([{ id: 'building-1', name: '主楼', nameZh: '主楼' }]);
  });

  it('turns levels into floors by ordinal and adds an outdoor floor for the venue', () => {
    expect(result.floors.map((f) => [f.id, f.buildingId, f.ordinal, f.name])).toEqual([
      ['level-0', 'building-1', 0, '一层'],
      ['level-1', 'building-1', 1, 'First floor'],
      ['venue-1-outdoor', null, 0, 'Outdoor'],
    ]);
    expect(result.floors[0].nameZh).toBe('一层');
    expect(zone('venue-1-campus')).toMatchObject({ kind: 'campus', floorId: 'venue-1-outdoor' });
  });

  it('maps unit categories to zone kinds, keeping unknown categories as the use of a room', () => {
    expect(zone('walkway-0')).toMatchObject({ kind: 'corridor', floorId: 'level-0' });
    expect(zone('room-101')).toMatchObject({ kind: 'room', name: '101室', nameZh: '101室' });
    expect(zone('restroom-0').kind).toBe('bathroom');
    expect(zone('restroom-1').kind).toBe('bathroom');
    expect(zone('lounge-0')).toMatchObject({ kind: 'room', use: 'lounge' });
    expect(zone('elevator-0')).toMatchObject({ kind: 'exit', exitType: 'lift' });
    expect(zone('stairs-1')).toMatchObject({ kind: 'exit', exitType: 'stairwell', floorId: 'level-1' });
    expect(zone('kitchen-0')).toMatchObject({ kind: 'forbidden', use: 'kitchen' });
    expect(zone('fitness-0')).toMatchObject({ kind: 'room', use: 'fitnessroom' });
    expect(zone('bedroom-201')).toMatchObject({ kind: 'room', use: 'bedroom' });
  });

  it('skips structural units and says why', () => {
    expect(result.zones.some((z) => z.id === 'column-0')).toBe(false);
    expect(result.skipped).toContainEqual({ featureType: 'unit', id: 'column-0', reason: 'structural category column' });
  });

  it('converts lon/lat to local metres around the anchor', () => {
    const building = bbox(zone('walkway-0'));
    expect(building.x0).toBeCloseTo(-10 * LON_M, 1);
    expect(building.x1).toBeCloseTo(10 * LON_M, 1);
    expect(building.y1 - building.y0).toBeCloseTo(2 * LAT_M, 1);
    const room = bbox(zone('room-101'));
    expect(room.x1 - room.x0).toBeCloseTo(5 * LON_M, 1);
    expect(room.y0).toBeCloseTo(1 * LAT_M, 1);
  });

  it('writes closed counter-clockwise rings rounded to centimetres', () => {
    for (const z of result.zones) {
      const ring = z.polygon[0];
      expect(ring[0]).toEqual(ring[ring.length - 1]);
      for (const [x, y] of ring) {
        expect(Math.round(x * 100) / 100).toBe(x);
        expect(Math.round(y * 100) / 100).toBe(y);
      }
    }
  });

  it('makes exterior doors and emergency exits into small exit zones outside the wall, and skips interior doors', () => {
    const entrance = zone('entrance-0-exit');
    expect(entrance).toMatchObject({ kind: 'exit', exitType: 'door', floorId: 'level-0', name: '主入口' });
    const e = bbox(entrance);
    const wallX = -10 * LON_M;
    // outside the west wall, 1.2 m deep, widened from 1.1 m to 1.5 m
    expect(e.x1).toBeCloseTo(wallX, 1);
    expect(e.x1 - e.x0).toBeCloseTo(1.2, 1);
    expect(e.y1 - e.y0).toBeCloseTo(1.5, 1);

    const south = bbox(zone('door-gym-south-exit'));
    expect(south.y1).toBeCloseTo(-5 * LAT_M, 1);
    expect(south.y0).toBeCloseTo(-5 * LAT_M - 1.2, 1);

    const fire = zone('fire-exit-1-exit');
    expect(fire).toMatchObject({ kind: 'exit', exitType: 'door', floorId: 'level-1' });
    expect(bbox(fire).x0).toBeCloseTo(10 * LON_M, 1);

    expect(result.zones.some((z) => z.id.startsWith('door-101'))).toBe(false);
    expect(result.skipped).toContainEqual({ featureType: 'opening', id: 'door-101', reason: 'interior opening' });
  });

  it('gives unique zone ids and floor ids that exist', () => {
    const ids = result.zones.map((z) => z.id);
    expect(new Set(ids).size).toBe(ids.length);
    const floors = new Set(result.floors.map((f) => f.id));
    for (const z of result.zones) expect(floors.has(z.floorId)).toBe(true);
  });

  it('prefixes ids when asked, so two venues cannot collide', () => {
    const prefixed = importImdf(archive, { idPrefix: 'v2-' });
    expect(prefixed.floors[0].id).toBe('v2-level-0');
    expect(prefixed.zones.every((z) => z.id.startsWith('v2-') && z.floorId.startsWith('v2-'))).toBe(true);
  });

  it('produces a site that validates once given what IMDF does not carry (time zone, night window)', () => {
    const site = {
      ...result.site,
      region: result.site.region ?? [],
      timeZone: 'Asia/Shanghai',
      nightWindow: { start: '22:00', end: '06:00' },
    };
    const loaded = parseSiteFiles({ site, zones: zonesToFeatureCollection(result.zones), residents: [], tags: [] });
    expect(loaded.zones).toHaveLength(result.zones.length);
  });

  it('anchors at the venue centroid when there is no display point', () => {
    const venue = archive.venue!.features[0];
    const bare: ImdfArchive = {
      ...archive,
      venue: { type: 'FeatureCollection', features: [{ ...venue, properties: { ...venue.properties, display_point: null } }] },
    };
    const { georef } = importImdf(bare).site;
    expect(georef!.lon).toBeCloseTo(117.0001, 6);
    expect(georef!.lat).toBeCloseTo(32.60005, 6);
  });
});

describe('unit category mapping', () => {
  it('knows the IMDF categories a care home uses', () => {
    expect(unitZoneMapping('restroom.male.wheelchair')?.kind).toBe('bathroom');
    expect(unitZoneMapping('walkway.island')?.kind).toBe('corridor');
    expect(unitZoneMapping('escalator')).toMatchObject({ kind: 'exit', exitType: 'stairwell' });
    expect(unitZoneMapping('nonpublic')?.kind).toBe('forbidden');
    expect(unitZoneMapping('vegetation')?.kind).toBe('safe');
    expect(unitZoneMapping('drywall')).toBeNull();
    expect(unitZoneMapping('office')).toEqual({ kind: 'room', use: 'office' });
  });
});
