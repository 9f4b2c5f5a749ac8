/** Derived views of the state. Pure; cheap enough to run on every render for a floor of ~100 residents. */
import type { Severity } from '../../../geo/model';
import type { Alert, ClientState, FloorInfo, Locale, ResidentDto, ZoneShape } from './types';

export const SEVERITY_RANK: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3 };

/** Severities that sound the alarm and flash the banner until someone acknowledges. */
export const ALARM_SEVERITIES: ReadonlySet<Severity> = new Set<Severity>(['critical', 'high']);

/** Unresolved alerts: open before acknowledged, then most severe, then newest. */
export function activeAlerts(state: ClientState): Alert[] {
  return Object.values(state.alerts)
    .filter((a) => a.state !== 'resolved')
    .sort(
      (a, b) =>
        (a.state === 'open' ? 0 : 1) - (b.state === 'open' ? 0 : 1) ||
        SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
        b.detectedAt - a.detectedAt,
    );
}

/** Open (not yet acknowledged) critical/high alerts, most urgent first. */
export function alarmingAlerts(state: ClientState): Alert[] {
  return activeAlerts(state).filter((a) => a.state === 'open' && ALARM_SEVERITIES.has(a.severity));
}

export function openAlertCountByFloor(state: ClientState): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const a of Object.values(state.alerts)) {
    if (a.state !== 'open') continue;
    const floorId = a.position?.floorId ?? a.floorId;
    counts[floorId] = (counts[floorId] ?? 0) + 1;
  }
  return counts;
}

export interface FloorGroup {
  /** Building id, or null for a site's outdoor level. */
  buildingId: string | null;
  name: string;
  floors: FloorInfo[];
}

/** Floors grouped by building in the sites' order, floors by ordinal; outdoor levels last. */
export function floorGroups(state: ClientState): FloorGroup[] {
  const catalog = state.catalog;
  if (!catalog) return [];
  const groups: FloorGroup[] = [];
  for (const site of catalog.sites) {
    const multiSite = catalog.sites.length > 1;
    const prefix = multiSite ? `${localName(site, state.locale)} · ` : '';
    for (const b of site.buildings) {
      const floors = site.floors
        .filter((f) => f.buildingId === b.id)
        .sort((x, y) => x.ordinal - y.ordinal)
        .map((f) => catalog.floorsById[f.id]);
      if (floors.length) groups.push({ buildingId: b.id, name: prefix + localName(b, state.locale), floors });
    }
    const loose = site.floors.filter((f) => !site.buildings.some((b) => b.id === f.buildingId));
    if (loose.length) {
      groups.push({
        buildingId: null,
        name: prefix + (state.locale === 'zh-CN' ? '室外' : 'Outdoor'),
        floors: loose.sort((x, y) => x.ordinal - y.ordinal).map((f) => catalog.floorsById[f.id]),
      });
    }
  }
  return groups;
}

export function localName(item: { name: string; nameZh?: string }, locale: Locale): string {
  return locale === 'zh-CN' && item.nameZh ? item.nameZh : item.name;
}

export function floorShapes(state: ClientState, floorId: string | null): ZoneShape[] {
  return (floorId && state.catalog?.shapesByFloor[floorId]) || NO_SHAPES;
}
const NO_SHAPES: ZoneShape[] = [];

export type MarkerStatus = 'normal' | 'acknowledged' | 'alert';

export interface ResidentMarker {
  id: string;
  name: string;
  x: number;
  y: number;
  ts: number;
  wanderRisk: boolean;
  fallRisk: boolean;
  status: MarkerStatus;
}

/** Resident id -> marker status from (resident, alert state) pairs: an open alert outranks an acknowledged one. */
export function markerStatuses(pairs: Iterable<readonly [residentId: string, state: string]>): Map<string, MarkerStatus> {
  const status = new Map<string, MarkerStatus>();
  for (const [residentId, state] of pairs) {
    if (state === 'open') status.set(residentId, 'alert');
    else if (state === 'acknowledged' && status.get(residentId) !== 'alert') status.set(residentId, 'acknowledged');
  }
  return status;
}

export function residentMarker(
  id: string,
  resident: ResidentDto | undefined,
  p: { x: number; y: number; ts: number },
  status: ReadonlyMap<string, MarkerStatus>,
): ResidentMarker {
  return {
    id,
    name: resident?.name ?? id,
    x: p.x,
    y: p.y,
    ts: p.ts,
    wanderRisk: resident?.wanderRisk ?? false,
    fallRisk: resident?.fallRisk ?? false,
    status: status.get(id) ?? 'normal',
  };
}

const MARKER_ORDER: Record<MarkerStatus, number> = { normal: 0, acknowledged: 1, alert: 2 };

/** Alerting residents last, so they draw on top; then by id, so the order is stable. */
export function byMarkerOrder(a: ResidentMarker, b: ResidentMarker): number {
  return MARKER_ORDER[a.status] - MARKER_ORDER[b.status] || (a.id < b.id ? -1 : 1);
}

/** The residents on the selected floor as map markers; alerting residents last so they draw on top. */
export function residentMarkers(state: ClientState): ResidentMarker[] {
  const { positions, catalog } = state;
  if (!catalog || positions.floorId !== state.selectedFloorId) return [];
  const status = markerStatuses(Object.values(state.alerts).map((a) => [a.residentId, a.state] as const));
  return Object.values(positions.byResident)
    .map((p) => residentMarker(p.r, catalog.residentsById[p.r], p, status))
    .sort(byMarkerOrder);
}

/** The floor to show first: the floor of the user's first ward, else the first indoor floor. */
export function defaultFloorId(state: ClientState): string | null {
  const catalog = state.catalog;
  if (!catalog) return null;
  for (const wardId of state.user?.wardIds ?? []) {
    for (const site of catalog.sites) {
      const ward = site.wards.find((w) => w.id === wardId);
      if (ward?.floorIds.length) return ward.floorIds[0];
    }
  }
  const groups = floorGroups(state);
  const indoor = groups.find((g) => g.buildingId !== null) ?? groups[0];
  return indoor?.floors[0]?.id ?? null;
}

export function zoneName(state: ClientState, zoneId: string | null): string | null {
  const zone = zoneId ? state.catalog?.zonesById[zoneId] : undefined;
  return zone ? localName(zone, state.locale) : null;
}

/** A floor's label inside its building's group: "2F" rather than "Building A 2F" when the name repeats it. */
export function floorShortName(state: ClientState, floorId: string): string {
  const floor = state.catalog?.floorsById[floorId];
  if (!floor) return floorId;
  const f = localName(floor, state.locale);
  const site = state.catalog?.sites.find((s) => s.id === floor.siteId);
  const building = site?.buildings.find((b) => b.id === floor.buildingId);
  if (!building) return f;
  const short = buildingShortName(localName(building, state.locale));
  const rest = short && f.startsWith(short) ? f.slice(short.length).trim() : '';
  return rest || f;
}

/** "Building A (care)" -> "Building A"; "A栋（护理楼）" -> "A栋". */
function buildingShortName(name: string): string {
  return name.replace(/\s*[（(].*[)）]\s*$/, '').trim();
}

export function floorName(state: ClientState, floorId: string): string {
  const floor = state.catalog?.floorsById[floorId];
  if (!floor) return floorId;
  const site = state.catalog?.sites.find((s) => s.id === floor.siteId);
  const building = site?.buildings.find((b) => b.id === floor.buildingId);
  const f = localName(floor, state.locale);
  if (!building) return f;
  // "Building A (care)" + "Building A 2F": the floor's own name already says which building
  const b = localName(building, state.locale);
  const short = buildingShortName(b);
  return short && f.includes(short) ? f : `${b} ${f}`;
}
