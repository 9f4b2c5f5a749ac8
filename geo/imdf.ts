/**
 * Apple IMDF (Indoor Mapping Data Format) -> the site model: venue -> site and georeference, building -> building,
 * level -> floor, unit -> zone by category, exterior opening -> small exit zone. Pure: the caller reads the
 * archive's GeoJSON files and passes the parsed objects; everything here is arithmetic in the site's local metres.
 */
import { SiteFrame } from './frame';
import { distanceToRing, pointInPolygon, ringArea, ringCentroid } from './geometry';
import type { Building, ExitType, Floor, Georeference, Ring, Site, Zone, ZoneKind } from './model';

type Position = number[];

export interface ImdfGeometry {
  type: string;
  coordinates?: unknown;
}

export interface ImdfFeature {
  type: 'Feature';
  id: string;
  feature_type?: string;
  geometry: ImdfGeometry | null;
  properties: Record<string, unknown> | null;
}

export interface ImdfFeatureCollection {
  type: 'FeatureCollection';
  features: ImdfFeature[];
}

/** One FeatureCollection per IMDF feature type, keyed as the archive's file names (venue.geojson -> venue). */
export interface ImdfArchive {
  venue?: ImdfFeatureCollection;
  building?: ImdfFeatureCollection;
  footprint?: ImdfFeatureCollection;
  level?: ImdfFeatureCollection;
  unit?: ImdfFeatureCollection;
  opening?: ImdfFeatureCollection;
  address?: ImdfFeatureCollection;
  [featureType: string]: ImdfFeatureCollection | undefined;
}

export interface ImdfImportOptions {
  /** Site id; default: the venue's id. */
  siteId?: string;
  /** Prefixed to every floor, building and zone id, so two imported venues cannot collide. Default ''. */
  idPrefix?: string;
  /** IMDF is north-up; a site may still want its local x along the main building axis. Default 0. */
  rotationDeg?: number;
  /** Depth of an exit zone beyond the doorway, metres. Default 1.2. */
  exitDepthM?: number;
  /** Narrow openings are widened to this, so a door is a usable target for proximity rules. Default 1.5. */
  minExitWidthM?: number;
  /** An opening within this distance of a level or footprint outline is an exterior door. Default 0.5. */
  boundaryToleranceM?: number;
  /** Add an outdoor floor carrying the venue outline as the campus zone. Default true. */
  venueAsCampus?: boolean;
}

export interface ImdfSkipped {
  featureType: string;
  id: string;
  reason: string;
}

export interface ImdfImport {
  site: Partial<Site>;
  floors: Floor[];
  zones: Zone[];
  /** Features that produced no zone, with the reason (structure, interior door, no geometry...). */
  skipped: ImdfSkipped[];
}

interface ZoneMapping {
  kind: ZoneKind;
  exitType?: ExitType;
  use?: string;
}

/** Structural unit categories: walls and voids, never a place a person is. */
const STRUCTURAL = new Set(['brick', 'column', 'concrete', 'drywall', 'glass', 'opentobelow', 'structure', 'wood']);

/** IMDF unit category -> zone kind; null for structure. Unknown categories become rooms that keep the category as use. */
export function unitZoneMapping(category: string): ZoneMapping | null {
  const c = category.toLowerCase();
  if (STRUCTURAL.has(c)) return null;
  if (c.startsWith('restroom') || c === 'shower' || c === 'bathroom') return { kind: 'bathroom', use: c };
  if (c === 'elevator') return { kind: 'exit', exitType: 'lift', use: c };
  if (c === 'stairs' || c === 'stairwell' || c === 'steps' || c === 'escalator') {
    return { kind: 'exit', exitType: 'stairwell', use: c };
  }
  if (c.startsWith('walkway') || c === 'corridor' || c === 'footbridge' || c === 'ramp' || c === 'movingwalkway') {
    return { kind: 'corridor', use: c };
  }
  if (c === 'bedroom' || c === 'room') return { kind: 'room', use: c === 'bedroom' ? 'bedroom' : undefined };
  if (c === 'lounge' || c === 'privatelounge' || c === 'waitingroom') return { kind: 'room', use: 'lounge' };
  if (c === 'foodservice') return { kind: 'room', use: 'dining' };
  // places a care-home resident must not wander into alone
  if (c === 'kitchen' || c === 'nonpublic' || c === 'serverroom') return { kind: 'forbidden', use: c };
  if (c === 'vegetation') return { kind: 'safe', use: 'garden' };
  return { kind: 'room', use: c };
}

/** IMDF opening category -> exit type, for openings that lead out of the building. */
function openingExitType(category: string): ExitType {
  return category === 'automobile' || category === 'bicycle' ? 'gate' : 'door';
}

/** Openings that are exits wherever they are drawn. */
const ALWAYS_EXIT = new Set(['emergencyexit', 'pedestrian.principal']);

function label(v: unknown): { name?: string; nameZh?: string } {
  if (!v || typeof v !== 'object') return {};
  const labels = v as Record<string, unknown>;
  const str = (k: string) => (typeof labels[k] === 'string' && labels[k] ? (labels[k] as string) : undefined);
  const zh = str('zh-Hans') ?? str('zh-CN') ?? str('zh') ?? str('zh-Hant');
  const first = Object.values(labels).find((x): x is string => typeof x === 'string' && x.length > 0);
  return { name: str('en') ?? first, nameZh: zh };
}

function prop<T>(f: ImdfFeature, key: string): T | undefined {
  return (f.properties?.[key] ?? undefined) as T | undefined;
}

/** Polygons of a Polygon or MultiPolygon geometry, as lists of lon/lat rings; [] for anything else. */
function polygonsOf(g: ImdfGeometry | null): Position[][][] {
  if (!g) return [];
  if (g.type === 'Polygon') return [g.coordinates as Position[][]];
  if (g.type === 'MultiPolygon') return g.coordinates as Position[][][];
  return [];
}

function linesOf(g: ImdfGeometry | null): Position[][] {
  if (!g) return [];
  if (g.type === 'LineString') return [g.coordinates as Position[]];
  if (g.type === 'MultiLineString') return g.coordinates as Position[][];
  return [];
}

const round2 = (v: number) => Math.round(v * 100) / 100;

function localRing(frame: SiteFrame, ring: Position[]): Ring {
  const out: Ring = [];
  for (const p of ring) {
    const { x, y } = frame.toLocal(p[0], p[1]);
    const q: [number, number] = [round2(x), round2(y)];
    const last = out[out.length - 1];
    if (!last || last[0] !== q[0] || last[1] !== q[1]) out.push(q);
  }
  const [first, last] = [out[0], out[out.length - 1]];
  if (first && (first[0] !== last[0] || first[1] !== last[1])) out.push([first[0], first[1]]);
  return out;
}

function boundaryDistance(x: number, y: number, polygons: Ring[][]): number {
  let best = Infinity;
  for (const polygon of polygons) for (const ring of polygon) best = Math.min(best, distanceToRing(x, y, ring));
  return best;
}

/** The venue's display point, else the centroid of its outline, else of the first level. */
function anchorOf(archive: ImdfArchive): [number, number] {
  const venue = archive.venue?.features[0];
  const display = venue && prop<{ coordinates?: Position }>(venue, 'display_point');
  if (display?.coordinates && display.coordinates.length >= 2) return [display.coordinates[0], display.coordinates[1]];
  const outline =
    polygonsOf(venue?.geometry ?? null)[0]?.[0] ??
    archive.level?.features.map((l) => polygonsOf(l.geometry)[0]?.[0]).find((r) => r && r.length > 0);
  if (!outline) throw new Error('IMDF archive has no venue display point and no venue or level outline to anchor the site');
  // lon/lat: a building's doubled area is ~1e-8 square degrees, so only an exact line is degenerate
  return ringCentroid(outline, 1e-18);
}

/**
 * Convert an IMDF archive's features into the site model, in local metres of a frame anchored at the venue's
 * display point. Unit categories map to zone kinds (see `unitZoneMapping`); openings on a level's or building
 * footprint's outline (and emergency exits / principal entrances anywhere) become small exit zones reaching
 * `exitDepthM` outwards; interior openings and structural units are reported in `skipped`.
 */
export function importImdf(archive: ImdfArchive, opts: ImdfImportOptions = {}): ImdfImport {
  const prefix = opts.idPrefix ?? '';
  const exitDepth = opts.exitDepthM ?? 1.2;
  const minExitWidth = opts.minExitWidthM ?? 1.5;
  const tolerance = opts.boundaryToleranceM ?? 0.5;
  const venue = archive.venue?.features[0];
  const [lon, lat] = anchorOf(archive);
  const georef: Georeference = { lon, lat, rotationDeg: opts.rotationDeg ?? 0 };
  const frame = new SiteFrame(georef);
  const skipped: ImdfSkipped[] = [];
  const zones: Zone[] = [];
  const zoneIds = new Set<string>();
  const pushZone = (z: Zone) => {
    let id = z.id;
    for (let n = 2; zoneIds.has(id); n++) id = `${z.id}:${n}`;
    zoneIds.add(id);
    zones.push({ ...z, id });
  };

  const buildings: Building[] = (archive.building?.features ?? []).map((b, i) => {
    const l = label(prop(b, 'name'));
    return { id: prefix + b.id, name: l.name ?? `Building ${i + 1}`, ...(l.nameZh ? { nameZh: l.nameZh } : {}) };
  });

  const levels = [...(archive.level?.features ?? [])].sort(
    (a, b) => (prop<number>(a, 'ordinal') ?? 0) - (prop<number>(b, 'ordinal') ?? 0),
  );
  const floors: Floor[] = [];
  const levelOutline = new Map<string, Ring[][]>();
  for (const level of levels) {
    const ordinal = prop<number>(level, 'ordinal') ?? 0;
    const l = label(prop(level, 'name'));
    const short = label(prop(level, 'short_name'));
    const buildingIds = prop<string[]>(level, 'building_ids') ?? [];
    const floor: Floor = {
      id: prefix + level.id,
      buildingId: buildingIds[0] ? prefix + buildingIds[0] : null,
      ordinal,
      name: l.name ?? short.name ?? `Level ${ordinal}`,
    };
    const nameZh = l.nameZh ?? short.nameZh;
    if (nameZh) floor.nameZh = nameZh;
    if (prop<boolean>(level, 'outdoor') === true) floor.outdoor = true;
    floors.push(floor);
    // the level's outline and its buildings' footprints both mark where "outside" begins
    const outlines = polygonsOf(level.geometry).map((p) => p.map((r) => localRing(frame, r)));
    for (const fp of archive.footprint?.features ?? []) {
      const fpBuildings = prop<string[]>(fp, 'building_ids') ?? [];
      if (fpBuildings.some((id) => buildingIds.includes(id))) {
        outlines.push(...polygonsOf(fp.geometry).map((p) => p.map((r) => localRing(frame, r))));
      }
    }
    levelOutline.set(level.id, outlines);
  }

  if ((opts.venueAsCampus ?? true) && venue) {
    const outlines = polygonsOf(venue.geometry);
    if (outlines.length > 0) {
      let outdoor = floors.find((f) => f.outdoor && f.buildingId === null);
      if (!outdoor) {
        outdoor = { id: `${prefix}${venue.id}-outdoor`, buildingId: null, ordinal: 0, name: 'Outdoor', nameZh: '室外', outdoor: true };
        floors.push(outdoor);
      }
      const l = label(prop(venue, 'name'));
      outlines.forEach((p) =>
        pushZone({
          id: `${prefix}${venue.id}-campus`,
          kind: 'campus',
          name: l.name ?? 'Campus',
          ...(l.nameZh ? { nameZh: l.nameZh } : {}),
          floorId: outdoor.id,
          polygon: p.map((r) => localRing(frame, r)),
        }),
      );
    }
  }

  const levelIds = new Set(levels.map((l) => l.id));
  for (const unit of archive.unit?.features ?? []) {
    const levelId = prop<string>(unit, 'level_id');
    const category = prop<string>(unit, 'category') ?? 'unspecified';
    if (!levelId || !levelIds.has(levelId)) {
      skipped.push({ featureType: 'unit', id: unit.id, reason: `unknown level_id ${levelId ?? '(none)'}` });
      continue;
    }
    const mapping = unitZoneMapping(category);
    if (!mapping) {
      skipped.push({ featureType: 'unit', id: unit.id, reason: `structural category ${category}` });
      continue;
    }
    const polygons = polygonsOf(unit.geometry);
    if (polygons.length === 0) {
      skipped.push({ featureType: 'unit', id: unit.id, reason: `no polygon geometry (${unit.geometry?.type ?? 'null'})` });
      continue;
    }
    const l = label(prop(unit, 'name'));
    for (const p of polygons) {
      const polygon = p.map((r) => localRing(frame, r)).filter((r) => r.length >= 4);
      if (polygon.length === 0 || Math.abs(ringArea(polygon[0])) < 0.01) {
        skipped.push({ featureType: 'unit', id: unit.id, reason: 'degenerate polygon' });
        continue;
      }
      const zone: Zone = {
        id: prefix + unit.id,
        kind: mapping.kind,
        name: l.name ?? `${category} ${zones.length + 1}`,
        floorId: prefix + levelId,
        polygon,
      };
      if (l.nameZh) zone.nameZh = l.nameZh;
      if (mapping.exitType) zone.exitType = mapping.exitType;
      if (mapping.use) zone.use = mapping.use;
      pushZone(zone);
    }
  }

  for (const opening of archive.opening?.features ?? []) {
    const levelId = prop<string>(opening, 'level_id');
    const category = prop<string>(opening, 'category') ?? 'pedestrian';
    const outlines = levelId ? levelOutline.get(levelId) : undefined;
    if (!levelId || !outlines) {
      skipped.push({ featureType: 'opening', id: opening.id, reason: `unknown level_id ${levelId ?? '(none)'}` });
      continue;
    }
    const lines = linesOf(opening.geometry).filter((line) => line.length >= 2);
    if (lines.length === 0) {
      skipped.push({ featureType: 'opening', id: opening.id, reason: 'no line geometry' });
      continue;
    }
    const l = label(prop(opening, 'name'));
    for (const line of lines) {
      const a = frame.toLocal(line[0][0], line[0][1]);
      const b = frame.toLocal(line[line.length - 1][0], line[line.length - 1][1]);
      const mx = (a.x + b.x) / 2;
      const my = (a.y + b.y) / 2;
      const onOutline = boundaryDistance(mx, my, outlines) <= tolerance;
      if (!onOutline && !ALWAYS_EXIT.has(category)) {
        skipped.push({ featureType: 'opening', id: opening.id, reason: 'interior opening' });
        continue;
      }
      pushZone({
        id: `${prefix}${opening.id}-exit`,
        kind: 'exit',
        exitType: openingExitType(category),
        name: l.name ?? (category === 'emergencyexit' ? 'Emergency exit' : 'Entrance'),
        nameZh: l.nameZh ?? (category === 'emergencyexit' ? '安全出口' : '出入口'),
        floorId: prefix + levelId,
        polygon: [doorwayRing(a.x, a.y, b.x, b.y, outlines, onOutline, exitDepth, minExitWidth)],
        use: category,
      });
    }
  }

  const address = archive.address?.features.find((f) => f.id === prop<string>(venue ?? ({} as ImdfFeature), 'address_id'));
  const region = address
    ? [prop<string>(address, 'province'), prop<string>(address, 'locality')].filter((s): s is string => !!s)
    : undefined;
  const venueLabel = venue ? label(prop(venue, 'name')) : {};
  const site: Partial<Site> = {
    id: opts.siteId ?? (venue ? prefix + venue.id : undefined),
    name: venueLabel.name,
    georef,
    buildings,
    floors,
    wards: [],
  };
  if (venueLabel.nameZh) site.nameZh = venueLabel.nameZh;
  if (region && region.length > 0) site.region = region;
  return { site, floors, zones, skipped };
}

/**
 * A rectangle along the door segment, at least `minWidth` wide, reaching `depth` to the side that is outside
 * every outline (or straddling the segment when the opening is not on an outline).
 */
function doorwayRing(
  ax: number,
  ay: number,
  bx: number,
  by: number,
  outlines: Ring[][],
  onOutline: boolean,
  depth: number,
  minWidth: number,
): Ring {
  const len = Math.hypot(bx - ax, by - ay);
  const [ux, uy] = len > 1e-9 ? [(bx - ax) / len, (by - ay) / len] : [1, 0];
  let [nx, ny] = [-uy, ux];
  const mx = (ax + bx) / 2;
  const my = (ay + by) / 2;
  const half = Math.max(len, minWidth) / 2;
  let near = 0;
  let far = depth;
  if (onOutline) {
    const probe = 0.3;
    const insideLeft = outlines.some((p) => pointInPolygon(mx + nx * probe, my + ny * probe, p));
    if (insideLeft) [nx, ny] = [-nx, -ny];
  } else {
    [near, far] = [-depth / 2, depth / 2];
  }
  const corner = (s: number, t: number): [number, number] => [round2(mx + ux * s + nx * t), round2(my + uy * s + ny * t)];
  const ring: Ring = [corner(-half, near), corner(half, near), corner(half, far), corner(-half, far)];
  // counter-clockwise, as GeoJSON recommends
  if (ringArea([...ring, ring[0]]) < 0) ring.reverse();
  ring.push([ring[0][0], ring[0][1]]);
  return ring;
}
