/**
 * SiteConfig, the one place the configuration changes: checked first, the store before memory, the
 * geo workers told, audited; and what is stored is what the next start runs with.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Resident } from '../../geo/model';
import type { WorldData } from '../../geo/world';
import type { SiteBundle } from '../../server/registry';
import { ConfigError, SiteConfig, type GeoSink } from '../../server/sites/site-config';
import { createStore, type Store } from '../../server/store';
import { tinySite } from '../fixtures/tiny-site';

class GeoLog implements GeoSink {
  readonly tags: [string, string | null, Resident | undefined][] = [];
  readonly worlds: WorldData[] = [];
  registerTag(tagId: string, residentId: string | null, resident?: Resident) {
    this.tags.push([tagId, residentId, resident]);
  }
  updateWorld(world: WorldData) {
    this.worlds.push(world);
  }
}

/** A second small site with no id in common with the tiny one. */
function otherSite(): SiteBundle {
  const t = tinySite();
  const p = (id: string) => `o-${id}`;
  return {
    site: {
      ...t.site,
      id: 'other',
      name: 'Other Home',
      buildings: t.site.buildings.map((b) => ({ ...b, id: p(b.id) })),
      floors: t.site.floors.map((f) => ({ ...f, id: p(f.id), buildingId: f.buildingId && p(f.buildingId) })),
      wards: [{ id: 'w1', name: 'Ward 1', floorIds: [p('f1')] }],
    },
    zones: t.zones.map((z) => ({ ...z, id: p(z.id), floorId: p(z.floorId) })),
    residents: [],
    tags: [],
  };
}

const errorOf = async (p: Promise<unknown>) => {
  const e = await p.then(() => null, (x: unknown) => x);
  expect(e).toBeInstanceOf(ConfigError);
  return e as ConfigError;
};

describe('SiteConfig', () => {
  let dir: string;
  let store: Store;
  let seeds: number;
  const open = async () => SiteConfig.open(store, { seed: async () => (seeds++, [tinySite()]), seedSource: 'test' });
  const reopen = async () => {
    await store.close();
    store = await createStore(undefined, dir);
    return open();
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'carewatch-siteconfig-'));
    store = await createStore(undefined, dir);
    seeds = 0;
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('seeds the store from the site files on the first start only, and runs from the store after', async () => {
    const first = await open();
    expect(seeds).toBe(1);
    expect([...first.registry.residents.keys()]).toEqual(['R1', 'R2', 'R3']);
    await first.deleteResident('admin', 'R2', 0);
    const second = await reopen();
    expect(seeds).toBe(1);
    expect([...second.registry.residents.keys()]).toEqual(['R1', 'R3']);
    // the order the site was drawn in survives, and the staff tag with no resident too
    expect(second.registry.siteZones('tiny').map((z) => z.id)).toEqual(tinySite().zones.map((z) => z.id));
    expect(second.registry.tags.get('S1')?.staffId).toBe('nurse-li');
    expect((await store.listConfigChanges({ entity: 'site' }))[0]).toMatchObject({ actor: 'system', entityId: 'tiny', before: null });
  });

  it('creates a resident with its tag: stored, in the registry, told to the workers, audited', async () => {
    const sites = await open();
    const geo = new GeoLog();
    sites.attachGeo(geo);
    const r = await sites.createResident('admin', { name: '赵丽', siteId: 'tiny', ward: 'w1', roomZoneId: 'r1', wanderRisk: true, tagId: 'T9' });
    expect(r).toMatchObject({ id: 'tiny-r4', wardId: 'w1', tagId: 'T9', community: false });
    expect(sites.registry.residentOfTag('T9')?.id).toBe('tiny-r4');
    expect(sites.registry.tags.get('T9')).toEqual({ id: 'T9', kind: 'hybrid', siteId: 'tiny', residentId: 'tiny-r4' });
    expect(geo.tags).toEqual([['T9', 'tiny-r4', r]]);
    expect((await store.listConfig({ kind: 'resident' })).map((x) => x.id)).toContain('tiny-r4');
    expect((await store.listConfigChanges({ entityId: 'tiny-r4' }))[0]).toMatchObject({ actor: 'admin', entity: 'resident', before: null, after: r });
    expect((await store.listAudit({ subjectId: 'tiny-r4' }))[0]).toMatchObject({ actor: 'admin', action: 'resident.create', siteId: 'tiny' });
    expect((await reopen()).registry.residents.get('tiny-r4')).toEqual(r);
  });

  it('refuses a resident whose tag, ward or zones do not fit, and stores nothing', async () => {
    const sites = await open();
    const base = { name: 'X', siteId: 'tiny', tagId: 'T9' };
    expect((await errorOf(sites.createResident('admin', { ...base, tagId: 'T1' }))).status).toBe(409);
    expect((await errorOf(sites.createResident('admin', { ...base, tagId: 'S1' }))).message).toMatch(/worn by staff/);
    expect((await errorOf(sites.createResident('admin', { ...base, siteId: 'nowhere' }))).status).toBe(404);
    expect((await errorOf(sites.createResident('admin', { ...base, ward: 'w9' }))).message).toBe('ward: unknown ward w9');
    expect((await errorOf(sites.createResident('admin', { ...base, roomZoneId: 'nope' }))).message).toBe('unknown zone nope for site tiny');
    expect((await errorOf(sites.createResident('admin', { ...base, roomZoneId: 'kitchen' }))).message).toBe('roomZoneId: kitchen is a forbidden zone, expected room');
    expect((await errorOf(sites.createResident('admin', { ...base, wanderRisk: 'yes' }))).message).toMatch(/^wanderRisk: /);
    expect(await store.listConfigChanges({ entity: 'resident' })).toEqual([]);
    expect(sites.registry.tags.has('T9')).toBe(false);
  });

  it('updates a resident, moving them to a new tag: the old tag goes, the workers hear of both', async () => {
    const sites = await open();
    const geo = new GeoLog();
    sites.attachGeo(geo);
    const r = await sites.updateResident('admin', 'R2', { name: 'Li Na 李娜', fallRisk: true, tagId: 'T20', bedZoneId: null, rules: { inactivity: { dayMinutes: 90 } } });
    expect(r).toMatchObject({ name: 'Li Na 李娜', fallRisk: true, tagId: 'T20', bedZoneId: null, roomZoneId: 'r1', rules: { inactivity: { dayMinutes: 90 } } });
    expect(sites.registry.tags.has('T2')).toBe(false);
    expect(sites.registry.residentOfTag('T20')).toEqual(r);
    expect(geo.tags).toEqual([['T2', null, undefined], ['T20', 'R2', r]]);
    const again = await reopen();
    expect(again.registry.residents.get('R2')).toEqual(r);
    expect(again.registry.tags.has('T2')).toBe(false);
    expect(again.registry.tags.get('T20')?.residentId).toBe('R2');
    expect((await store.listConfigChanges({ entityId: 'T2' }))[0]).toMatchObject({ entity: 'tag', after: null });
  });

  it('refuses to delete a resident with an alert not yet resolved', async () => {
    const sites = await open();
    expect((await errorOf(sites.deleteResident('admin', 'R1', 1))).status).toBe(409);
    expect((await errorOf(sites.deleteResident('admin', 'nobody', 0))).status).toBe(404);
    expect(sites.registry.residents.has('R1')).toBe(true);
  });

  it('updates a zone with free-form linkage properties, keeps its place, and rebuilds the workers’ world', async () => {
    const sites = await open();
    const geo = new GeoLog();
    sites.attachGeo(geo);
    const z = await sites.updateZone('admin', 'stairs', { name: 'East door', exitType: 'door', door: { controller: 'http://door.local/1' }, cameras: ['cam-3'] });
    expect(z).toMatchObject({ id: 'stairs', kind: 'exit', name: 'East door', exitType: 'door', door: { controller: 'http://door.local/1' }, cameras: ['cam-3'] });
    expect(geo.worlds.at(-1)?.zones.find((x) => x.id === 'stairs')).toEqual(z);
    const cleared = await sites.updateZone('admin', 'stairs', { cameras: null, kind: 'forbidden', exitType: null });
    expect(cleared).not.toHaveProperty('cameras');
    expect(cleared.kind).toBe('forbidden');
    const again = await reopen();
    expect(again.registry.zones.get('stairs')).toEqual(cleared);
    expect(again.registry.siteZones('tiny').map((x) => x.id)).toEqual(tinySite().zones.map((x) => x.id));
  });

  it('refuses zone patches that do not fit: a room kind under a resident, an exit type on a room, fixed fields', async () => {
    const sites = await open();
    expect((await errorOf(sites.updateZone('admin', 'r1', { kind: 'corridor' }))).message).toBe('kind: zone r1 is the room of resident R1; it must stay room');
    expect((await errorOf(sites.updateZone('admin', 'r1', { exitType: 'door' }))).message).toBe('exitType: only an exit zone has one (this zone is room)');
    expect((await errorOf(sites.updateZone('admin', 'r1', { floorId: 'out' }))).message).toBe('floorId: cannot be changed');
    expect((await errorOf(sites.updateZone('admin', 'r1', { polygon: [[[0, 0], [1, 0], [1, 1], [0, 1]]] }))).message).toMatch(/^polygon\.0: ring is not closed/);
    expect((await errorOf(sites.updateZone('admin', 'r1', { 'bad key': 1 }))).status).toBe(400);
    expect((await errorOf(sites.updateZone('admin', 'nope', { name: 'x' }))).status).toBe(404);
    expect(sites.registry.zones.get('r1')).toEqual(tinySite().zones.find((z) => z.id === 'r1'));
  });

  it('adds a whole site whose new floors the workers learn, and it survives a restart', async () => {
    const sites = await open();
    const geo = new GeoLog();
    sites.attachGeo(geo);
    const added = await sites.addSite('admin', otherSite());
    expect(added.site.id).toBe('other');
    expect(sites.registry.floor('o-f1')?.site.id).toBe('other');
    expect(geo.worlds.at(-1)?.sites.map((s) => s.id)).toEqual(['tiny', 'other']);
    const again = await reopen();
    expect(again.registry.bundle('other')).toEqual(otherSite());
    expect((await store.listAudit({ subjectId: 'other' }))[0]).toMatchObject({ action: 'site.create' });
  });

  it('validates a whole site before writing anything: every problem listed, or every clash with a running site', async () => {
    const sites = await open();
    const bad = otherSite();
    bad.zones[0].floorId = 'nowhere';
    bad.zones[1].polygon = [[[0, 0], [1, 0], [1, 1], [0, 1]]];
    const invalid = await errorOf(sites.addSite('admin', bad));
    expect(invalid.status).toBe(400);
    expect((invalid as ConfigError & { problems: string[] }).problems).toEqual([
      'zones.geojson feature 1 (o-corr): polygon ring 0 is not closed (first and last positions differ)',
      'zones.geojson feature 0 (o-w1): floorId nowhere is not a floor of site other',
    ]);
    const zone = (await errorOf(sites.addSite('admin', { ...otherSite(), site: { ...otherSite().site, timeZone: 'Mars/Olympus' } }))).message;
    expect(zone).toMatch(/timeZone: must be an IANA time zone/);
    const clash = await errorOf(sites.addSite('admin', tinySite()));
    expect(clash.status).toBe(409);
    expect(clash.message).toBe(
      'site tiny: site tiny already exists; floor f1, out already exist; zone w1, corr, r1, r1-bed, r1-bath (+6) already exist; resident R1, R2, R3 already exist; tag T1, T2, T3, S1 already exist',
    );
    expect(sites.registry.sites.size).toBe(1);
    expect((await reopen()).registry.sites.size).toBe(1);
  });

  it('creates, renames and deletes wards; a ward still in use is not deleted', async () => {
    const sites = await open();
    expect(await sites.putWard('admin', 'tiny', 'w2', { name: 'Ward 2', floorIds: ['f1'] })).toEqual({ ward: { id: 'w2', name: 'Ward 2', floorIds: ['f1'] }, created: true });
    expect((await sites.putWard('admin', 'tiny', 'w2', { name: 'Ward Two', nameZh: '二病区', floorIds: [] })).created).toBe(false);
    expect((await errorOf(sites.putWard('admin', 'tiny', 'w3', { name: 'W3', floorIds: ['o-f1'] }))).message).toBe('floorIds: floor o-f1 is not a floor of site tiny');
    expect((await errorOf(sites.deleteWard('admin', 'tiny', 'w1'))).message).toBe('resident R1 is in ward w1; move them first');
    const again = await reopen();
    expect(again.registry.sites.get('tiny')?.wards).toEqual([{ id: 'w1', name: 'Ward 1', floorIds: ['f1'] }, { id: 'w2', name: 'Ward Two', nameZh: '二病区', floorIds: [] }]);
    await again.deleteWard('admin', 'tiny', 'w2');
    expect((await reopen()).registry.sites.get('tiny')?.wards.map((w) => w.id)).toEqual(['w1']);
  });

  it('changes nothing in memory when the store refuses the write', async () => {
    const sites = await open();
    const failing = Object.create(store) as Store;
    failing.writeConfig = async () => {
      throw new Error('disk full');
    };
    (sites as unknown as { store: Store }).store = failing;
    await expect(sites.updateZone('admin', 'r1', { name: 'Renamed' })).rejects.toThrow('disk full');
    expect(sites.registry.zones.get('r1')?.name).toBe('Room 1');
  });
});
