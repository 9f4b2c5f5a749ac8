/**
 * Track history (docs/history.md): what the write-ahead log and the recorder cost, and what they store.
 *
 *   --ingest  HTTP batch ingest against a server process (`tsx server/main.ts`, sample institution, no
 *             simulator) with history on and with HISTORY=off, alternating, in the same run: a ladder of
 *             offered loads (does it keep up? latency) and one phase at full speed; the ratios on/off
 *             of the highest load kept up and of the full-speed rates; WAL fdatasyncs per batch.
 *   --day     a simulated day of the sample institution (server/simulator at 1 Hz, seeded, one wandering
 *             episode an hour, each raising an alert) through the recorder into the embedded store: disk
 *             bytes per tag per day, rows kept; then replay query times over HTTP on that data
 *             (20 residents × 10 minutes, one floor × one hour), and the same queries on the store alone.
 *
 *   npx tsx bench/history.ts [--ingest] [--day] [--tags 6000] [--batch 500] [--seconds 8] [--rounds 2]
 *                            [--rates 8000,12000,16000] [--full 3] [--connections 8] [--hours 24] [--queries 15]
 *
 * Tags outnumber a batch many times over, so the client's own concurrency rarely delivers a tag's fixes
 * out of order (such fixes are refused, whole batches with 422, and would count against either side).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { SiteFrame } from '../geo/frame';
import type { Fix } from '../geo/model';
import { localMinutes } from '../geo/night-window';
import { World } from '../geo/world';
import { TrackRecorder } from '../server/history/track-recorder';
import { Registry } from '../server/registry';
import { Simulator, type RawFix } from '../server/simulator';
import { loadSiteDir, SAMPLE_SITE_DIR } from '../server/site-loader';
import { createStore, type TrackRow } from '../server/store';
import { fmt, machine, summarize } from './lib/stats';
import { mulberry32 } from '../geo/rng';
import { postJson, startServerProcess } from './lib/server-process';
import { batchMaker, pointInBox, type LoadTag } from './lib/corridor-load';

const arg = (name: string, d: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : d;
};
const has = (name: string) => process.argv.includes(`--${name}`);
const ONLY_INGEST = has('ingest') && !has('day');
const ONLY_DAY = has('day') && !has('ingest');
const TAGS = Number(arg('tags', '6000'));
const BATCH = Number(arg('batch', '500'));
const SECONDS = Number(arg('seconds', '8'));
const ROUNDS = Number(arg('rounds', '2'));
const CONNECTIONS = Number(arg('connections', '8'));
const RATES = arg('rates', '8000,12000,16000').split(',').map(Number);
/** Full-speed phases per server (the machine is shared: several samples, the median counts). */
const FULL = Number(arg('full', '3'));
const HOURS = Number(arg('hours', '24'));
const QUERIES = Number(arg('queries', '15'));
const KEY = 'demo-gateway-key';

function startServer(env: Record<string, string>): Promise<{ base: string; child: ChildProcess }> {
  return startServerProcess({ LOG_LEVEL: 'error', ...env });
}

async function stopServer(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

const post = postJson;

async function login(base: string): Promise<string> {
  return ((await (await post(`${base}/api/v1/auth/login`, { username: 'admin', password: 'admin-demo' })).json()) as { token: string }).token;
}

const metric = (text: string, name: string) => Number(text.match(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)`, 'm'))?.[1] ?? 0);

interface Zone {
  properties: { id: string; kind: string; floorId: string };
  geometry: { coordinates: number[][][] };
}

/** CPU seconds of the server process (all threads) and of its main thread, from /proc (Linux). */
function cpuOf(pid: number): { total: number; main: number } {
  const read = (path: string) => {
    try {
      // fields after the ")" of the command name: utime is the 12th, stime the 13th
      const f = readFileSync(path, 'utf8').split(') ')[1].split(' ');
      return (Number(f[11]) + Number(f[12])) / CLK_TCK;
    } catch {
      return NaN;
    }
  };
  return { total: read(`/proc/${pid}/stat`), main: read(`/proc/${pid}/task/${pid}/stat`) };
}
const CLK_TCK = 100;

interface Phase {
  /** Offered fixes/s; 0: as fast as the connections go. */
  offered: number;
  acceptedPerS: number;
  processedPerS: number;
  p50: number;
  p99: number;
  non2xx: number;
  syncsPerBatch: number;
  rowsPerFix: number;
  /** Server CPU per fix accepted, µs: the main thread (HTTP, validation, WAL, recorder) and the whole process (with the geo worker). */
  mainUsPerFix: number;
  totalUsPerFix: number;
}

/**
 * One server (history on or off): create the load tags, then a ladder of offered loads and one phase
 * at full speed. Between phases the geo core drains its queue, so one phase's backlog is not counted
 * in the next.
 */
async function ingestServer(history: boolean): Promise<Phase[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'carewatch-bench-history-'));
  const { base, child } = await startServer({ HISTORY: history ? 'on' : 'off', DATA_DIR: dataDir });
  try {
    const token = await login(base);
    const auth = { authorization: `Bearer ${token}` };
    const [site] = (await (await fetch(`${base}/api/v1/sites`, { headers: auth })).json()) as { id: string; zones: { features: Zone[] } }[];
    const corridors = site.zones.features.filter((z) => z.properties.kind === 'corridor');
    const rand = mulberry32(42);
    const load: LoadTag[] = [];
    for (let i = 0; i < TAGS; i++) {
      const c = corridors[i % corridors.length];
      const r = await post(`${base}/api/v1/residents`, { name: `Load ${i}`, siteId: site.id, tagId: `LOAD-${i}` }, auth);
      if (r.status !== 201) throw new Error(`create resident: ${r.status} ${await r.text()}`);
      load.push({ tagId: `LOAD-${i}`, floorId: c.properties.floorId, ...pointInBox(c.geometry.coordinates[0], rand) });
    }
    const nextBody = batchMaker(load, BATCH, rand);
    const metrics = async () => (await fetch(`${base}/metrics`)).text();
    const drain = async () => {
      for (let i = 0; i < 300 && metric(await metrics(), 'carewatch_geo_inflight_fixes') > 0; i++) await new Promise((r) => setTimeout(r, 100));
    };
    const phases: Phase[] = [];
    for (const offered of [...RATES, ...Array<number>(FULL).fill(0)]) {
      await drain();
      const before = await metrics();
      const cpu0 = cpuOf(child.pid!);
      const started = performance.now();
      const reqPerSec = offered / BATCH;
      const result = await autocannon({
        url: `${base}/api/v1/positions`,
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
        connections: offered ? Math.max(4, Math.ceil(reqPerSec / 4)) : CONNECTIONS,
        ...(offered ? { overallRate: reqPerSec } : {}),
        duration: SECONDS,
        requests: [{ setupRequest: (req) => ({ ...req, body: nextBody() }) }],
      });
      const secs = (performance.now() - started) / 1000;
      const after = await metrics();
      await drain();
      const cpu1 = cpuOf(child.pid!);
      const d = (name: string) => metric(after, name) - metric(before, name);
      const fixes = Math.max(1, d('carewatch_fixes_accepted_total'));
      phases.push({
        mainUsPerFix: ((cpu1.main - cpu0.main) / fixes) * 1e6,
        totalUsPerFix: ((cpu1.total - cpu0.total) / fixes) * 1e6,
        offered,
        acceptedPerS: d('carewatch_fixes_accepted_total') / secs,
        processedPerS: d('carewatch_geo_fixes_processed_total') / secs,
        p50: result.latency.p50,
        p99: result.latency.p99,
        non2xx: result.non2xx,
        syncsPerBatch: history ? d('carewatch_wal_syncs_total') / Math.max(1, d('carewatch_wal_appends_total')) : NaN,
        rowsPerFix: history ? metric(after, 'carewatch_history_rows_written_total') / Math.max(1, metric(after, 'carewatch_history_fixes_total')) : NaN,
      });
      const p = phases[phases.length - 1];
      console.log(
        `# history ${history ? 'on ' : 'off'} offered ${offered ? fmt(offered) : 'max'}: accepted ${fmt(p.acceptedPerS)}/s, through geo ${fmt(p.processedPerS)}/s, HTTP p50 ${p.p50} p99 ${p.p99} ms, non-2xx ${p.non2xx}, CPU µs/fix main ${p.mainUsPerFix.toFixed(1)} all ${p.totalUsPerFix.toFixed(1)}`,
      );
    }
    return phases;
  } finally {
    await stopServer(child);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * Kept up: the offered fixes accepted and through the geo core within the phase (5 % and 10 % slack
 * for phase edges and for batches the client's own concurrency delivers out of order), p99 under a second.
 */
const keepsUp = (p: Phase) => p.offered > 0 && p.acceptedPerS >= 0.95 * p.offered && p.processedPerS >= 0.9 * p.offered && p.p99 < 1000;

async function benchIngest(): Promise<void> {
  console.log(
    `\n## Ingest with history on vs off: ${TAGS} tags, batches of ${BATCH}, ${SECONDS} s a phase, offered ${RATES.join(', ')} fixes/s then full speed (${CONNECTIONS} connections), ${ROUNDS} rounds`,
  );
  const runs: { on: Phase[][]; off: Phase[][] } = { on: [], off: [] };
  for (let r = 0; r < ROUNDS; r++) {
    // alternate which goes first, so a slow period of the shared machine does not favour one side
    for (const h of r % 2 ? [true, false] : [false, true]) runs[h ? 'on' : 'off'].push(await ingestServer(h));
  }
  const med = (xs: number[]) => summarize(xs).median;
  console.log('\n| offered fixes/s | history | accepted /s | through geo core /s | HTTP p50 ms | HTTP p99 ms | kept up (rounds) | server CPU µs/fix: main thread | all threads |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (let i = 0; i <= RATES.length; i++) {
    for (const side of ['off', 'on'] as const) {
      const ps = i < RATES.length ? runs[side].map((phases) => phases[i]) : runs[side].flatMap((phases) => phases.slice(RATES.length));
      console.log(
        `| ${ps[0].offered ? fmt(ps[0].offered) : 'max'} | ${side} | ${fmt(med(ps.map((p) => p.acceptedPerS)))} | ${fmt(med(ps.map((p) => p.processedPerS)))} | ${med(ps.map((p) => p.p50))} | ${med(ps.map((p) => p.p99))} | ${ps[0].offered ? `${ps.filter(keepsUp).length}/${ps.length}` : '–'} | ${med(ps.map((p) => p.mainUsPerFix)).toFixed(1)} | ${med(ps.map((p) => p.totalUsPerFix)).toFixed(1)} |`,
      );
    }
  }
  const capacity = (phases: Phase[]) => Math.max(0, ...phases.filter(keepsUp).map((p) => p.offered));
  const cap = { off: med(runs.off.map(capacity)), on: med(runs.on.map(capacity)) };
  const fullOf = (side: 'on' | 'off') => runs[side].flatMap((ps) => ps.slice(RATES.length));
  const full = { off: med(fullOf('off').map((p) => p.acceptedPerS)), on: med(fullOf('on').map((p) => p.acceptedPerS)) };
  const sustained = { off: med(fullOf('off').map((p) => p.processedPerS)), on: med(fullOf('on').map((p) => p.processedPerS)) };
  const lastOn = fullOf('on');
  console.log(`\n# highest offered load kept up (median of rounds): off ${fmt(cap.off)}, on ${fmt(cap.on)} fixes/s: ratio ${((cap.on / cap.off) * 100).toFixed(0)} % (target >= 80 %)`);
  console.log(`# full speed (median of ${FULL * ROUNDS} phases), accepted: off ${fmt(full.off)}, on ${fmt(full.on)} fixes/s: ratio ${((full.on / full.off) * 100).toFixed(0)} %`);
  console.log(`# full speed, through the geo core: off ${fmt(sustained.off)}, on ${fmt(sustained.on)} fixes/s: ratio ${((sustained.on / sustained.off) * 100).toFixed(0)} %`);
  // CPU per fix over the offered loads both sides kept up with: what the machine's load does not change much
  const ladder = (side: 'on' | 'off') => runs[side].flatMap((ps) => ps.slice(0, RATES.length));
  const cpu = (side: 'on' | 'off', k: 'mainUsPerFix' | 'totalUsPerFix') => med(ladder(side).map((p) => p[k]));
  console.log(
    `# server CPU per fix (offered loads, median): main thread off ${cpu('off', 'mainUsPerFix').toFixed(1)} µs, on ${cpu('on', 'mainUsPerFix').toFixed(1)} µs; all threads off ${cpu('off', 'totalUsPerFix').toFixed(1)} µs, on ${cpu('on', 'totalUsPerFix').toFixed(1)} µs` +
      ` -> CPU-bound capacity on/off: main thread ${((cpu('off', 'mainUsPerFix') / cpu('on', 'mainUsPerFix')) * 100).toFixed(0)} %, whole process ${((cpu('off', 'totalUsPerFix') / cpu('on', 'totalUsPerFix')) * 100).toFixed(0)} %`,
  );
  console.log(`# history on at full speed: ${med(lastOn.map((p) => p.syncsPerBatch)).toFixed(2)} fdatasync per batch (group commit), ${med(lastOn.map((p) => p.rowsPerFix)).toFixed(3)} track rows per fix`);
}

function dirBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    n += e.isDirectory() ? dirBytes(p) : statSync(p).size;
  }
  return n;
}

async function benchDay(): Promise<void> {
  const site = await loadSiteDir(SAMPLE_SITE_DIR);
  const registry = new Registry([site]);
  const frame = new SiteFrame(site.site.georef);
  const outdoor = registry.outdoorFloorOf(site.site.id)!;
  const dataDir = mkdtempSync(join(tmpdir(), 'carewatch-bench-day-'));
  const store = await createStore(undefined, dataDir);
  const rec = new TrackRecorder(store, registry, new World(registry.worldData()), { flushMs: 1e9 });
  const sim = new Simulator(site, { seed: 7, rateHz: 1, firstWanderAfterMs: 30 * 60_000, wanderEveryMs: 3600_000 });
  // the day ends now, so the server's retention job (30 days) keeps it for the query phase
  const end = Math.floor(Date.now() / 60_000) * 60_000;
  const start = end - HOURS * 3600_000;
  const toFix = (f: RawFix): Fix =>
    'floorId' in f
      ? { tagId: f.tagId, ts: f.ts, floorId: f.floorId, x: f.x, y: f.y, z: f.z, accuracy: f.accuracy, event: f.event }
      : { tagId: f.tagId, ts: f.ts, floorId: outdoor, ...frame.toLocal(f.lon, f.lat), accuracy: f.accuracy, event: f.event };
  let fixes = 0;
  let alerted = 0;
  const t0 = performance.now();
  for (let now = start; now < end; now += 10_000) {
    const batch = sim.step(now).map(toFix);
    fixes += batch.length;
    rec.record(batch, null);
    // each wandering episode raises an exit-approach alert at its peak: full rate around it
    for (const ep of sim.episodes) {
      if (ep.peakTs !== null && ep.peakTs <= now && ep.peakTs > now - 10_000) {
        rec.alert(ep.tagId, ep.peakTs);
        alerted++;
      }
    }
    if (rec.stats.pendingRows > 20_000) await rec.flush();
  }
  await rec.flush();
  const simMs = performance.now() - t0;
  await store.close();
  const tags = new Set(sim.tagIds).size;
  const trackBytes = dirBytes(join(dataDir, 'tracks'));
  const rows = rec.stats.rowsWritten;
  const perDay = 24 / HOURS;
  console.log(`\n## A simulated ${HOURS} h of the sample institution (${tags} tags at 1 Hz indoors, GNSS every 10 s outdoors; ${alerted} alerts with full-rate windows)`);
  console.log('| fixes | rows kept | rows/fix | track bytes on disk | bytes/row | bytes per tag per day | rows per tag per day |');
  console.log('|---|---|---|---|---|---|---|');
  console.log(
    `| ${fmt(fixes)} | ${fmt(rows)} | ${(rows / fixes).toFixed(3)} | ${fmt(trackBytes)} | ${(trackBytes / rows).toFixed(1)} | ${fmt((trackBytes / tags) * perDay)} | ${fmt((rows / tags) * perDay)} |`,
  );
  const reasons = Object.entries(rec.stats.byReason).map(([k, v]) => `${k} ${fmt(v)}`).join(', ');
  console.log(`# rows by reason: ${reasons}`);
  console.log(`# every fix a row instead: ≈ ${fmt(((fixes * trackBytes) / rows / tags) * perDay)} bytes per tag per day (estimated at the same bytes/row)`);
  console.log(`# recorder: ${fmt(fixes / (simMs / 1000))} fixes/s on one core (simulator included)`);

  // Replay queries over HTTP on that data (the server also audits each request) and on the store alone.
  const residents = site.residents.filter((r) => !r.community);
  const twenty = residents.slice(0, 20).map((r) => r.id);
  const floorCount = new Map<string, number>();
  for (const r of residents) {
    const f = site.zones.find((z) => z.id === r.roomZoneId)?.floorId;
    if (f) floorCount.set(f, (floorCount.get(f) ?? 0) + 1);
  }
  const floor = [...floorCount.entries()].sort((a, b) => b[1] - a[1])[0][0];
  // 10:00 local time (residents up and about) if the simulated span has it, else its last full hour
  let from = Math.floor((end - 3600_000) / 60_000) * 60_000;
  for (let t = from; t >= start; t -= 60_000) {
    if (localMinutes(t, site.site.timeZone) === 600) {
      from = t;
      break;
    }
  }
  const q10 = { since: from, until: from + 600_000 };
  const q60 = { since: from, until: from + 3600_000 };
  const { base, child } = await startServer({ DATA_DIR: dataDir });
  try {
    const token = await login(base);
    const all = async (path: string) => {
      let rowsN = 0;
      let after: string | undefined;
      do {
        const res = await fetch(`${base}${path}&limit=10000${after ? `&after=${after}` : ''}`, { headers: { authorization: `Bearer ${token}` } });
        const body = (await res.json()) as { rows: TrackRow[]; next?: string };
        rowsN += body.rows.length;
        after = body.next;
      } while (after);
      return rowsN;
    };
    const time = async (path: string) => {
      const ms: number[] = [];
      let n = 0;
      for (let i = 0; i < QUERIES; i++) {
        const t = performance.now();
        n = await all(path);
        ms.push(performance.now() - t);
      }
      return { n, s: summarize(ms) };
    };
    const a = await time(`/api/v1/replay?residentIds=${twenty.join(',')}&since=${q10.since}&until=${q10.until}`);
    const b = await time(`/api/v1/replay?floorId=${floor}&since=${q60.since}&until=${q60.until}`);
    console.log(`\n## Replay queries on that day from ${new Date(from).toISOString()} (median of ${QUERIES}, all pages of 10 000)`);
    console.log('| query | rows | HTTP ms median (min–max) | store ms median |');
    console.log('|---|---|---|---|');
    await stopServer(child);
    const st = await createStore(undefined, dataDir);
    const storeTime = async (q: Parameters<typeof st.queryTrack>[0]) => {
      const ms: number[] = [];
      for (let i = 0; i < QUERIES; i++) {
        const t = performance.now();
        let after: string | undefined;
        do after = (await st.queryTrack({ ...q, limit: 10_000, after })).next;
        while (after);
        ms.push(performance.now() - t);
      }
      return summarize(ms).median;
    };
    const sa = await storeTime({ residentIds: twenty, ...q10 });
    const sb = await storeTime({ floorId: floor, ...q60 });
    await st.close();
    console.log(`| 20 residents × 10 min | ${fmt(a.n)} | ${a.s.median.toFixed(1)} (${a.s.min.toFixed(1)}–${a.s.max.toFixed(1)}) | ${sa.toFixed(1)} |`);
    console.log(`| floor ${floor} × 1 h | ${fmt(b.n)} | ${b.s.median.toFixed(1)} (${b.s.min.toFixed(1)}–${b.s.max.toFixed(1)}) | ${sb.toFixed(1)} |`);
  } finally {
    if (child.exitCode === null) await stopServer(child);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

console.log(`# bench/history.ts — ${machine()}`);
if (!ONLY_DAY) await benchIngest();
if (!ONLY_INGEST) await benchDay();
