import type { Floor, Resident, Site, Tag, Ward, Zone } from '../geo/model';
import { SiteFrame } from '../geo/frame';
import type { WorldData } from '../geo/world';

/** One institution as loaded from its files. */
export interface SiteBundle {
  site: Site;
  zones: Zone[];
  residents: Resident[];
  tags: Tag[];
}

export interface FloorRef {
  site: Site;
  floor: Floor;
}

/**
 * The configuration the server runs with: sites, floors, zones, residents and tags, with the
 * lookups the hot path needs (tag -> resident, floor -> site) kept as maps. It is the in-memory view
 * of the configuration records in the store: only server/sites/site-config.ts changes it, after the
 * store has the change.
 */
export class Registry {
  readonly sites = new Map<string, Site>();
  readonly zones = new Map<string, Zone>();
  readonly residents = new Map<string, Resident>();
  readonly tags = new Map<string, Tag>();
  private readonly residentByTag = new Map<string, Resident>();
  private readonly floors = new Map<string, FloorRef>();
  private readonly frames = new Map<string, SiteFrame>();
  private readonly outdoorFloor = new Map<string, string>();
  private readonly zonesBySite = new Map<string, Zone[]>();

  constructor(bundles: SiteBundle[]) {
    for (const b of bundles) this.addSite(b);
  }

  /** Add a site with its zones, residents and tags (at start, or imported while running). */
  addSite(b: SiteBundle): void {
    this.sites.set(b.site.id, b.site);
    this.frames.set(b.site.id, new SiteFrame(b.site.georef));
    for (const f of b.site.floors) {
      this.floors.set(f.id, { site: b.site, floor: f });
      if (f.outdoor) this.outdoorFloor.set(b.site.id, f.id);
    }
    this.zonesBySite.set(b.site.id, [...b.zones]);
    for (const z of b.zones) this.zones.set(z.id, z);
    for (const t of b.tags) this.tags.set(t.id, t);
    for (const r of b.residents) this.putResident(r);
  }

  /** Add a zone to its site, or replace the zone with the same id. */
  putZone(siteId: string, zone: Zone): void {
    const list = this.zonesBySite.get(siteId);
    if (!list) throw new Error(`unknown site ${siteId}`);
    const i = list.findIndex((z) => z.id === zone.id);
    if (i >= 0) list[i] = zone;
    else list.push(zone);
    this.zones.set(zone.id, zone);
  }

  worldData(): WorldData {
    return { sites: [...this.sites.values()], zones: [...this.zones.values()], residents: [...this.residents.values()] };
  }

  siteZones(siteId: string): Zone[] {
    return this.zonesBySite.get(siteId) ?? [];
  }

  /** A site with its zones, residents and tags, as the site files and the simulator see it. */
  bundle(siteId: string): SiteBundle | undefined {
    const site = this.sites.get(siteId);
    if (!site) return undefined;
    const mine = <T extends { siteId: string }>(xs: Iterable<T>) => [...xs].filter((x) => x.siteId === siteId);
    return { site, zones: [...this.siteZones(siteId)], residents: mine(this.residents.values()), tags: mine(this.tags.values()) };
  }

  frame(siteId: string): SiteFrame | undefined {
    return this.frames.get(siteId);
  }

  floor(floorId: string): FloorRef | undefined {
    return this.floors.get(floorId);
  }

  /** The level outdoor fixes of a site are placed on. */
  outdoorFloorOf(siteId: string): string | undefined {
    return this.outdoorFloor.get(siteId);
  }

  residentOfTag(tagId: string): Resident | undefined {
    return this.residentByTag.get(tagId);
  }

  /** Residents and tags of a bundle not known yet (simulated load): held in memory only, never stored. */
  addRuntimeResidents(b: SiteBundle): void {
    for (const t of b.tags) if (!this.tags.has(t.id)) this.tags.set(t.id, t);
    for (const r of b.residents) if (!this.residents.has(r.id)) this.putResident(r);
  }

  /** Add a resident (and its tag, if new); replaces one with the same id. */
  putResident(r: Resident, tagKind: Tag['kind'] = 'hybrid'): void {
    const old = this.residents.get(r.id);
    if (old && old.tagId !== r.tagId) this.residentByTag.delete(old.tagId);
    this.residents.set(r.id, r);
    this.residentByTag.set(r.tagId, r);
    const tag = this.tags.get(r.tagId);
    if (!tag) this.tags.set(r.tagId, { id: r.tagId, kind: tagKind, residentId: r.id, siteId: r.siteId });
    else tag.residentId = r.id;
  }

  removeResident(id: string): void {
    const r = this.residents.get(id);
    if (!r) return;
    this.residents.delete(id);
    if (this.residentByTag.get(r.tagId)?.id === id) this.residentByTag.delete(r.tagId);
  }

  putTag(t: Tag): void {
    this.tags.set(t.id, t);
  }

  removeTag(id: string): void {
    this.tags.delete(id);
    this.residentByTag.delete(id);
  }

  /** Create or replace a ward of a site (the site object is changed in place: everyone holds it). */
  putWard(siteId: string, ward: Ward): void {
    const site = this.sites.get(siteId);
    if (!site) throw new Error(`unknown site ${siteId}`);
    const i = site.wards.findIndex((w) => w.id === ward.id);
    if (i < 0) site.wards.push(ward);
    else site.wards[i] = ward;
  }

  removeWard(siteId: string, wardId: string): void {
    const site = this.sites.get(siteId);
    if (site) site.wards = site.wards.filter((w) => w.id !== wardId);
  }
}
