/**
 * The geofence core against its peers: "which zones contain this point?" (every match, not just the
 * first) over a seeded synthetic institution of about 2,100 zones (bench/lib/institution.ts).
 *
 *   ZoneIndex              ours: per floor a covering grid (point queries) and a packed R-tree, exact
 *                          even-odd tests on flat arrays, integer ids out (`containingIds`)
 *   ZoneIndex, R-tree only the same index answering through its R-tree alone (what the grid adds)
 *   which-polygon          mapbox/which-polygon (rbush + ray casting), one per floor, `query(p, true)`
 *   Turf, naive            booleanPointInPolygon over every zone of the floor
 *   ZoneIndex × N workers  worker_threads; points leave in batches as transferable Float64Arrays and
 *                          the ids come back as Int32Arrays; the time includes all of the messaging
 *
 * Then `near(…, 3, ['exit'])` queries/s and the cost of `processFix` per fix (zone membership with
 * hysteresis + the four wander detectors) on seeded resident walks.
 *
 * Everything is seeded, so every run measures the same work. Engines take turns round by round, so
 * a noisy neighbour slows all of them alike, and each ratio is the median of the ratios within a round.
 *
 *   npx tsx bench/geofence.ts [--points 200000] [--rounds 7]      (npm run bench:geofence)
 *   npx tsx bench/geofence.ts --only fix                          (the per-fix pipeline costs alone)
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { booleanPointInPolygon } from '@turf/turf';
import type { Polygon } from 'geojson';
import { DETECTORS } from '../geo/detect';
import type { Fix, Zone } from '../geo/model';
import { initialTagState, processFix, type TagState } from '../geo/tag-step';
import { initialMembership, stepMembership, type MembershipState } from '../geo/transition';
import { World } from '../geo/world';
import { ZoneIndex } from '../geo/zone-index';
import { mulberry32 } from '../geo/rng';
import { generateInstitution, queryPoints, residentWalks, type Institution } from './lib/institution';
import { collect, fmt, fmtBytes, heapUsed, machine, summarize, table, type Summary } from './lib/stats';

const require = createRequire(import.meta.url);

interface WorkerInit {
  bench: 'geofence';
  zones: Zone[];
  floorIds: string[];
}

// ---------------------------------------------------------------------------------------------
// worker side: one ZoneIndex, batches of [floor, x, y] in, counts and ids out

function serveQueries(init: WorkerInit): void {
  const index = new ZoneIndex(init.zones);
  const floorIds = init.floorIds;
  const port = parentPort!;
  const out: number[] = [];
  port.on('message', ({ id, pts }: { id: number; pts: Float64Array }) => {
    const n = pts.length / 3;
    const counts = new Int32Array(n);
    out.length = 0;
    for (let i = 0; i < n; i++) counts[i] = index.containingIds(floorIds[pts[3 * i]], pts[3 * i + 1], pts[3 * i + 2], out);
    const ids = Int32Array.from(out);
    port.postMessage({ id, counts, ids }, [counts.buffer, ids.buffer]);
  });
  port.postMessage('ready');
}

// ---------------------------------------------------------------------------------------------

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

type WhichPolygonQuery = ((p: [number, number], multi: true) => { i: number }[] | null) & {
  (p: [number, number]): { i: number } | null;
};
const whichPolygon = require('which-polygon') as (fc: unknown) => WhichPolygonQuery;

/** One engine's answer for one point: the zone integer ids, any order. */
type Engine = (floor: number, x: number, y: number, out: number[]) => number;

async function main(): Promise<void> {
  const N = arg('points', 200_000);
  const ROUNDS = arg('rounds', 7);
  const WARMUP = 2;
  const TURF_N = Math.min(N, 20_000); // the naive loop is slow: a tenth of the points
  const VERIFY_N = Math.min(N, 20_000);
  const BATCH = 4096;

  console.log(`machine   ${machine()}`);
  const inst = generateInstitution();
  if (process.argv.includes('--only') && process.argv[process.argv.indexOf('--only') + 1] === 'fix') {
    perFix(inst);
    collect();
    const m = process.memoryUsage();
    console.log(`\nheap used at the end: ${fmtBytes(m.heapUsed)}, rss ${fmtBytes(m.rss)}`);
    return;
  }
  const { zones } = inst.world;
  const q = queryPoints(inst, N);
  const floorIds = inst.floorIds;

  // ---- build every engine, measuring its memory (heap + typed-array buffers) ----
  let h0 = heapUsed();
  const t0 = performance.now();
  const index = new ZoneIndex(zones);
  const buildOurs = performance.now() - t0;
  const heapOurs = heapUsed() - h0;

  h0 = heapUsed();
  const t1 = performance.now();
  const wp = floorIds.map((f) =>
    whichPolygon({
      type: 'FeatureCollection',
      features: zones
        .map((z, i) => ({ z, i }))
        .filter(({ z }) => z.floorId === f)
        .map(({ z, i }) => ({ type: 'Feature', properties: { i }, geometry: { type: 'Polygon', coordinates: z.polygon } })),
    }),
  );
  const buildWp = performance.now() - t1;
  const heapWp = heapUsed() - h0;

  h0 = heapUsed();
  const turfFloors: { i: number; geom: Polygon }[][] = floorIds.map((f) =>
    zones.map((z, i) => ({ i, geom: { type: 'Polygon', coordinates: z.polygon } as Polygon })).filter(({ i }) => zones[i].floorId === f),
  );
  const heapTurf = heapUsed() - h0;

  const ours: Engine = (f, x, y, out) => index.containingIds(floorIds[f], x, y, out);
  const oursTree: Engine = (f, x, y, out) => index.containingIdsByTree(floorIds[f], x, y, out);
  const which: Engine = (f, x, y, out) => {
    const r = wp[f]([x, y], true);
    if (!r) return 0;
    for (const p of r) out.push(p.i);
    return r.length;
  };
  const turf: Engine = (f, x, y, out) => {
    let n = 0;
    const p = [x, y];
    for (const z of turfFloors[f]) {
      if (booleanPointInPolygon(p, z.geom)) {
        out.push(z.i);
        n++;
      }
    }
    return n;
  };

  // ---- do they agree? (Turf, the brute force, is the reference) ----
  const answer = (e: Engine, i: number) => {
    const out: number[] = [];
    e(q[3 * i], q[3 * i + 1], q[3 * i + 2], out);
    return out.sort((a, b) => a - b).join(',');
  };
  const mismatches = { ours: 0, tree: 0, which: 0 };
  const hist = new Map<number, number>();
  for (let i = 0; i < VERIFY_N; i++) {
    const ref = answer(turf, i);
    const n = ref ? ref.split(',').length : 0;
    hist.set(n, (hist.get(n) ?? 0) + 1);
    if (answer(ours, i) !== ref) mismatches.ours++;
    if (answer(oursTree, i) !== ref) mismatches.tree++;
    if (answer(which, i) !== ref) mismatches.which++;
  }

  const indoorFloors = floorIds.length - 1;
  console.log(
    `data      ${fmt(zones.length)} zones on ${floorIds.length} floors (${indoorFloors} in ${inst.buildings.length} buildings + outdoor), ` +
      `${fmt(inst.world.residents.length)} residents; ${fmt(N)} query points, 85% indoors (seeded)`,
  );
  const hits = [...hist].filter(([n]) => n > 0).reduce((a, [, c]) => a + c, 0);
  const zonesPerHit = [...hist].reduce((a, [n, c]) => a + n * c, 0) / hits;
  console.log(
    `nesting   of ${fmt(VERIFY_N)} points: ${[...hist].sort(([a], [b]) => a - b).map(([n, c]) => `${n} zones ${((100 * c) / VERIFY_N).toFixed(1)}%`).join(', ')}; ` +
      `${zonesPerHit.toFixed(2)} zones per point that is in any`,
  );
  console.log(
    `agreement mismatches against Turf on ${fmt(VERIFY_N)} points: ZoneIndex ${mismatches.ours}, ZoneIndex R-tree ${mismatches.tree}, which-polygon ${mismatches.which}`,
  );
  console.log(`build     ZoneIndex ${buildOurs.toFixed(1)} ms, which-polygon ${buildWp.toFixed(1)} ms (all floors)`);

  // ---- single-thread throughput, engines taking turns ----
  // One loop per engine, each calling its engine directly: a shared loop calling engines through a
  // function value would be megamorphic and charge every engine the same dispatch overhead.
  let sink = 0;
  const rate = (n: number, t: number) => (n / (performance.now() - t)) * 1000;
  const passOurs = (n: number): number => {
    const out: number[] = [];
    const t = performance.now();
    for (let i = 0; i < n; i++) {
      out.length = 0;
      sink += index.containingIds(floorIds[q[3 * i]], q[3 * i + 1], q[3 * i + 2], out);
    }
    return rate(n, t);
  };
  const passTree = (n: number): number => {
    const out: number[] = [];
    const t = performance.now();
    for (let i = 0; i < n; i++) {
      out.length = 0;
      sink += index.containingIdsByTree(floorIds[q[3 * i]], q[3 * i + 1], q[3 * i + 2], out);
    }
    return rate(n, t);
  };
  const passWhich = (n: number): number => {
    const t = performance.now();
    for (let i = 0; i < n; i++) {
      const r = wp[q[3 * i]]([q[3 * i + 1], q[3 * i + 2]], true);
      if (r) sink += r.length;
    }
    return rate(n, t);
  };
  const passTurf = (n: number): number => {
    const t = performance.now();
    for (let i = 0; i < n; i++) {
      const p = [q[3 * i + 1], q[3 * i + 2]];
      for (const z of turfFloors[q[3 * i]]) if (booleanPointInPolygon(p, z.geom)) sink++;
    }
    return rate(n, t);
  };

  const workers1 = await startWorkers(1, inst);
  const workers2 = await startWorkers(2, inst);
  const expectedIds = (() => {
    let total = 0;
    const out: number[] = [];
    for (let i = 0; i < N; i++) {
      out.length = 0;
      total += ours(q[3 * i], q[3 * i + 1], q[3 * i + 2], out);
    }
    return total;
  })();

  const nearPass = (): number => {
    const t = performance.now();
    for (let i = 0; i < N; i++) sink += index.near(floorIds[q[3 * i]], q[3 * i + 1], q[3 * i + 2], 3, ['exit']).length;
    return (N / (performance.now() - t)) * 1000;
  };

  const runs: Record<string, number[]> = { ours: [], tree: [], which: [], turf: [], w1: [], w2: [], near: [] };
  const ratios = { which: [] as number[], turf: [] as number[], tree: [] as number[] };
  let workerMismatch = 0;
  for (let r = 0; r < WARMUP + ROUNDS; r++) {
    const round = {
      ours: passOurs(N),
      tree: passTree(N),
      which: passWhich(N),
      turf: passTurf(TURF_N),
      w1: 0,
      w2: 0,
      near: nearPass(),
    };
    const a = await queryOnWorkers(workers1, q, BATCH);
    const b = await queryOnWorkers(workers2, q, BATCH);
    if (a.ids !== expectedIds || b.ids !== expectedIds) workerMismatch++;
    round.w1 = a.pps;
    round.w2 = b.pps;
    if (r < WARMUP) continue;
    for (const k of Object.keys(runs) as (keyof typeof round)[]) runs[k].push(round[k]);
    ratios.which.push(round.ours / round.which);
    ratios.turf.push(round.ours / round.turf);
    ratios.tree.push(round.ours / round.tree);
  }
  await Promise.all([...workers1, ...workers2].map((w) => w.terminate()));

  const s = Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, summarize(v)])) as Record<keyof typeof runs, Summary>;
  const rWhich = summarize(ratios.which).median;
  const rTurf = summarize(ratios.turf).median;
  const row = (name: string, x: Summary, heap: string, vsWhich: string, vsTurf: string) => [
    name,
    fmt(x.median),
    fmt(x.min),
    `${fmt(x.mean)} ± ${fmt(x.std)}`,
    (1e9 / x.median).toFixed(0),
    heap,
    vsWhich,
    vsTurf,
  ];
  const byMedian = (x: Summary, y: Summary) => `${(x.median / y.median).toFixed(2)}×`;
  console.log(
    `\n"Which zones contain this point?" (all matches), points/s; median of ${ROUNDS} rounds after ${WARMUP} warm-up; ` +
      `Turf on the first ${fmt(TURF_N)} points\n`,
  );
  console.log(
    table([
      ['engine', 'median', 'min', 'mean ± std', 'ns/point', 'index memory', '× which-polygon', '× Turf'],
      row('ZoneIndex (grid + R-tree)', s.ours, fmtBytes(heapOurs), `${rWhich.toFixed(2)}×`, `${rTurf.toFixed(1)}×`),
      row('ZoneIndex, R-tree only', s.tree, '(same)', byMedian(s.tree, s.which), byMedian(s.tree, s.turf)),
      row('which-polygon, query(p, true)', s.which, fmtBytes(heapWp), '1.00×', byMedian(s.which, s.turf)),
      row('Turf booleanPointInPolygon, naive', s.turf, fmtBytes(heapTurf), byMedian(s.turf, s.which), '1.0×'),
      row('ZoneIndex × 1 worker (batches)', s.w1, '', byMedian(s.w1, s.which), byMedian(s.w1, s.turf)),
      row('ZoneIndex × 2 workers (batches)', s.w2, '', byMedian(s.w2, s.which), byMedian(s.w2, s.turf)),
    ]),
  );
  console.log(
    `\nratios are medians of the per-round ratios for ZoneIndex (ours/which-polygon ${rWhich.toFixed(2)}×, ours/Turf ${rTurf.toFixed(1)}×, ` +
      `grid/R-tree ${summarize(ratios.tree).median.toFixed(2)}×), of medians for the other rows`,
  );
  console.log(
    `workers: batches of ${fmt(BATCH)} points as transferable Float64Arrays, ids back as Int32Arrays; ` +
      `results ${workerMismatch === 0 ? 'identical to' : `DIFFERENT from (${workerMismatch} rounds)`} the single thread's`,
  );
  console.log(
    `target ours >= 2× which-polygon: ${rWhich >= 2 ? 'met' : 'NOT met'} (${rWhich.toFixed(2)}×)`,
  );
  console.log(
    `\nnear(floor, x, y, 3, ['exit']): ${fmt(s.near.median)} queries/s median (min ${fmt(s.near.min)}, ` +
      `mean ${fmt(s.near.mean)} ± ${fmt(s.near.std)}), ${(1e9 / s.near.median).toFixed(0)} ns/query`,
  );

  perFix(inst);
  collect();
  const m = process.memoryUsage();
  console.log(`\nheap used at the end: ${fmtBytes(m.heapUsed)}, array buffers ${fmtBytes(m.arrayBuffers)}, rss ${fmtBytes(m.rss)} (checksum ${sink % 1000})`);
}

// ---------------------------------------------------------------------------------------------

const TSX_API = pathToFileURL(join(dirname(require.resolve('tsx/package.json')), 'dist/esm/api/index.mjs')).href;
// Workers run this file through tsx's loader, registered inside the worker (as server/pipeline/geo-pool.ts does).
const BOOT = `import(${JSON.stringify(TSX_API)}).then((m) => { m.register(); return import(${JSON.stringify(import.meta.url)}); })`;

async function startWorkers(n: number, inst: Institution): Promise<Worker[]> {
  const init: WorkerInit = { bench: 'geofence', zones: inst.world.zones, floorIds: inst.floorIds };
  return Promise.all(
    Array.from({ length: n }, () => {
      const w = new Worker(BOOT, { eval: true, workerData: init });
      return new Promise<Worker>((resolve, reject) => {
        w.once('message', () => resolve(w));
        w.once('error', reject);
      });
    }),
  );
}

/** All the points through the workers, round robin in batches; points/s from the first send to the last answer. */
function queryOnWorkers(workers: Worker[], q: Float64Array, batch: number): Promise<{ pps: number; ids: number }> {
  const n = q.length / 3;
  return new Promise((resolve) => {
    let pending = 0;
    let ids = 0;
    const t = performance.now();
    const onMessage = (m: { counts: Int32Array; ids: Int32Array }) => {
      ids += m.ids.length;
      if (--pending > 0) return;
      const pps = (n / (performance.now() - t)) * 1000;
      for (const w of workers) w.off('message', onMessage);
      resolve({ pps, ids });
    };
    for (const w of workers) w.on('message', onMessage);
    for (let k = 0, b = 0; k < n; k += batch, b++) {
      const pts = q.slice(3 * k, 3 * Math.min(n, k + batch));
      pending++;
      workers[b % workers.length].postMessage({ id: b, pts }, [pts.buffer]);
    }
  });
}

/** µs per fix through processFix (membership + wander detectors), and through the membership step alone. */
function perFix(inst: Institution): void {
  const TAGS = 400, FIXES = 250, ROUNDS = 5, BATCH = 50;
  const world = new World(inst.world);
  const fixes: Fix[] = residentWalks(inst, TAGS, FIXES);
  const residentOf = new Map(inst.world.residents.map((r) => [r.tagId, r.id]));
  const wander = DETECTORS.filter((d) => ['exit-approach', 'left-area', 'forbidden-zone', 'left-safe-zone'].includes(d.name));
  // The same fixes carrying 1 s of 50 Hz accelerometer samples each (gravity plus wear noise), made a batch
  // at a time outside the timing, as a worker decodes a batch and then processes it: the samples of all
  // 100,000 fixes at once (5 million arrays) would make the heap, and every collection, about the input.
  const accelBatch = (noise: () => number, from: number): Fix[] =>
    fixes.slice(from, from + BATCH).map((f) => ({
      ...f,
      accel: { hz: 50, samples: Array.from({ length: 50 }, () => [(noise() - 0.5) * 0.1, (noise() - 0.5) * 0.1, 1 + (noise() - 0.5) * 0.1] as [number, number, number]) },
    }));
  const full: number[] = [], membership: number[] = [], all: number[] = [], allAccel: number[] = [];
  const overAll: number[] = [], overAccel: number[] = [];
  let alerts = 0, transitions = 0;
  for (let r = 0; r < ROUNDS + 1; r++) {
    const measure = (step: (fix: Fix) => void) => {
      const t = performance.now();
      for (const fix of fixes) step(fix);
      return ((performance.now() - t) * 1000) / fixes.length;
    };
    const states = new Map<string, TagState>();
    const a = measure((fix) => {
      const ctx = world.context(residentOf.get(fix.tagId)!)!;
      const res = processFix(states.get(fix.tagId) ?? initialTagState(), fix, ctx, wander);
      states.set(fix.tagId, res.state);
      if (r === 0) (alerts += res.alerts.length), (transitions += res.entered.length + res.exited.length);
    });
    const ms = new Map<string, MembershipState>();
    const h = world.context(inst.world.residents[0].id)!.rules.hysteresis;
    const b = measure((fix) => {
      ms.set(fix.tagId, stepMembership(ms.get(fix.tagId) ?? initialMembership(), fix, world.zones, h).state);
    });
    const allStates = new Map<string, TagState>();
    const c = measure((fix) => {
      const ctx = world.context(residentOf.get(fix.tagId)!)!;
      allStates.set(fix.tagId, processFix(allStates.get(fix.tagId) ?? initialTagState(), fix, ctx, DETECTORS).state);
    });
    const accelStates = new Map<string, TagState>();
    const noise = mulberry32(7);
    let ms0 = 0;
    for (let from = 0; from < fixes.length; from += BATCH) {
      const batch = accelBatch(noise, from);
      const t0 = performance.now();
      for (const fix of batch) {
        const ctx = world.context(residentOf.get(fix.tagId)!)!;
        accelStates.set(fix.tagId, processFix(accelStates.get(fix.tagId) ?? initialTagState(), fix, ctx, DETECTORS).state);
      }
      ms0 += performance.now() - t0;
    }
    const d = (ms0 * 1000) / fixes.length;
    if (r === 0) continue; // warm-up
    full.push(a);
    membership.push(b);
    all.push(c);
    allAccel.push(d);
    overAll.push(c - b);
    overAccel.push(d - b);
  }
  const f = (x: Summary) => `${x.median.toFixed(2)} µs/fix (min ${x.min.toFixed(2)}, mean ${x.mean.toFixed(2)} ± ${x.std.toFixed(2)})`;
  console.log(
    `\nprocessFix on ${fmt(fixes.length)} seeded fixes of ${TAGS} residents (${fmt(transitions)} zone transitions, ${fmt(alerts)} alerts), median of ${ROUNDS}:`,
  );
  console.log(`  membership + the 4 wander detectors   ${f(summarize(full))}`);
  console.log(`  membership step alone                 ${f(summarize(membership))}`);
  console.log(`  membership + all ${DETECTORS.length} detectors          ${f(summarize(all))}`);
  console.log(`  … with 50 accelerometer samples/fix   ${f(summarize(allAccel))}`);
  console.log(
    `  the ${DETECTORS.length} detectors over the membership step (median of the per-round differences): ` +
      `${summarize(overAll).median.toFixed(2)} µs/fix, ${summarize(overAccel).median.toFixed(2)} with accelerometer samples`,
  );
}

// last, once every constant above is initialised
if (!isMainThread && (workerData as WorkerInit | undefined)?.bench === 'geofence') {
  serveQueries(workerData as WorkerInit);
} else {
  await main();
}
