import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/app';
import { startTiny } from '../helpers/server';
import { bodyText, mutate, rng, weirdValue, type Rng } from './fuzz';
import { call, loginAs, openSecureSocket, raiseSos, until } from './helpers';

/**
 * Thousands of mutated payloads against the ingest paths, login, alert handling and resident
 * creation, from a fixed seed (the same run every time). No answer may be a 5xx, every 4xx carries
 * a JSON `error`, the process stays up with Object.prototype untouched, and afterwards a valid fix
 * still raises its alert.
 */
const SEED = 0xc0ffee;
const COUNTS = { positions: 2000, osmand: 1000, owntracks: 700, login: 120, alertSteps: 500, residents: 300 };

let server: RunningServer;
let admin: string;
let nurse: string;
let alertIds: string[] = [];
const outcomes = { requests: 0, byStatus: new Map<number, number>() };
const failures: string[] = [];

beforeAll(async () => {
  server = await startTiny({ loginFailuresPerIpPerMinute: 100_000, loginFailuresPerUserPerMinute: 100_000, ingestPerKeyPerMinute: 1_000_000 });
  admin = await loginAs(server.url, 'admin', 'admin-demo');
  nurse = await loginAs(server.url, 'nurse', 'nurse-demo');
  const t = Date.now() - 400_000;
  alertIds = [(await raiseSos(server, 'T1', 'f1', t)).id, (await raiseSos(server, 'T2', 'f1', t + 1000)).id];
  // a community tag each for OsmAnd and OwnTracks, so each stream's times only move forward
  for (const tagId of ['T-osmand', 'T-owntracks'])
    expect((await call(server.url, '/api/v1/residents', { token: admin, body: { name: tagId, siteId: 'tiny', homeZoneId: 'home3', tagId } })).status).toBe(201);
});
afterAll(async () => {
  await server?.close();
});

/** Send one payload, check the answer, never throw (a failure is recorded with its payload). */
async function probe(label: string, path: string, init: RequestInit): Promise<void> {
  let status = 0;
  let text = '';
  try {
    const res = await fetch(`${server.url}${path}`, init);
    status = res.status;
    text = await res.text();
  } catch (e) {
    failures.push(`${label}: request failed (${(e as Error).message}) ${path.slice(0, 200)}`);
    return;
  }
  outcomes.requests++;
  outcomes.byStatus.set(status, (outcomes.byStatus.get(status) ?? 0) + 1);
  const sample = `${label} ${status} ${path.slice(0, 120)} <- ${String(init.body ?? '').slice(0, 200)} -> ${text.slice(0, 200)}`;
  if (status >= 500) return void failures.push(`5xx: ${sample}`);
  if (status >= 400) {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return void failures.push(`4xx without JSON: ${sample}`);
    }
    if (typeof (body as { error?: unknown })?.error !== 'string') failures.push(`4xx without error: ${sample}`);
  }
}

/** Run jobs with a few in flight: enough to overlap I/O without thrashing two cores. */
async function pool(n: number, jobs: (() => Promise<void>)[]): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < jobs.length) await jobs[next++]();
    }),
  );
}

const json = (token: string, body: string, method = 'POST'): RequestInit => ({
  method,
  headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
  body,
});

/** A fix that would be accepted: times move forward per generated fix, positions jitter. */
function validFix(r: Rng, ts: number) {
  const fix: Record<string, unknown> = { tagId: r.pick(['T1', 'T2']), ts, floorId: 'f1', x: 5 + r.next() * 0.3, y: 1.5 + r.next() * 0.3, z: r.next(), accuracy: 0.5 };
  if (r.chance(0.2)) fix.battery = 20 + r.int(81);
  if (r.chance(0.03)) fix.event = r.pick(['sos', 'fall', 'tamper', 'button']);
  if (r.chance(0.1)) fix.accel = { hz: 50, samples: Array.from({ length: 10 }, () => [0, 0, 1 + r.next() * 0.1]) };
  if (r.chance(0.3)) fix.ts = new Date(ts).toISOString();
  return fix;
}

/** encodeURIComponent throws on lone surrogates; a client would send U+FFFD for them. */
const enc = (s: string) => encodeURIComponent(s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'));
const str = (v: unknown): string => (typeof v === 'string' ? v : (JSON.stringify(v) ?? 'undefined'));

function query(r: Rng, params: Record<string, unknown>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (r.chance(0.08)) continue;
    const value = r.chance(0.25) ? weirdValue(r) : v;
    const s = str(value);
    p.append(k, s.slice(0, 2000));
    if (r.chance(0.05)) p.append(k, String(v));
  }
  if (r.chance(0.1)) p.append(r.pick(['__proto__', 'constructor', '__proto__[isAdmin]', 'toString']), 'x');
  return p.toString();
}

describe('fuzzing every write entry point from a fixed seed', () => {
  it('answers thousands of mutated payloads with 2xx or a JSON 4xx, never a 5xx, and keeps working', async () => {
    const r = rng(SEED);
    const now = Date.now();
    const queues: Record<string, (() => Promise<void>)[]> = {};
    const jobsOf = (name: string) => (queues[name] ??= []);
    let ts = now - 300_000;

    for (let i = 0; i < COUNTS.positions; i++) {
      const batch = Array.from({ length: 1 + r.int(5) }, () => validFix(r, (ts += 40)));
      // a third go through unmutated: the accepted path is fuzzed by its neighbours' timing too
      const value = r.chance(0.33) ? batch : r.chance(0.1) ? { fixes: mutate(r, batch) } : mutate(r, batch);
      const body = bodyText(r, value);
      jobsOf('positions').push(() => probe('positions', '/api/v1/positions', json('demo-gateway-key', body)));
    }
    for (let i = 0; i < COUNTS.osmand; i++) {
      const params = { id: 'T-osmand', lat: 32.63 + r.next() * 1e-5, lon: 117 + r.next() * 1e-5, timestamp: Math.floor(now / 1000) - 3600 + i * 2, accuracy: 8, batt: 50, alarm: r.pick(['sos', 'fall', 'removing', 'x']), altitude: 3, hdop: 1, location: '32.63,117' };
      const kind = r.int(3);
      if (kind === 0) {
        const qs = query(r, params);
        jobsOf('osmand').push(() => probe('osmand GET', `/osmand?key=demo-gateway-key&${qs}`, { method: 'GET' }));
      } else if (kind === 1) {
        const form = query(r, params);
        jobsOf('osmand').push(() => probe('osmand form', '/osmand?key=demo-gateway-key', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form }));
      } else {
        const traccar = { device_id: params.id, location: { timestamp: new Date(params.timestamp * 1000).toISOString(), coords: { latitude: params.lat, longitude: params.lon, accuracy: 5, altitude: 1 }, battery: { level: 0.5 }, extras: { alarm: 'sos' } } };
        const body = bodyText(r, mutate(r, traccar));
        jobsOf('osmand').push(() => probe('osmand JSON', '/osmand?key=demo-gateway-key', json('demo-gateway-key', body)));
      }
    }
    for (let i = 0; i < COUNTS.owntracks; i++) {
      const msg = { _type: r.chance(0.9) ? 'location' : r.pick(['waypoint', 'transition', '__proto__']), lat: 32.63 + r.next() * 1e-5, lon: 117 + r.next() * 1e-5, tst: Math.floor(now / 1000) - 3600 + i * 2, acc: 10, batt: 40, t: r.pick(['u', 'b', 'p']) };
      const body = bodyText(r, mutate(r, msg));
      const id = r.chance(0.8) ? 'T-owntracks' : str(weirdValue(r)).slice(0, 500);
      jobsOf('owntracks').push(() => probe('owntracks', `/owntracks?id=${enc(id)}`, json('demo-gateway-key', body)));
    }
    for (let i = 0; i < COUNTS.login; i++) {
      const base = { username: r.pick(['nurse', 'admin', 'nobody', 'family']), password: r.pick(['nurse-demo', 'wrong', 'admin-demo']), ...(r.chance(0.2) ? { totp: '123456' } : {}) };
      // the password hash is the cost of a login: most mutations change the shape, so few reach it
      const body = bodyText(r, r.chance(0.85) ? mutate(r, { ...base, password: r.pick([7, null, [], {}, 'x'.repeat(300)]) }) : mutate(r, base));
      jobsOf('login').push(() => probe('login', '/api/v1/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body }));
    }
    for (let i = 0; i < COUNTS.alertSteps; i++) {
      // ids: real ones, encoded oddities, and raw percent-encoding that does not decode
      const id = r.chance(0.6) ? r.pick(alertIds) : r.chance(0.9) ? enc(str(weirdValue(r)).slice(0, 300)) : r.pick(['%E0%A4%A', '%', '%zz', '%C0%AF', '%00']);
      const step = r.pick(['ack', 'resolve']);
      const body = bodyText(r, mutate(r, { note: r.pick(['on my way', '', '王伟 已到', 'x'.repeat(1999)]) }));
      jobsOf('alerts').push(() => probe(`alert ${step}`, `/api/v1/alerts/${id}/${step}`, json(r.chance(0.9) ? nurse : admin, body)));
    }
    for (let i = 0; i < COUNTS.residents; i++) {
      const base = { name: r.pick(['Guo Li', '郭丽', 'A']), siteId: 'tiny', ward: 'w1', roomZoneId: 'r1', bedZoneId: 'r1-bed', bathroomZoneId: 'r1-bath', safeZoneIds: ['w1'], wanderRisk: r.chance(0.5), fallRisk: r.chance(0.5), tagId: `TF${i}` };
      const body = bodyText(r, mutate(r, base));
      jobsOf('residents').push(() => probe('residents', '/api/v1/residents', json(admin, body)));
    }
    // interleave the endpoints (seeded) as real traffic would, each stream keeping its own order
    const jobs: (() => Promise<void>)[] = [];
    const lists = Object.values(queues);
    for (let left = lists.reduce((n, q) => n + q.length, 0); left > 0; left--) {
      let k = r.int(left);
      const q = lists.find((x) => (k -= x.length) < 0)!;
      jobs.push(q.shift()!);
    }
    const t0 = Date.now();
    await pool(6, jobs);
    const seconds = (Date.now() - t0) / 1000;
    const statuses = Object.fromEntries([...outcomes.byStatus].sort((a, b) => a[0] - b[0]));
    console.log(`fuzz: seed ${SEED.toString(16)}, ${outcomes.requests} payloads in ${seconds.toFixed(1)} s, statuses ${JSON.stringify(statuses)}`);

    expect(failures.slice(0, 10)).toEqual([]);
    expect(outcomes.requests).toBe(jobs.length);
    expect(outcomes.requests).toBeGreaterThanOrEqual(4500);
    // the mutations reached the handlers, not only the parsers: some were accepted, many refused with reasons
    expect(outcomes.byStatus.get(202) ?? 0).toBeGreaterThan(300);
    expect(outcomes.byStatus.get(200) ?? 0).toBeGreaterThan(150);
    expect(outcomes.byStatus.get(400) ?? 0).toBeGreaterThan(100);
    expect(outcomes.byStatus.get(201) ?? 0).toBeGreaterThan(10);

    // nothing reached Object.prototype
    expect(Object.keys(Object.prototype)).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  }, 60_000);

  it('afterwards a valid fix still raises its alert, and a nurse still receives it', async () => {
    const created = await call<{ id: string }>(server.url, '/api/v1/residents', { token: admin, body: { name: 'After Fuzz', siteId: 'tiny', ward: 'w1', tagId: 'T-after' } });
    expect(created.status).toBe(201);
    const socket = await openSecureSocket(server.url, await loginAs(server.url, 'nurse', 'nurse-demo'));
    const got = new Promise<{ residentId: string; kind: string }>((resolve) => socket.on('alert', (a) => a.residentId === created.body.id && resolve(a)));
    const res = await fetch(`${server.url}/api/v1/positions`, json('demo-gateway-key', JSON.stringify([{ tagId: 'T-after', ts: Date.now() - 1000, floorId: 'f1', x: 5, y: 1.5, event: 'sos' }])));
    expect(res.status).toBe(202);
    expect(await got).toMatchObject({ kind: 'sos' });
    await until(() => server.alerts.list().some((a) => a.residentId === created.body.id));
    socket.close();
  });
});
