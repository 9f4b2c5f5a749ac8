/**
 * Reading an IMDF archive as it is distributed: a zip of `<feature type>.geojson` files. The zip comes from
 * outside, so everything about it is bounded before anything is inflated: the archive's size, the number of
 * entries, the total declared size and each entry's compression ratio (a zip bomb declares, or hides, a huge
 * output). fflate inflates into a buffer of the declared size and never grows it, so a header that lies about
 * the size yields a truncated file, which then fails as broken JSON rather than filling memory.
 */
import { unzipSync, type UnzipFileInfo } from 'fflate';
import type { ImdfArchive, ImdfFeature, ImdfFeatureCollection } from '../geo/imdf';
import { RequestError } from './request-error';

export interface ImdfLimits {
  /** The zip itself. */
  maxArchiveBytes: number;
  maxEntries: number;
  /** Sum of the inflated sizes of the files read. */
  maxUncompressedBytes: number;
  /** Inflated / compressed size of one entry beyond which it is a bomb (checked on entries over 1 MB). */
  maxRatio: number;
}

export const IMDF_LIMITS: ImdfLimits = {
  maxArchiveBytes: 20 * 1024 * 1024,
  maxEntries: 1000,
  maxUncompressedBytes: 200 * 1024 * 1024,
  maxRatio: 100,
};

/** Why an archive was refused; `status` is the HTTP answer (400 malformed, 413 too large, 422 not importable). */
export class ImdfArchiveError extends RequestError<400 | 413 | 422> {}

/** The feature types the importer reads; the other IMDF types (amenity, anchor, occupant...) are not needed. */
const USED = new Set(['venue', 'building', 'footprint', 'level', 'unit', 'opening', 'address']);
const IMDF_TYPES = new Set([...USED, 'amenity', 'anchor', 'detail', 'fixture', 'geofence', 'kiosk', 'occupant', 'relationship', 'section']);

export interface ReadArchive {
  archive: ImdfArchive;
  /** Files that are not part of IMDF at all (a README, a stray shapefile): ignored, worth telling the admin. */
  ignored: string[];
}

const baseName = (path: string) => path.slice(path.lastIndexOf('/') + 1);

/** Unzip, bound and parse an IMDF archive. Throws ImdfArchiveError with a message an admin can act on. */
export function readImdfZip(zip: Uint8Array, limits: ImdfLimits = IMDF_LIMITS): ReadArchive {
  if (zip.length > limits.maxArchiveBytes) {
    throw new ImdfArchiveError(413, `the archive is ${mb(zip.length)}; at most ${mb(limits.maxArchiveBytes)} is accepted`);
  }
  if (zip.length < 22 || zip[0] !== 0x50 || zip[1] !== 0x4b) throw new ImdfArchiveError(400, 'the body is not a zip archive (IMDF is distributed as a .zip of GeoJSON files)');
  let entries = 0;
  let total = 0;
  const ignored: string[] = [];
  const chosen = new Map<string, string>();
  const filter = (f: UnzipFileInfo): boolean => {
    if (++entries > limits.maxEntries) throw new ImdfArchiveError(413, `the archive has more than ${limits.maxEntries} entries`);
    const name = baseName(f.name);
    if (f.name.endsWith('/') || f.name.startsWith('__MACOSX/') || name.startsWith('.') || name === '') return false;
    const type = name.endsWith('.geojson') ? name.slice(0, -'.geojson'.length) : null;
    if (type === null || !IMDF_TYPES.has(type)) {
      if (name !== 'manifest.json') ignored.push(f.name);
      return false;
    }
    if (!USED.has(type)) return false;
    const earlier = chosen.get(type);
    if (earlier) throw new ImdfArchiveError(422, `the archive holds two ${name} files (${earlier}, ${f.name}): one venue per archive`);
    chosen.set(type, f.name);
    if (f.compression !== 0 && f.compression !== 8) throw new ImdfArchiveError(422, `${f.name}: compression method ${f.compression} is not supported (use deflate)`);
    total += f.originalSize;
    if (total > limits.maxUncompressedBytes) {
      throw new ImdfArchiveError(413, `the archive inflates to more than ${mb(limits.maxUncompressedBytes)}: refused`);
    }
    if (f.originalSize > 1024 * 1024 && f.originalSize > limits.maxRatio * Math.max(1, f.size)) {
      throw new ImdfArchiveError(413, `${f.name} inflates ${Math.round(f.originalSize / Math.max(1, f.size))} times its size (a zip bomb?): refused`);
    }
    return true;
  };
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(zip, { filter });
  } catch (e) {
    if (e instanceof ImdfArchiveError) throw e;
    throw new ImdfArchiveError(400, `the zip archive is damaged (${(e as Error).message})`);
  }
  const archive: ImdfArchive = {};
  const decoder = new TextDecoder('utf-8', { fatal: false });
  for (const [path, bytes] of Object.entries(files)) {
    const name = baseName(path);
    const type = name.slice(0, -'.geojson'.length);
    let data: unknown;
    try {
      data = JSON.parse(decoder.decode(bytes).replace(/^\uFEFF/, ''));
    } catch (e) {
      throw new ImdfArchiveError(400, `${name}: not valid JSON (${(e as Error).message})`);
    }
    archive[type] = checkCollection(name, data);
  }
  if (!archive.level) throw new ImdfArchiveError(422, 'level.geojson is missing: an IMDF archive needs its levels');
  if (archive.level.features.length === 0) throw new ImdfArchiveError(422, 'level.geojson has no levels');
  return { archive, ignored };
}

const mb = (n: number) => `${(n / (1024 * 1024)).toFixed(n < 1024 * 1024 ? 2 : 0)} MB`;

/** A GeoJSON FeatureCollection whose features have ids and sane geometry; the first fault is named precisely. */
function checkCollection(file: string, data: unknown): ImdfFeatureCollection {
  const d = data as { type?: unknown; features?: unknown };
  if (!d || typeof d !== 'object' || d.type !== 'FeatureCollection' || !Array.isArray(d.features)) {
    throw new ImdfArchiveError(400, `${file}: not a GeoJSON FeatureCollection`);
  }
  const features: ImdfFeature[] = [];
  d.features.forEach((raw, i) => {
    const f = raw as { type?: unknown; id?: unknown; geometry?: unknown; properties?: unknown };
    const where = `${file} feature ${i}`;
    if (!f || typeof f !== 'object' || f.type !== 'Feature') throw new ImdfArchiveError(400, `${where}: not a GeoJSON Feature`);
    if (typeof f.id !== 'string' && typeof f.id !== 'number') throw new ImdfArchiveError(400, `${where}: has no id`);
    if (f.properties !== null && f.properties !== undefined && (typeof f.properties !== 'object' || Array.isArray(f.properties))) {
      throw new ImdfArchiveError(400, `${where} (${f.id}): properties must be an object`);
    }
    const problem = geometryProblem(f.geometry);
    if (problem) throw new ImdfArchiveError(400, `${where} (${f.id}): ${problem}`);
    features.push({ ...(f as ImdfFeature), id: String(f.id), properties: (f.properties ?? null) as ImdfFeature['properties'] });
  });
  return { type: 'FeatureCollection', features };
}

/** Depth of the coordinate arrays of each geometry type. */
const DEPTH: Record<string, number> = { Point: 0, MultiPoint: 1, LineString: 1, MultiLineString: 2, Polygon: 2, MultiPolygon: 3 };

function geometryProblem(g: unknown): string | null {
  if (g === null || g === undefined) return null;
  const geom = g as { type?: unknown; coordinates?: unknown };
  if (typeof geom !== 'object' || typeof geom.type !== 'string') return 'geometry has no type';
  const depth = DEPTH[geom.type];
  if (depth === undefined) return geom.type === 'GeometryCollection' ? null : `unknown geometry type ${geom.type}`;
  return coordinatesProblem(geom.coordinates, depth);
}

function coordinatesProblem(c: unknown, depth: number): string | null {
  if (depth === 0) {
    if (!Array.isArray(c) || c.length < 2 || !c.every((v) => typeof v === 'number' && Number.isFinite(v))) return 'a position is not [longitude, latitude]';
    if (Math.abs(c[0] as number) > 180 || Math.abs(c[1] as number) > 90) return `position [${c[0]}, ${c[1]}] is not WGS84 longitude/latitude`;
    return null;
  }
  if (!Array.isArray(c)) return 'coordinates are not nested arrays of the geometry type';
  for (const item of c) {
    const p = coordinatesProblem(item, depth - 1);
    if (p) return p;
  }
  return null;
}
