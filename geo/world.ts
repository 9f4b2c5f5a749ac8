import type { Floor, Resident, RuleParams, Site, Zone } from './model';
import { DEFAULT_RULES, mergeRules } from './rules';
import type { DetectorContext } from './detect/types';
import { ZoneIndex } from './zone-index';

/** The static description of the institutions a pipeline watches, as plain data (it crosses to workers). */
export interface WorldData {
  sites: Site[];
  zones: Zone[];
  residents: Resident[];
}

/**
 * The read-only world a pipeline runs against: zone index, floors, and one detector context per
 * resident (rules merged once, not per fix).
 */
export class World {
  readonly zones: ZoneIndex;
  private readonly floors = new Map<string, Floor>();
  private readonly sites = new Map<string, Site>();
  private readonly contexts = new Map<string, DetectorContext>();

  constructor(data: WorldData, readonly defaults: RuleParams = DEFAULT_RULES) {
    this.zones = new ZoneIndex(data.zones);
    for (const site of data.sites) {
      this.sites.set(site.id, site);
      for (const f of site.floors) this.floors.set(f.id, f);
    }
    for (const r of data.residents) this.upsertResident(r);
  }

  floor(id: string): Floor | undefined {
    return this.floors.get(id);
  }

  /** Add or replace a resident (admin created one, or changed its overrides). */
  upsertResident(resident: Resident): void {
    const site = this.sites.get(resident.siteId);
    if (!site) throw new Error(`resident ${resident.id}: unknown site ${resident.siteId}`);
    const zones = this.zones;
    this.contexts.set(resident.id, {
      site: { id: site.id, timeZone: site.timeZone, nightWindow: site.nightWindow },
      resident,
      rules: mergeRules(this.defaults, site.rules, resident.rules),
      zones,
      zone: (id) => zones.zone(id),
      floor: (id) => this.floors.get(id),
    });
  }

  context(residentId: string): DetectorContext | undefined {
    return this.contexts.get(residentId);
  }
}
