/**
 * An IMDF archive -> a site bundle the server can run: ids prefixed with the new site's id (IMDF ids are
 * unique within one archive only), the name and time zone the admin gave, then the same validation as a
 * site directory. Nothing is registered here: the caller adds the bundle only once all of it is valid.
 */
import { randomUUID } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { importImdf, type ImdfArchive } from '../geo/imdf';
import type { SiteBundle } from './registry';
import { ImdfArchiveError, readImdfZip } from './imdf-archive';
import { loadImdfDir, loadSiteDir, parseSiteFiles, SiteLoadError, validTimeZone, zonesToFeatureCollection } from './site-loader';

export interface ImdfSiteOptions {
  name?: string;
  timeZone?: string;
  /** Region names from province (or city) down, for the regulator's rollup. */
  region?: string[];
  /** GB/T 2260 county-level code (6 digits): province, city and county of the regulator's rollup. */
  regionCode?: string;
  siteId?: string;
  /** Ids already taken by loaded sites (site, floor and zone ids share one namespace per server). */
  taken?: (id: string) => boolean;
}

export interface ImdfSite {
  bundle: SiteBundle;
  warnings: string[];
  /** Features that became no zone, for the setup screen. */
  skipped: { featureType: string; id: string; reason: string }[];
}

const DEFAULT_TZ = 'Asia/Shanghai';

/** Build and validate a site from a parsed archive; throws ImdfArchiveError (4xx) when it cannot run. */
export function imdfSite(archive: ImdfArchive, opts: ImdfSiteOptions = {}): ImdfSite {
  const warnings: string[] = [];
  let timeZone = opts.timeZone;
  if (timeZone !== undefined && !validTimeZone(timeZone)) throw new ImdfArchiveError(400, `timezone: ${timeZone} is not an IANA time zone such as Asia/Shanghai`);
  if (!timeZone) {
    timeZone = DEFAULT_TZ;
    warnings.push(`no timezone given: ${DEFAULT_TZ} is used for the night window`);
  }
  if (opts.regionCode !== undefined && !/^\d{6}$/.test(opts.regionCode)) throw new ImdfArchiveError(400, 'regionCode: must be a 6-digit administrative division code');
  const siteId = opts.siteId ?? `site-${randomUUID().slice(0, 8)}`;
  if (opts.taken?.(siteId)) throw new ImdfArchiveError(422, `site ${siteId} already exists`);
  let result;
  try {
    // no outdoor floor of its own: one floor per IMDF level
    result = importImdf(archive, { siteId, idPrefix: `${siteId}-`, name: opts.name, venueAsCampus: false });
  } catch (e) {
    throw new ImdfArchiveError(422, `the archive cannot be imported: ${(e as Error).message}`);
  }
  const site = {
    ...result.site,
    id: siteId,
    name: result.site.name ?? siteId,
    region: opts.region ?? result.site.region ?? [],
    ...(opts.regionCode ? { regionCode: opts.regionCode } : {}),
    timeZone,
    nightWindow: { start: '22:00', end: '06:00' },
    wards: [],
  };
  const clash = [...result.floors.map((f) => f.id), ...result.zones.map((z) => z.id)].find((id) => opts.taken?.(id));
  if (clash) throw new ImdfArchiveError(422, `id ${clash} is already used by a loaded site`);
  let loaded;
  try {
    loaded = parseSiteFiles({ site, zones: zonesToFeatureCollection(result.zones), residents: [], tags: [] }, 'IMDF archive');
  } catch (e) {
    if (e instanceof SiteLoadError) throw new ImdfArchiveError(422, `the imported plan is not valid: ${e.problems.slice(0, 5).join('; ')}`);
    throw e;
  }
  if (result.zones.length === 0) warnings.push('the archive has no units or exterior openings: the floors are empty');
  return { bundle: loaded, warnings: [...result.warnings, ...warnings], skipped: result.skipped };
}

/**
 * SITE_DIR: a site directory (site.json ...), an unzipped IMDF archive (level.geojson ...) or an IMDF .zip.
 * An IMDF site takes its id from the directory or file name.
 */
export async function loadSiteSource(path: string, opts: { timeZone?: string } = {}): Promise<SiteBundle> {
  const info = await stat(path).catch(() => null);
  if (!info) throw new SiteLoadError(path, ['no such file or directory']);
  const idFrom = (p: string) =>
    (p.split('/').filter(Boolean).pop() ?? 'imdf').replace(/\.zip$/i, '').replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, 40) || 'imdf';
  try {
    if (info.isFile()) {
      const { archive } = readImdfZip(new Uint8Array(await readFile(path)));
      return imdfSite(archive, { ...opts, siteId: idFrom(path) }).bundle;
    }
    if (await stat(join(path, 'level.geojson')).catch(() => null)) {
      return imdfSite(await loadImdfDir(path), { ...opts, siteId: idFrom(path) }).bundle;
    }
  } catch (e) {
    if (e instanceof ImdfArchiveError) throw new SiteLoadError(path, [e.message]);
    throw e;
  }
  return loadSiteDir(path);
}
