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
  /** Per site, the rules of its residents without overrides of their own: one shared (read-only) object. */
  private readonly siteRules = new Map<string, RuleParams>();

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
      rules: this.rulesFor(site, resident),
      zones,
      zone: (id) => zones.zone(id),
      floor: (id) => this.floors.get(id),
    });
  }

  /**
   * Site defaults merged with site and resident overrides. Residents without overrides share one object
   * per site, so detectors reading a rule section for fix after fix of different residents find the one
   * they merged last (detect/params.ts).
   */
  private rulesFor(site: Site, resident: Resident): RuleParams {
    const own = resident.rules;
    if (own && Object.values(own).some((v) => v !== undefined)) return mergeRules(this.defaults, site.rules, own);
    let rules = this.siteRules.get(site.id);
    if (!rules) this.siteRules.set(site.id, (rules = mergeRules(this.defaults, site.rules)));
    return rules;
  }

  context(residentId: string): DetectorContext | undefined {
    return this.contexts.get(residentId);
  }
}
