/**
 * The regulator's view (四级监管): alert counts and response times rolled up province -> city -> county ->
 * institution, from each site's administrative division code (GB/T 2260: 2 digits province, 2 city, 2 county).
 * Pure. Only counts and durations leave here: no resident, no name of a person, no position, no ward.
 */
import type { Alert, Site } from '../../geo/model';
import { stats, type OverviewStats } from './overview';

export type RegionLevel = 'province' | 'city' | 'county' | 'institution';

export interface RegionNode extends Omit<OverviewStats, 'byKind'> {
  level: RegionLevel;
  /** Division code, or the site id for an institution. */
  code: string;
  name: string;
  nameEn?: string;
  byKind: OverviewStats['byKind'];
  institutions: number;
  residents: number;
  children: RegionNode[];
}

/** Names of the divisions the seeds and nearby pilots use; others show their code (or the site's own region names). */
const DIVISIONS: Record<string, [string, string]> = {
  '340000': ['安徽省', 'Anhui'],
  '340100': ['合肥市', 'Hefei'],
  '340102': ['瑶海区', 'Yaohai'],
  '340104': ['蜀山区', 'Shushan'],
  '340400': ['淮南市', 'Huainan'],
  '340402': ['大通区', 'Datong'],
  '340403': ['田家庵区', "Tianjia'an"],
  '340404': ['谢家集区', 'Xiejiaji'],
  '340405': ['八公山区', 'Bagongshan'],
  '340406': ['潘集区', 'Panji'],
  '340421': ['凤台县', 'Fengtai'],
  '340422': ['寿县', 'Shou'],
};

/** Sites without a code are grouped here, so their alerts still count in the totals. */
export const UNKNOWN_CODE = '000000';

function divisionName(code: string, fallback?: string): { name: string; nameEn?: string } {
  const known = DIVISIONS[code];
  if (known) return { name: known[0], nameEn: known[1] };
  return { name: fallback ?? (code === UNKNOWN_CODE ? '未登记地区' : code), nameEn: code === UNKNOWN_CODE ? 'Region not recorded' : undefined };
}

/** The province, city and county codes of a county-level code. */
export function divisionPath(code: string | undefined): [string, string, string] {
  if (!code || !/^\d{6}$/.test(code)) return [UNKNOWN_CODE, UNKNOWN_CODE, UNKNOWN_CODE];
  return [`${code.slice(0, 2)}0000`, `${code.slice(0, 4)}00`, code];
}

/** Roll the sites' alerts up the four levels; `residents` counts each site's residents (a number, no names). */
export function regionRollup(alerts: readonly Alert[], sites: readonly Site[], residents: (siteId: string) => number): RegionNode[] {
  const bySite = new Map<string, Alert[]>();
  for (const a of alerts) {
    let list = bySite.get(a.siteId);
    if (!list) bySite.set(a.siteId, (list = []));
    list.push(a);
  }
  const node = (level: RegionLevel, code: string, name: { name: string; nameEn?: string }, list: Alert[], timeZone: string, children: RegionNode[], institutions: number, residentCount: number): RegionNode => {
    const { byKind, ...rest } = stats(list, timeZone);
    return { level, code, ...name, ...rest, byKind, institutions, residents: residentCount, children };
  };
  // province -> city -> county -> sites
  const tree = new Map<string, Map<string, Map<string, Site[]>>>();
  for (const s of sites) {
    const [p, c, k] = divisionPath(s.regionCode);
    if (!tree.has(p)) tree.set(p, new Map());
    const cities = tree.get(p)!;
    if (!cities.has(c)) cities.set(c, new Map());
    const counties = cities.get(c)!;
    if (!counties.has(k)) counties.set(k, []);
    counties.get(k)!.push(s);
  }
  const tz = (list: Site[]) => list[0]?.timeZone ?? 'UTC';
  const out: RegionNode[] = [];
  for (const [p, cities] of [...tree].sort(([a], [b]) => a.localeCompare(b))) {
    const cityNodes: RegionNode[] = [];
    for (const [c, counties] of [...cities].sort(([a], [b]) => a.localeCompare(b))) {
      const countyNodes: RegionNode[] = [];
      for (const [k, list] of [...counties].sort(([a], [b]) => a.localeCompare(b))) {
        const institutions = list.map((s) =>
          node('institution', s.id, { name: s.nameZh ?? s.name, nameEn: s.name }, bySite.get(s.id) ?? [], s.timeZone, [], 1, residents(s.id)),
        );
        const all = list.flatMap((s) => bySite.get(s.id) ?? []);
        countyNodes.push(node('county', k, divisionName(k, list[0].region[1]), all, tz(list), institutions, list.length, sum(institutions)));
      }
      const sitesOf = [...counties.values()].flat();
      const all = sitesOf.flatMap((s) => bySite.get(s.id) ?? []);
      cityNodes.push(node('city', c, divisionName(c, sitesOf[0].region[0]), all, tz(sitesOf), countyNodes, sitesOf.length, sum(countyNodes)));
    }
    const sitesOf = [...cities.values()].flatMap((m) => [...m.values()].flat());
    const all = sitesOf.flatMap((s) => bySite.get(s.id) ?? []);
    out.push(node('province', p, divisionName(p), all, tz(sitesOf), cityNodes, sitesOf.length, sum(cityNodes)));
  }
  return out;
}

const sum = (nodes: RegionNode[]) => nodes.reduce((n, x) => n + x.residents, 0);
