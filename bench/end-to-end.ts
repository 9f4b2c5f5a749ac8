/**
 * End to end: fixes/s sustained through HTTP batch ingest, and the latency from a fix's arrival to
 * its alert at a connected Socket.IO client, at several loads. The server runs as its own process
 * (`tsx server/main.ts`, sample institution, no simulator), exactly as `npm run start:server` would.
 *
 *   npx tsx bench/end-to-end.ts [--tags 2000] [--batch 500] [--seconds 10] [--rates 5000,10000,20000,30000]
 */
import { cpus, totalmem } from 'node:os';
import autocannon from 'autocannon';
import { io } from 'socket.io-client';
import type { Alert } from '../geo/model';
import { mulberry32 } from '../geo/rng';
import { postJson, startServerProcess } from './lib/server-process';
import { batchMaker, pointInBox, type LoadTag } from './lib/corridor-load';

const arg = (name: string, d: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : d;
};
const TAGS = Number(arg('tags', '10000'));
const BATCH = Number(arg('batch', '500'));
const SECONDS = Number(arg('seconds', '10'));
const RATES = arg('rates', '5000,10000,20000,30000').split(',').map(Number);
const PROBES_PER_RATE = Number(arg('probes', '40'));
const WORKERS = arg('workers', '1');
const KEY = 'demo-gateway-key';

function pct(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

interface Zone {
  properties: { id: string; kind: string; floorId: string };
  geometry: { coordinates: number[][][] };
}

async function main() {
  // a fresh data directory: alerts left open by an earlier run would swallow this run's probes
  const { base, child: server } = await startServerProcess({ GEO_WORKERS: WORKERS });
  try {
    const token = ((await (await post(`${base}/api/v1/auth/login`, { username: 'admin', password: 'admin-demo' })).json()) as { token: string }).token;
    const auth = { authorization: `Bearer ${token}` };
    const [site] = (await (await fetch(`${base}/api/v1/sites`, { headers: auth })).json()) as { id: string; zones: { features: Zone[] } }[];
    const zones = site.zones.features;
    const corridors = zones.filter((z) => z.properties.kind === 'corridor');
    const exits = zones.filter((z) => z.properties.kind === 'exit' && !z.properties.floorId.endsWith('outdoor'));
    const rand = mulberry32(42);

    // Load tags: ordinary residents (no wander risk) walking the corridors.
    const load: LoadTag[] = [];
    for (let i = 0; i < TAGS; i++) {
      const c = corridors[i % corridors.length];
      const tagId = `LOAD-${i}`;
      const r = await post(`${base}/api/v1/residents`, { name: `Load ${i}`, siteId: site.id, tagId }, auth);
      if (r.status !== 201) throw new Error(`create resident: ${r.status} ${await r.text()}`);
      load.push({ tagId, floorId: c.properties.floorId, ...pointInBox(c.geometry.coordinates[0], rand) });
    }
    // Probe tags: wander-risk residents whose first fix lands on an exit, so each raises one alert.
    const probes: { tagId: string; residentId: string; floorId: string; x: number; y: number }[] = [];
    for (let i = 0; i < PROBES_PER_RATE * RATES.length; i++) {
      const e = exits[i % exits.length];
      const tagId = `PROBE-${i}`;
      const r = await post(`${base}/api/v1/residents`, { name: `Probe ${i}`, siteId: site.id, tagId, wanderRisk: true }, auth);
      const { id } = (await r.json()) as { id: string };
      const ring = e.geometry.coordinates[0];
      const cx = ring.slice(0, -1).reduce((s, p) => s + p[0], 0) / (ring.length - 1);
      const cy = ring.slice(0, -1).reduce((s, p) => s + p[1], 0) / (ring.length - 1);
      probes.push({ tagId, residentId: id, floorId: e.properties.floorId, x: cx, y: cy });
    }

    const received = new Map<string, number>();
    const socket = io(base, { auth: { token }, transports: ['websocket'] });
    socket.on('alert', (a: Alert) => {
      if (a.state === 'open' && !received.has(a.residentId)) received.set(a.residentId, performance.now());
    });
    await new Promise<void>((r) => socket.once('hello', () => r()));
    socket.on('disconnect', (reason) => console.log(`# socket disconnected: ${reason}`));
    socket.on('connect_error', (err) => console.log(`# socket connect error: ${err.message}`));
    // a live-map viewer on every floor, so frame fan-out is part of the load
    for (const f of new Set(corridors.map((c) => c.properties.floorId))) socket.emit('floor:subscribe', { floorId: f }, () => {});

    console.log(`# end-to-end: ${TAGS} load tags, batches of ${BATCH}, ${SECONDS} s per load, geo workers ${WORKERS}`);
    console.log(`# machine: ${cpus()[0]?.model} x${cpus().length}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`);
    console.log('| offered fixes/s | sustained fixes/s | HTTP p50 ms | HTTP p99 ms | fix→alert p50 ms | p99 ms | max ms | probes | non-2xx |');
    console.log('|---|---|---|---|---|---|---|---|---|');

    let probeIdx = 0;
    const nextBody = batchMaker(load, BATCH, rand);

    const processed = async () =>
      Number((await (await fetch(`${base}/metrics`)).text()).match(/carewatch_geo_fixes_processed_total (\d+)/)?.[1] ?? NaN);
    // warm-up (JIT, first GCs, first WAL segment), not reported
    await autocannon({
      url: `${base}/api/v1/positions`,
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
      connections: 4,
      overallRate: RATES[0] / BATCH,
      duration: 5,
      requests: [{ setupRequest: (req) => ({ ...req, body: nextBody() }) }],
    });
    for (const rate of RATES) {
      const reqPerSec = rate / BATCH;
      const before = await processed();
      const started = performance.now();
      const latencies: number[] = [];
      const sent = new Map<string, number>();
      const probeTimer = setInterval(() => {
        if (probeIdx >= probes.length || sent.size >= PROBES_PER_RATE) return;
        const p = probes[probeIdx++];
        sent.set(p.residentId, performance.now());
        void post(`${base}/api/v1/positions`, [{ tagId: p.tagId, ts: Date.now(), floorId: p.floorId, x: p.x, y: p.y, accuracy: 0.3 }], {
          authorization: `Bearer ${KEY}`,
        }).then(async (r) => {
          if (r.status !== 202) console.log(`# probe ${p.tagId} refused: ${r.status} ${await r.text()}`);
        });
      }, (SECONDS * 1000) / (PROBES_PER_RATE + 1));
      const result = await autocannon({
        url: `${base}/api/v1/positions`,
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
        connections: Math.max(2, Math.ceil(reqPerSec / 10)),
        overallRate: reqPerSec,
        duration: SECONDS,
        requests: [{ setupRequest: (req) => ({ ...req, body: nextBody() }) }],
      });
      clearInterval(probeTimer);
      // fixes through the geo core per second of the phase (what was accepted AND processed)
      const sustained = ((await processed()) - before) / ((performance.now() - started) / 1000);
      await new Promise((r) => setTimeout(r, 1000));
      const missed: string[] = [];
      for (const [rid, t0] of sent) {
        const t1 = received.get(rid);
        if (t1 !== undefined) latencies.push(t1 - t0);
        else missed.push(rid);
      }
      if (missed.length) console.log(`# no alert within 1 s for ${missed.join(', ')}`);
      console.log(
        `| ${rate} | ${Math.round(sustained)} | ${result.latency.p50} | ${result.latency.p99} | ${pct(latencies, 50).toFixed(1)} | ${pct(latencies, 99).toFixed(1)} | ${Math.max(...latencies).toFixed(1)} | ${latencies.length}/${sent.size} | ${result.non2xx} |`,
      );
    }
    const metrics = await (await fetch(`${base}/metrics`)).text();
    const accepted = metrics.match(/carewatch_fixes_accepted_total\{source="http"\} (\d+)/)?.[1];
    const rejected = [...metrics.matchAll(/carewatch_fixes_rejected_total\{([^}]*)\} (\d+)/g)].map((m) => `${m[1]}=${m[2]}`);
    console.log(`# server counted ${accepted} fixes accepted; rejected: ${rejected.join(', ') || 'none'}`);
    const raised = [...metrics.matchAll(/carewatch_alerts_raised_total\{([^}]*)\} (\d+)/g)].map((m) => `${m[1]}=${m[2]}`);
    console.log(`# alerts raised: ${raised.join(', ') || 'none'}; probe alerts received: ${received.size}`);
    console.log(`# ${metrics.split('\n').filter((l) => /^carewatch_(geo_dead_workers|detector_failures_total|geo_inflight_fixes)\b/.test(l)).join('; ') || 'no worker failures'}`);
    socket.close();
  } finally {
    server.kill('SIGTERM');
  }
}

const post = postJson;

await main();
