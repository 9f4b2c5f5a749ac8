/**
 * How a site's configuration is kept in the store: one record per site, building, floor, ward,
 * zone, resident and tag (kinds below), so that an edit writes one small record and the change log
 * names it. Buildings, floors and wards are keyed `<siteId>:<id>` (their ids need only be unique
 * within a site); zones, residents and tags by their own ids (the hot path looks them up globally).
 */
import type { Building, Floor, Resident, Site, Tag, Ward, Zone } from '../../geo/model';
import type { ConfigKey, ConfigRecord } from '../store';
import type { SiteBundle } from '../registry';

export const KIND = {
  site: 'site',
  building: 'building',
  floor: 'floor',
  ward: 'ward',
  zone: 'zone',
  resident: 'resident',
  tag: 'tag',
  meta: 'meta',
} as const;

/** Written with the first seed; its presence means "seeded already, never again". */
export const SEED_MARKER: ConfigKey = { kind: KIND.meta, id: 'seeded' };

type SiteHead = Omit<Site, 'buildings' | 'floors' | 'wards'>;

const inSite = (siteId: string, id: string) => `${siteId}:${id}`;

export const siteRecord = ({ buildings: _b, floors: _f, wards: _w, ...head }: Site): ConfigRecord => ({ kind: KIND.site, id: head.id, siteId: head.id, body: head });
export const floorRecord = (siteId: string, f: Floor): ConfigRecord => ({ kind: KIND.floor, id: inSite(siteId, f.id), siteId, body: f });
export const buildingRecord = (siteId: string, b: Building): ConfigRecord => ({ kind: KIND.building, id: inSite(siteId, b.id), siteId, body: b });
export const wardRecord = (siteId: string, w: Ward): ConfigRecord => ({ kind: KIND.ward, id: inSite(siteId, w.id), siteId, body: w });
export const wardKey = (siteId: string, wardId: string): ConfigKey => ({ kind: KIND.ward, id: inSite(siteId, wardId) });
export const zoneRecord = (siteId: string, z: Zone): ConfigRecord => ({ kind: KIND.zone, id: z.id, siteId, body: z });
export const residentRecord = (r: Resident): ConfigRecord => ({ kind: KIND.resident, id: r.id, siteId: r.siteId, body: r });
export const tagRecord = (t: Tag): ConfigRecord => ({ kind: KIND.tag, id: t.id, siteId: t.siteId, body: t });

/** Every record of one site, in the order the site lists them. */
export function bundleRecords({ site, zones, residents, tags }: SiteBundle): ConfigRecord[] {
  return [
    siteRecord(site),
    ...site.buildings.map((b) => buildingRecord(site.id, b)),
    ...site.floors.map((f) => floorRecord(site.id, f)),
    ...site.wards.map((w) => wardRecord(site.id, w)),
    ...zones.map((z) => zoneRecord(site.id, z)),
    ...tags.map(tagRecord),
    ...residents.map(residentRecord),
  ];
}

/** The sites as the store holds them (records in first-written order), ready for the Registry. */
export function recordsToBundles(records: readonly ConfigRecord[]): SiteBundle[] {
  const bundles = new Map<string, SiteBundle>();
  const of = (r: ConfigRecord) => (r.siteId === null ? undefined : bundles.get(r.siteId));
  for (const r of records) {
    if (r.kind !== KIND.site) continue;
    const site: Site = { ...(r.body as SiteHead), buildings: [], floors: [], wards: [] };
    bundles.set(site.id, { site, zones: [], residents: [], tags: [] });
  }
  for (const r of records) {
    const b = of(r);
    if (!b) continue;
    switch (r.kind) {
      case KIND.building:
        b.site.buildings.push(r.body as Building);
        break;
      case KIND.floor:
        b.site.floors.push(r.body as Floor);
        break;
      case KIND.ward:
        b.site.wards.push(r.body as Ward);
        break;
      case KIND.zone:
        b.zones.push(r.body as Zone);
        break;
      case KIND.resident:
        b.residents.push(r.body as Resident);
        break;
      case KIND.tag:
        b.tags.push(r.body as Tag);
        break;
    }
  }
  return [...bundles.values()];
}
