import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../geo/model';
import type { RunningServer } from '../../server/app';
import { api, login, nextAlert, openSocket, postFixes, type ClientSocket } from '../helpers/server';

/** A wander-risk resident walking east along the corridor towards the stairwell at x = 30. */
function walkToExit(t0: number, tagId = 'T1') {
  const fixes = [];
  for (let i = 0; i <= 12; i++) fixes.push({ tagId, ts: t0 + i * 1000, floorId: 'f1', x: 15 + i, y: 1.5, accuracy: 0.3 });
  return fixes;
}

/** Fix times move forward across tests: the server refuses a tag's fixes that go back in time. */
let clock = Date.now() - 120_000;
const later = (ms: number) => (clock += ms);

describe('the live pipeline over real HTTP and Socket.IO', () => {
  let server: RunningServer;
  let nurse: string;
  let socket: ClientSocket;

  beforeAll(async () => {
    server = await startTinyServer();
    nurse = await login(server.url, 'nurse');
    socket = await openSocket(server.url, nurse);
  });
  afterAll(async () => {
    socket?.close();
    await server?.close();
  });

  it('a fix posted over HTTP raises an exit-approach alert that a connected nurse receives', async () => {
    const t0 = later(10_000);
    later(13_000);
    const received = nextAlert(socket, (a) => a.kind === 'exit_approach' && a.residentId === 'R1');
    const sentAt = Date.now();
    const res = await postFixes(server.url, walkToExit(t0));
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ accepted: 13, rejected: [] });
    const alert = await received;
    const latency = Date.now() - sentAt;
    expect(alert).toMatchObject({
      kind: 'exit_approach',
      severity: 'high',
      state: 'open',
      residentId: 'R1',
      tagId: 'T1',
      siteId: 'tiny',
      floorId: 'f1',
      zoneId: 'stairs',
    });
    // raised by the fix 3 m from the stairwell (x = 27), before the resident reaches it
    expect(alert.position.x).toBe(27);
    expect(alert.fixTs).toBe(t0 + 12_000);
    expect(alert.detectedAt).toBeGreaterThanOrEqual(sentAt);
    expect(alert.position.lon).toBeCloseTo(117.0003, 3);
    expect(latency).toBeLessThan(2000);
  });

  it('keeps one open alert per resident and kind: a second approach folds into it', async () => {
    const before = (await api<Alert[]>(server.url, nurse, '/api/v1/alerts?state=open')).body.filter((a) => a.kind === 'exit_approach');
    const t0 = later(10_000);
    later(8000);
    // walk away, then back to the exit
    const away = [0, 1, 2, 3].map((i) => ({ tagId: 'T1', ts: t0 + i * 1000, floorId: 'f1', x: 20 - i * 3, y: 1.5 }));
    const back = [4, 5, 6, 7].map((i) => ({ tagId: 'T1', ts: t0 + i * 1000, floorId: 'f1', x: 20 + (i - 4) * 3, y: 1.5 }));
    expect((await postFixes(server.url, [...away, ...back])).status).toBe(202);
    await server.geo.drain();
    const after = (await api<Alert[]>(server.url, nurse, '/api/v1/alerts?state=open')).body.filter((a) => a.kind === 'exit_approach');
    expect(after.length).toBe(before.length);
    expect(after[0].repeats).toBeGreaterThan(before[0].repeats);
  });

  it('a nurse acknowledges and resolves the alert with notes; each step is pushed and recorded', async () => {
    const [open] = (await api<Alert[]>(server.url, nurse, '/api/v1/alerts?state=open')).body.filter((a) => a.kind === 'exit_approach');
    const acked = nextAlert(socket, (a) => a.id === open.id && a.state === 'acknowledged');
    const ack = await api<Alert>(server.url, nurse, `/api/v1/alerts/${open.id}/ack`, { method: 'POST', body: JSON.stringify({ note: 'on my way' }) });
    expect(ack.status).toBe(200);
    expect((await acked).history.at(-1)).toMatchObject({ state: 'acknowledged', by: 'nurse', note: 'on my way' });
    const again = await api(server.url, nurse, `/api/v1/alerts/${open.id}/ack`, { method: 'POST', body: '{}' });
    expect(again.status).toBe(409);
    const resolved = await api<Alert>(server.url, nurse, `/api/v1/alerts/${open.id}/resolve`, { method: 'POST', body: JSON.stringify({ note: 'walked back to lounge' }) });
    expect(resolved.body.state).toBe('resolved');
    expect(resolved.body.history.map((h) => h.state)).toEqual(['open', 'acknowledged', 'resolved']);
    const list = await api<Alert[]>(server.url, nurse, '/api/v1/alerts?state=resolved');
    expect(list.body.some((a) => a.id === open.id)).toBe(true);
  });

  it('entering the kitchen raises a forbidden-zone alert for the wander-risk resident only', async () => {
    const t0 = later(10_000);
    later(6000);
    const into = (tagId: string) => [0, 1, 2, 3, 4, 5].map((i) => ({ tagId, ts: t0 + i * 1000, floorId: 'f1', x: 13, y: 1 + i * 1.5 }));
    const got = nextAlert(socket, (a) => a.kind === 'forbidden_zone');
    await postFixes(server.url, [...into('T1'), ...into('T2')]);
    const alert = await got;
    expect(alert).toMatchObject({ residentId: 'R1', zoneId: 'kitchen' });
    await server.geo.drain();
    const open = (await api<Alert[]>(server.url, nurse, '/api/v1/alerts')).body;
    expect(open.filter((a) => a.kind === 'forbidden_zone').map((a) => a.residentId)).toEqual(['R1']);
  });

  it('an OsmAnd report from a community resident leaving home raises left_area', async () => {
    const base = Math.floor(Date.now() / 1000) - 120;
    const frame = server.registry.frame('tiny')!;
    const got = nextAlert(socket, (a) => a.kind === 'left_area');
    // manager-level sockets see community residents; the nurse covers ward w1 only
    const manager = await openSocket(server.url, await login(server.url, 'manager'));
    const seen = nextAlert(manager, (a) => a.kind === 'left_area');
    const path = [510, 510, 510, 510, 560, 600, 640, 680, 720];
    for (let i = 0; i < path.length; i++) {
      const [lon, lat] = frame.toLngLat(path[i], 510);
      const q = new URLSearchParams({ id: 'T3', lat: String(lat), lon: String(lon), timestamp: String(base + i * 10), accuracy: '8', key: 'demo-gateway-key' });
      const res = await fetch(`${server.url}/osmand?${q}`);
      expect(res.status).toBe(200);
    }
    const alert = await seen;
    expect(alert).toMatchObject({ residentId: 'R3', severity: 'critical', zoneId: 'home3' });
    await expect(Promise.race([got, new Promise((r) => setTimeout(() => r('none'), 300))])).resolves.toBe('none');
    manager.close();
  });
});

async function startTinyServer(): Promise<RunningServer> {
  const { startTiny } = await import('../helpers/server');
  return startTiny();
}
