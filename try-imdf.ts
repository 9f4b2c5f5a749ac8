import { loadImdfDir } from './server/site-loader';
import { importImdf } from './geo/imdf';
const a = await loadImdfDir(process.argv[2] ?? '/work/shared/data/imdf-sample');
const r = importImdf(a, { name: process.argv[3] });
console.log(r.site.name, r.floors.length, r.zones.length);
const c: Record<string, number> = {};
for (const z of r.zones) c[z.kind] = (c[z.kind] ?? 0) + 1;
console.log(c, r.warnings, r.zones.slice(0,3).map(z=>z.name+'/'+z.nameZh));
