/**
 * Imports a real IMDF archive with geo/imdf.ts and prints what came out, as a check of the importer on data we
 * did not write ourselves. Reads the archive at run time (it is not ours to copy into the repository):
 *
 *   npx tsx bench/imdf-check.ts [dir]        (default: /work/shared/data/imdf-sample)
 */
import { existsSync } from 'node:fs';
import { importImdf } from '../geo/imdf';
import { loadImdfDir, parseSiteFiles, zonesToFeatureCollection } from '../server/site-loader';

const dir = process.argv[2] ?? process.env.IMDF_DIR ?? '/work/shared/data/imdf-sample';
if (!existsSync(dir)) {
  console.log(`imdf-check: no IMDF archive at ${dir}; nothing to check`);
  process.exit(0);
}

const archive = await loadImdfDir(dir);
const result = importImdf(archive);
const { site, floors, zones, skipped } = result;

console.log(`IMDF archive ${dir}`);
console.log(`  features: ${Object.entries(archive).map(([k, fc]) => `${k} ${fc?.features.length ?? 0}`).join(', ')}`);
console.log(`  site ${site.id} "${site.name}", anchor ${site.georef?.lon.toFixed(6)}, ${site.georef?.lat.toFixed(6)}`);
console.log(`  buildings ${site.buildings?.length ?? 0}, floors ${floors.length}:`);
for (const f of floors) {
  const onFloor = zones.filter((z) => z.floorId === f.id);
  const kinds = count(onFloor.map((z) => z.exitType ? `${z.kind}/${z.exitType}` : z.kind));
  console.log(`    ${f.ordinal} ${f.name}${f.outdoor ? ' (outdoor)' : ''}: ${onFloor.length} zones ${fmt(kinds)}`);
}
console.log(`  zones per kind: ${fmt(count(zones.map((z) => z.kind)))}`);
console.log(`  uses: ${fmt(count(zones.map((z) => z.use ?? '-')))}`);
console.log(`  skipped: ${skipped.length} ${fmt(count(skipped.map((s) => `${s.featureType}: ${s.reason}`)))}`);

let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
for (const z of zones.filter((z) => z.kind !== 'campus')) {
  for (const [x, y] of z.polygon[0]) [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
}
console.log(`  indoor extent: ${(x1 - x0).toFixed(1)} × ${(y1 - y0).toFixed(1)} m`);

// the imported site must pass the same validation as a hand-made one
parseSiteFiles({
  site: { ...site, region: site.region ?? [], timeZone: 'UTC', nightWindow: { start: '22:00', end: '06:00' } },
  zones: zonesToFeatureCollection(zones),
  residents: [],
  tags: [],
}, dir);
console.log('  validates as a site: yes');
if (zones.length === 0) {
  console.error('imdf-check: the import produced no zones');
  process.exit(1);
}

function count(keys: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
  return m;
}

function fmt(m: Map<string, number>): string {
  return [...m].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ');
}
