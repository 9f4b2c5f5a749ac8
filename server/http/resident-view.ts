import type { Resident } from '../../geo/model';

/** Public view of a resident (what REST returns; no overrides or contacts). */
export function residentView(r: Resident) {
  return {
    id: r.id,
    name: r.name,
    siteId: r.siteId,
    wardId: r.wardId,
    ward: r.wardId,
    tagId: r.tagId,
    wanderRisk: r.wanderRisk,
    fallRisk: r.fallRisk,
    bedZoneId: r.bedZoneId,
    bathroomZoneId: r.bathroomZoneId,
    roomZoneId: r.roomZoneId,
    homeZoneId: r.homeZoneId,
    community: r.community,
  };
}
