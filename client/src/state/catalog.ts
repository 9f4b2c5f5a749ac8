import type { ZoneKind } from '../../../geo/model';
import type { Catalog, FloorInfo, ResidentDto, SiteDto, ZoneProperties, ZoneShape } from './types';

/** Bottom to top: large outlines first, then the rooms, then what must never be hidden (forbidden, exits). */
export const DRAW_ORDER: readonly ZoneKind[] = [
  'campus',
  'home',
  'ward',
  'safe',
  'corridor',
  'room',
  'bathroom',
  'bed',
  'forbidden',
  'exit',
];

const rank = new Map(DRAW_ORDER.map((k, i) => [k, i]));

/** Index the sites and residents once; the arrays built here are reused as layer data for the session. */
export function buildCatalog(sites: SiteDto[], residents: ResidentDto[]): Catalog {
  const floorsById: Record<string, FloorInfo> = {};
  const zonesById: Record<string, ZoneProperties> = {};
  const shapesByFloor: Record<string, ZoneShape[]> = {};
  for (const site of sites) {
    for (const floor of site.floors) {
      floorsById[floor.id] = { ...floor, siteId: site.id };
      shapesByFloor[floor.id] = [];
    }
    for (const feature of site.zones?.features ?? []) {
      const p = feature.properties;
      if (!p || !feature.geometry) continue;
      zonesById[p.id] = p;
      const polygons =
        feature.geometry.type === 'Polygon'
          ? [feature.geometry.coordinates]
          : feature.geometry.type === 'MultiPolygon'
            ? feature.geometry.coordinates
            : [];
      const list = (shapesByFloor[p.floorId] ??= []);
      for (const rings of polygons) {
        if (!rings.length || rings[0].length < 3) continue;
        list.push({
          id: p.id,
          kind: p.kind,
          name: p.name,
          nameZh: p.nameZh,
          floorId: p.floorId,
          exitType: p.exitType,
          rings,
        });
      }
    }
  }
  for (const list of Object.values(shapesByFloor)) {
    list.sort((a, b) => (rank.get(a.kind) ?? 99) - (rank.get(b.kind) ?? 99));
  }
  const residentsById: Record<string, ResidentDto> = {};
  for (const r of residents) residentsById[r.id] = r;
  return { sites, floorsById, zonesById, shapesByFloor, residentsById };
}
