/**
 * Synthetic residents for load tests: copies of the site's own residents' rooms, beds and homes under new ids,
 * without risk flags, so thousands of tags move realistically while raising no alerts of their own.
 */
import type { Resident, Tag } from '../../geo/model';
import type { LoadedSite } from '../site-loader';

export const SYNTHETIC_ID_PREFIX = 'syn-';

/** `n` extra residents with their tags: about 1 in 10 a community resident when the site has any. */
export function syntheticTags(n: number, site: LoadedSite): { residents: Resident[]; tags: Tag[] } {
  const indoor = site.residents.filter((r) => !r.community && r.roomZoneId && r.bedZoneId);
  const community = site.residents.filter((r) => r.community && r.homeZoneId);
  if (indoor.length === 0 && community.length === 0) throw new Error(`site ${site.site.id} has no resident to model synthetic tags on`);
  const residents: Resident[] = [];
  const tags: Tag[] = [];
  for (let i = 1; i <= n; i++) {
    const num = String(i).padStart(5, '0');
    const outdoor = community.length > 0 && (i % 10 === 0 || indoor.length === 0);
    const pool = outdoor ? community : indoor;
    const template = pool[(outdoor ? i / 10 : i) % pool.length];
    const id = `${SYNTHETIC_ID_PREFIX}${num}`;
    const tagId = `S-${num}`;
    const resident: Resident = {
      ...template,
      id,
      tagId,
      name: `模拟${num}`,
      wanderRisk: false,
      fallRisk: false,
      safeZoneIds: [],
      forbiddenZoneIds: [],
    };
    delete resident.rules;
    residents.push(resident);
    tags.push({ id: tagId, kind: outdoor ? 'outdoor' : 'indoor', residentId: id, siteId: site.site.id });
  }
  return { residents, tags };
}

/** The site with `n` synthetic residents and tags added (a new object; the input is not changed). */
export function withSyntheticTags(site: LoadedSite, n: number): LoadedSite {
  const extra = syntheticTags(n, site);
  return { ...site, residents: [...site.residents, ...extra.residents], tags: [...site.tags, ...extra.tags] };
}
