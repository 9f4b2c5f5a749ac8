/**
 * The durability promise end to end: the real server (`node --import tsx server/main.ts`, sample institution,
 * no simulator) takes fixes over HTTP while alerts are raised and acknowledged, is killed with SIGKILL in the
 * middle of that load, and restarts on the same data directory. Every fix answered 202 must be in the track
 * history afterwards (each fix moves 1.2 m, so compression keeps every one: "kept" means "a row"), and every
 * alert and acknowledgement seen before the kill must be there.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../geo/model';
import type { TrackRow } from '../../server/store';

const KEY = 'demo-gateway-key';
const S = 1000;
const children: ChildProcess[] = [];

afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function startChild(port: number, dataDir: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, SIMULATOR: 'off', DEMO: 'on', GEO_WORKERS: '1', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return child;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('server did not become healthy');
}

async function json<T>(url: string, token: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(url, { ...init, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...(init.headers ?? {}) } });
  return { status: res.status, body: (await res.json()) as T };
}

async function login(base: string): Promise<string> {
  const res = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'admin-demo' }) });
  return ((await res.json()) as { token: string }).token;
}

interface Feature {
  properties: { id: string; kind: string; floorId: string };
  geometry: { coordinates: number[][][] };
}
interface ResidentView {
  id: string;
  tagId: string;
  wanderRisk: boolean;
  community: boolean;
  roomZoneId: string | null;
}
const centre = (f: Feature) => {
  const ring = f.geometry.coordinates[0].slice(0, -1);
  return { x: ring.reduce((s, p) => s + p[0], 0) / ring.length, y: ring.reduce((s, p) => s + p[1], 0) / ring.length };
};

describe('kill -9 during ingest', () => {
  it('loses no fix answered 202, no alert and no acknowledgement seen before the kill', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'carewatch-kill9-'));
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const first = await startChild(port, dataDir);
    const token = await login(base);
    const [site] = (await json<{ zones: { features: Feature[] } }[]>(`${base}/api/v1/sites`, token)).body;
    const zones = new Map(site.zones.features.map((f) => [f.properties.id, f]));
    const residents = (await json<ResidentView[]>(`${base}/api/v1/residents`, token)).body.filter((r) => !r.community && r.roomZoneId);
    const walkers = residents.filter((r) => !r.wanderRisk).slice(0, 24);
    const wanderers = residents.filter((r) => r.wanderRisk).slice(0, 6);
    const exits = site.zones.features.filter((f) => f.properties.kind === 'exit' && !f.properties.floorId.endsWith('outdoor'));

    // What the server acknowledged: `${residentId}|${ts}` of every fix in a 202 answer and not in its rejected list.
    const acknowledged = new Set<string>();
    const T0 = Math.floor((Date.now() - 60 * 60_000) / S) * S;
    let stop = false;
    const post = async (fixes: { tagId: string; ts: number; residentId: string }[]) => {
      const res = await fetch(`${base}/api/v1/positions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
        body: JSON.stringify(fixes.map(({ residentId: _r, ...f }) => f)),
      });
      if (res.status !== 202) return;
      const report = (await res.json()) as { rejected: { index: number }[] };
      const bad = new Set(report.rejected.map((r) => r.index));
      fixes.forEach((f, i) => bad.has(i) || acknowledged.add(`${f.residentId}|${f.ts}`));
    };
    // Four posters, each owning six residents (so each tag's fixes stay in time order), 60 fixes a request.
    const poster = async (mine: ResidentView[]) => {
      for (let k = 0; !stop; k += 10) {
        const fixes = mine.flatMap((r) => {
          const room = zones.get(r.roomZoneId!)!;
          const c = centre(room);
          return Array.from({ length: 10 }, (_, j) => ({ tagId: r.tagId, residentId: r.id, ts: T0 + (k + j) * S, floorId: room.properties.floorId, x: c.x + ((k + j) % 2 ? 0.6 : -0.6), y: c.y, accuracy: 0.3 }));
        });
        await post(fixes).catch(() => undefined); // a request cut by the kill was never acknowledged
      }
    };
    const load = [0, 1, 2, 3].map((p) => poster(walkers.slice(p * 6, p * 6 + 6)));

    await new Promise((r) => setTimeout(r, 1500));
    // Raise alerts: each wander-risk resident appears next to an exit (exit approach), then acknowledge half.
    await post(
      wanderers.map((r, i) => {
        const e = exits[i % exits.length];
        return { tagId: r.tagId, residentId: r.id, ts: Date.now() - 1000, floorId: e.properties.floorId, ...centre(e), accuracy: 0.3 };
      }),
    );
    let seen: Alert[] = [];
    for (let i = 0; i < 200; i++) {
      // without a state filter the list waits until every alert change so far is stored
      seen = (await json<Alert[]>(`${base}/api/v1/alerts`, token)).body;
      if (wanderers.every((w) => seen.some((a) => a.residentId === w.id))) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const raised = seen.filter((a) => wanderers.some((w) => w.id === a.residentId));
    expect(raised.length).toBeGreaterThanOrEqual(wanderers.length);
    const acked: string[] = [];
    for (const a of raised.filter((a) => a.state === 'open').slice(0, 3)) {
      const res = await json<Alert>(`${base}/api/v1/alerts/${a.id}/ack`, token, { method: 'POST', body: JSON.stringify({ note: 'going' }) });
      expect(res.status).toBe(200);
      acked.push(a.id);
    }
    // Kill at once, with fixes still in flight.
    await new Promise((r) => setTimeout(r, 300));
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    stop = true;
    await Promise.all(load);

    const second = await startChild(port, dataDir);
    try {
      const token2 = await login(base);
      const after = (await json<Alert[]>(`${base}/api/v1/alerts`, token2)).body;
      const byId = new Map(after.map((a) => [a.id, a]));
      const lostAlerts = seen.filter((a) => !byId.has(a.id)).length;
      const lostAcks = acked.filter((id) => byId.get(id)?.state !== 'acknowledged').length;

      const stored = new Set<string>();
      const ids = [...walkers, ...wanderers].map((r) => r.id).join(',');
      let cursor: string | undefined;
      do {
        const q = `residentIds=${ids}&since=${T0}&until=${Date.now() + 60_000}&limit=10000${cursor ? `&after=${cursor}` : ''}`;
        const page = (await json<{ rows: TrackRow[]; next?: string }>(`${base}/api/v1/replay?${q}`, token2)).body;
        for (const r of page.rows) stored.add(`${r.residentId}|${r.ts}`);
        cursor = page.next;
      } while (cursor);
      const lostFixes = [...acknowledged].filter((k) => !stored.has(k)).length;
      const metrics = await (await fetch(`${base}/metrics`)).text();
      const recovered = Number(metrics.match(/^carewatch_history_recovered_rows (\d+)/m)?.[1]);
      console.log(
        `kill -9: ${acknowledged.size} fixes acknowledged (202) before the kill, ${lostFixes} lost ` +
          `(${recovered} of them written from the WAL at restart); ` +
          `${seen.length} alerts seen, ${lostAlerts} lost; ${acked.length} acknowledgements, ${lostAcks} lost`,
      );
      expect(acknowledged.size).toBeGreaterThan(1000);
      expect(lostFixes).toBe(0);
      expect(lostAlerts).toBe(0);
      expect(lostAcks).toBe(0);
    } finally {
      second.kill('SIGTERM');
      await new Promise((r) => second.once('exit', r));
    }
  }, 120_000);
});
