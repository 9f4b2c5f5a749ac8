/**
 * Apple IMDF (Indoor Mapping Data Format) -> the site model: venue -> site and georeference, building -> building,
 * level -> floor, unit -> zone by category, exterior opening -> small exit zone. Pure: the caller reads the
 * archive's GeoJSON files and passes the parsed objects; everything here is arithmetic in the site's local metres.
 */
import { SiteFrame } from './frame';
import { distanceToRing, pointInPolygon, ringArea, ringCentroid } from './geometry';
import { fallbackName, pickName } from './imdf-names';
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
  /** The site's name as the person importing it knows it; venue metadata is often wrong. */
  name?: string;
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
  /** What an admin should check: placeholder names, venue metadata that disagrees with the plan, empty levels. */
  warnings: string[];
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
  if (c.startsWith('restroom') || c.startsWith('shower') || c === 'bathroom' || c === 'toilet' || c === 'washroom') return { kind: 'bathroom', use: c };
  if (c === 'elevator' || c === 'lift') return { kind: 'exit', exitType: 'lift', use: c };
  if (c === 'stairs' || c === 'stairwell' || c === 'steps' || c === 'escalator' || c === 'staircase') {
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

/** Openings that are exits wherever they are drawn: a garage or service gate leads out even off the outline. */
const ALWAYS_EXIT = new Set(['emergencyexit', 'pedestrian.principal', 'automobile', 'service']);

/** Unit restrictions that keep residents out whatever the category says. */
const RESTRICTED = new Set(['employeesonly', 'restricted']);

const label = pickName;

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

function levelCentroid(archive: ImdfArchive): [number, number] | null {
  const rings = (archive.level?.features ?? []).map((l) => polygonsOf(l.geometry)[0]?.[0]).filter((r): r is Position[] => !!r && r.length > 2);
  if (rings.length === 0) return null;
  const cs = rings.map((r) => ringCentroid(r, 1e-18));
  return [cs.reduce((s, c) => s + c[0], 0) / cs.length, cs.reduce((s, c) => s + c[1], 0) / cs.length];
}

/** Metres between two lon/lat points (equirectangular; venues are small). */
function approxMetres(a: [number, number], b: [number, number]): number {
  const k = Math.cos(((a[1] + b[1]) / 2) * (Math.PI / 180));
  return Math.hypot((a[0] - b[0]) * k, a[1] - b[1]) * 111_320;
}

/**
 * The venue's display point, else the centroid of its outline, else of the levels. A display point far from
 * every level is venue metadata gone wrong (copied from another venue, or 0,0): the levels win, with a warning.
 */
function anchorOf(archive: ImdfArchive, warnings: string[]): [number, number] {
  const venue = archive.venue?.features[0];
  const levels = levelCentroid(archive);
  const display = venue && prop<{ coordinates?: Position }>(venue, 'display_point');
  const outline = polygonsOf(venue?.geometry ?? null)[0]?.[0];
  const candidates: [string, [number, number] | null][] = [
    ['display point', display?.coordinates && display.coordinates.length >= 2 ? [display.coordinates[0], display.coordinates[1]] : null],
    ['outline', outline && outline.length > 2 ? ringCentroid(outline, 1e-18) : null],
  ];
  for (const [what, p] of candidates) {
    if (!p) continue;
    if (levels && approxMetres(p, levels) > FAR_FROM_LEVELS_M) {
      warnings.push(`venue ${what} is ${Math.round(approxMetres(p, levels) / 1000)} km from the levels: the venue metadata is wrong, the plan is anchored on its levels`);
      continue;
    }
    return p;
  }
  if (levels) return levels;
  throw new Error('IMDF archive has no venue display point and no venue or level outline to anchor the site');
}

/** A venue anchor farther than this from the levels' centre is not this building's. */
const FAR_FROM_LEVELS_M = 2000;

/** How far beside a door to look for "outside": beyond a thick outer wall drawn around the door line. */
const SIDE_PROBE_M = 1.0;

/**
 * Convert an IMDF archive's features into the site model, in local metres of a frame anchored at the venue's
 * display point. Unit categories map to zone kinds (see `unitZoneMapping`); openings on a level's or building
 * footprint's outline (and emergency exits, principal entrances, vehicle and service gates anywhere) become
 * small exit zones reaching `exitDepthM` outwards; interior openings and structural units are reported in
 * `skipped`, and what an admin should check in `warnings`.
 */
export function importImdf(archive: ImdfArchive, opts: ImdfImportOptions = {}): ImdfImport {
  const prefix = opts.idPrefix ?? '';
  const exitDepth = opts.exitDepthM ?? 1.2;
  const minExitWidth = opts.minExitWidthM ?? 1.5;
  const tolerance = opts.boundaryToleranceM ?? 0.5;
  const warnings: string[] = [];
  const venue = archive.venue?.features[0];
  if (!venue) warnings.push('the archive has no venue: the site is anchored on its levels and has no campus outline');
  else if ((archive.venue?.features.length ?? 0) > 1) warnings.push(`the archive has ${archive.venue!.features.length} venues: only the first (${venue.id}) is imported`);
  const [lon, lat] = anchorOf(archive, warnings);
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
  /** Placeholder names seen, per feature type, for one warning each. */
  const placeholders = new Map<string, { text: string; count: number }>();
  const named = (featureType: string, v: unknown) => {
    const l = label(v);
    if (l.placeholder) {
      const p = placeholders.get(featureType) ?? { text: l.placeholder, count: 0 };
      p.count++;
      placeholders.set(featureType, p);
    }
    return l;
  };

  const buildings: Building[] = (archive.building?.features ?? []).map((b, i) => {
    const l = named('building', prop(b, 'name'));
    return { id: prefix + b.id, name: l.name ?? `Building ${i + 1}`, ...(l.nameZh ? { nameZh: l.nameZh } : {}) };
  });

  const levels = [...(archive.level?.features ?? [])].sort(
    (a, b) => (prop<number>(a, 'ordinal') ?? 0) - (prop<number>(b, 'ordinal') ?? 0),
  );
  const floors: Floor[] = [];
  const levelOutline = new Map<string, Ring[][]>();
  for (const level of levels) {
    const ordinal = prop<number>(level, 'ordinal') ?? 0;
    const l = named('level', prop(level, 'name'));
    const short = label(prop(level, 'short_name'));
    const buildingIds = prop<string[]>(level, 'building_ids') ?? [];
    const building = buildings.find((b) => b.id === prefix + buildingIds[0]);
    const floor: Floor = {
      id: prefix + level.id,
      buildingId: building ? building.id : null,
      ordinal,
      name: l.name ?? short.name ?? `Level ${ordinal}`,
    };
    if (buildingIds[0] && !building) warnings.push(`level ${level.id} names building ${buildingIds[0]}, which the archive does not have`);
    const nameZh = l.nameZh ?? short.nameZh;
    if (nameZh) floor.nameZh = nameZh;
    if (prop<boolean>(level, 'outdoor') === true) floor.outdoor = true;
    floors.push(floor);
    // the level's outline and its buildings' footprints both mark where "outside" begins
    const outlines = polygonsOf(level.geometry).map((p) => p.map((r) => localRing(frame, r)));
    for (const fp of archive.footprint?.features ?? []) {
      const fpBuildings = prop<string[]>(fp, 'building_ids') ?? [];
      if (buildingIds.length === 0 || fpBuildings.some((id) => buildingIds.includes(id))) {
        outlines.push(...polygonsOf(fp.geometry).map((p) => p.map((r) => localRing(frame, r))));
      }
    }
    levelOutline.set(level.id, outlines);
  }
  // an imported plan has one outdoor floor at most (the site loader's rule)
  for (const extra of floors.filter((f) => f.outdoor).slice(1)) delete extra.outdoor;

  if ((opts.venueAsCampus ?? true) && venue) {
    const outlines = polygonsOf(venue.geometry);
    if (outlines.length > 0) {
      let outdoor = floors.find((f) => f.outdoor && f.buildingId === null);
      if (!outdoor && !floors.some((f) => f.outdoor)) {
        outdoor = { id: `${prefix}${venue.id}-outdoor`, buildingId: null, ordinal: 0, name: 'Outdoor', nameZh: '室外', outdoor: true };
        floors.push(outdoor);
      }
      const campusFloor = outdoor ?? floors.find((f) => f.outdoor)!;
      const l = label(prop(venue, 'name'));
      outlines.forEach((p) =>
        pushZone({
          id: `${prefix}${venue.id}-campus`,
          kind: 'campus',
          name: opts.name ?? l.name ?? 'Campus',
          ...(l.nameZh ? { nameZh: l.nameZh } : {}),
          floorId: campusFloor.id,
          polygon: p.map((r) => localRing(frame, r)),
        }),
      );
      const venueRings = outlines.map((p) => p.map((r) => localRing(frame, r)));
      const outside = [...levelOutline.entries()].filter(([, o]) => {
        const c = o[0]?.[0] ? ringCentroid(o[0][0]) : null;
        return c && !venueRings.some((p) => pointInPolygon(c[0], c[1], p));
      });
      if (outside.length > 0) warnings.push(`${outside.length} of ${levels.length} levels lie outside the venue outline: the venue geometry is wrong (the campus zone follows it)`);
    }
  }

  const levelIds = new Set(levels.map((l) => l.id));
  const unitsPerLevel = new Map<string, number>();
  const perCategory = new Map<string, number>();
  for (const unit of archive.unit?.features ?? []) {
    const levelId = prop<string>(unit, 'level_id');
    const category = String(prop<string>(unit, 'category') ?? 'unspecified');
    if (!levelId || !levelIds.has(levelId)) {
      skipped.push({ featureType: 'unit', id: unit.id, reason: `unknown level_id ${levelId ?? '(none)'}` });
      continue;
    }
    let mapping = unitZoneMapping(category);
    if (!mapping) {
      skipped.push({ featureType: 'unit', id: unit.id, reason: `structural category ${category}` });
      continue;
    }
    const restriction = prop<string>(unit, 'restriction');
    if (restriction && RESTRICTED.has(restriction) && mapping.kind !== 'exit' && mapping.kind !== 'bathroom') {
      mapping = { kind: 'forbidden', use: `${category} (${restriction})` };
    }
    const polygons = polygonsOf(unit.geometry);
    if (polygons.length === 0) {
      skipped.push({ featureType: 'unit', id: unit.id, reason: `no polygon geometry (${unit.geometry?.type ?? 'null'})` });
      continue;
    }
    const l = named('unit', prop(unit, 'name'));
    for (const p of polygons) {
      const polygon = p.map((r) => localRing(frame, r)).filter((r) => r.length >= 4);
      if (polygon.length === 0 || Math.abs(ringArea(polygon[0])) < 0.01) {
        skipped.push({ featureType: 'unit', id: unit.id, reason: 'degenerate polygon' });
        continue;
      }
      // numbered per family (restroom.male and restroom.unisex are both restrooms), so fallback names stay unique
      const family = category.split('.')[0];
      const n = (perCategory.get(family) ?? 0) + 1;
      perCategory.set(family, n);
      const fallback = fallbackName(category, n);
      const zone: Zone = {
        id: prefix + unit.id,
        kind: mapping.kind,
        name: l.name ?? fallback.name,
        floorId: prefix + levelId,
        polygon,
      };
      const nameZh = l.nameZh ?? (l.name ? undefined : fallback.nameZh);
      if (nameZh) zone.nameZh = nameZh;
      if (mapping.exitType) zone.exitType = mapping.exitType;
      if (mapping.use) zone.use = mapping.use;
      pushZone(zone);
      unitsPerLevel.set(levelId, (unitsPerLevel.get(levelId) ?? 0) + 1);
    }
  }
  for (const level of levels) {
    if (!unitsPerLevel.has(level.id)) warnings.push(`level ${floors.find((f) => f.id === prefix + level.id)?.name ?? level.id} has no units: it is imported as an empty floor`);
  }

  for (const opening of archive.opening?.features ?? []) {
    const levelId = prop<string>(opening, 'level_id');
    const category = String(prop<string>(opening, 'category') ?? 'pedestrian');
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
    const l = named('opening', prop(opening, 'name'));
    for (const line of lines) {
      const a = frame.toLocal(line[0][0], line[0][1]);
      const b = frame.toLocal(line[line.length - 1][0], line[line.length - 1][1]);
      const side = exteriorSide(a.x, a.y, b.x, b.y, outlines, tolerance);
      if (side === null && !ALWAYS_EXIT.has(category)) {
        skipped.push({ featureType: 'opening', id: opening.id, reason: 'interior opening' });
        continue;
      }
      const emergency = category === 'emergencyexit';
      const vehicle = category === 'automobile' || category === 'service';
      pushZone({
        id: `${prefix}${opening.id}-exit`,
        kind: 'exit',
        exitType: openingExitType(category),
        name: l.name ?? (emergency ? 'Emergency exit' : vehicle ? 'Gate' : 'Entrance'),
        nameZh: l.nameZh ?? (emergency ? '安全出口' : vehicle ? '大门' : '出入口'),
        floorId: prefix + levelId,
        polygon: [doorwayRing(a.x, a.y, b.x, b.y, side, exitDepth, minExitWidth)],
        use: category,
      });
    }
  }

  for (const [featureType, p] of placeholders) {
    warnings.push(`${p.count} ${featureType} name${p.count === 1 ? ' is' : 's are'} the placeholder "${p.text}": named from their category instead`);
  }

  const address = archive.address?.features.find((f) => f.id === prop<string>(venue ?? ({} as ImdfFeature), 'address_id'));
  const region = address
    ? [prop<string>(address, 'province'), prop<string>(address, 'locality')].filter((s): s is string => !!s)
    : undefined;
  const venueLabel = venue ? named('venue', prop(venue, 'name')) : {};
  const name = opts.name ?? venueLabel.name ?? buildings[0]?.name ?? 'Imported site';
  if (opts.name && venueLabel.name && venueLabel.name !== opts.name && venueLabel.nameZh !== opts.name) {
    warnings.push(`the venue calls itself "${venueLabel.name}": the site is named "${opts.name}" as given`);
  }
  if (!opts.name && !venueLabel.name) warnings.push(`the venue has no usable name: the site is called "${name}" until renamed`);
  const site: Partial<Site> = {
    id: opts.siteId ?? (venue ? prefix + venue.id : undefined),
    name,
    georef,
    buildings,
    floors,
    wards: [],
  };
  if (venueLabel.nameZh && !opts.name) site.nameZh = venueLabel.nameZh;
  if (region && region.length > 0) site.region = region;
  return { site, floors, zones, skipped, warnings };
}

const insideAny = (x: number, y: number, outlines: Ring[][]) => outlines.some((p) => pointInPolygon(x, y, p));

/**
 * Which side of the door segment is outside the building: +1 along the left normal, -1 the right, 0 when the
 * opening stands outside every outline (a gate in the grounds), null for an interior door. A door is exterior
 * when it lies on an outline or when one side, a thick wall's width away, is outside every outline: real
 * archives draw doors on the wall's centre line or inner face, rarely exactly on the outline.
 */
function exteriorSide(ax: number, ay: number, bx: number, by: number, outlines: Ring[][], tolerance: number): 1 | -1 | 0 | null {
  if (outlines.length === 0) return 0;
  const len = Math.hypot(bx - ax, by - ay);
  const [ux, uy] = len > 1e-9 ? [(bx - ax) / len, (by - ay) / len] : [1, 0];
  const [nx, ny] = [-uy, ux];
  const mx = (ax + bx) / 2;
  const my = (ay + by) / 2;
  const probe = Math.max(SIDE_PROBE_M, tolerance * 2);
  const left = insideAny(mx + nx * probe, my + ny * probe, outlines);
  const right = insideAny(mx - nx * probe, my - ny * probe, outlines);
  if (left && right) {
    if (boundaryDistance(mx, my, outlines) > tolerance) return null;
    // on the outline yet inside on both sides: a door in a re-entrant corner; the nearer probe decides
    const near = 0.3;
    return insideAny(mx + nx * near, my + ny * near, outlines) ? -1 : 1;
  }
  if (!left && !right) return 0;
  return left ? -1 : 1;
}

/**
 * A rectangle along the door segment, at least `minWidth` wide, reaching `depth` to the outside (`side`), or
 * straddling the segment when it has no outside (an exit by category inside the building, a gate in the grounds).
 */
function doorwayRing(ax: number, ay: number, bx: number, by: number, side: 1 | -1 | 0 | null, depth: number, minWidth: number): Ring {
  const len = Math.hypot(bx - ax, by - ay);
  const [ux, uy] = len > 1e-9 ? [(bx - ax) / len, (by - ay) / len] : [1, 0];
  const s = side === -1 ? -1 : 1;
  const [nx, ny] = [-uy * s, ux * s];
  const mx = (ax + bx) / 2;
  const my = (ay + by) / 2;
  const half = Math.max(len, minWidth) / 2;
  const [near, far] = side === 1 || side === -1 ? [0, depth] : [-depth / 2, depth / 2];
  const corner = (a: number, t: number): [number, number] => [round2(mx + ux * a + nx * t), round2(my + uy * a + ny * t)];
  const ring: Ring = [corner(-half, near), corner(half, near), corner(half, far), corner(-half, far)];
  // counter-clockwise, as GeoJSON recommends
  if (ringArea([...ring, ring[0]]) < 0) ring.reverse();
  ring.push([ring[0][0], ring[0][1]]);
  return ring;
}
