import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../geo/model';
import type { RunningServer } from '../../server/app';
import type { AuditEntry, TrackRow } from '../../server/store';
import { api, login, postFixes, startTiny } from '../helpers/server';

const S = 1000;
const T0 = Math.floor((Date.now() - 20 * 60_000) / S) * S;
let s: RunningServer;
const tokens: Record<string, string> = {};
let alert: Alert;
let total = 0;

interface ReplayBody {
  since: number;
  until: number;
  rows: TrackRow[];
  transitions: { ts: number; residentId: string; entered: string[]; exited: string[] }[];
  alerts: Alert[];
  next?: string;
}
interface AlertReplayBody extends ReplayBody {
  alert: Alert;
  window: { since: number; until: number };
  responseTimes: { acknowledgedBy: string | null; toAcknowledgeMs: number | null; detectionMs: number; raisedAt: number };
}

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${s.url}/metrics`)).text();
  return Number(text.match(new RegExp(`^${name} (\\d+)`, 'm'))?.[1] ?? NaN);
}

/** Waits until the recorder has seen every accepted fix and stored its rows. */
async function historySettled(): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if ((await metric('carewatch_history_fixes_total')) >= total && (await metric('carewatch_history_rows_pending')) === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('track rows not stored in time');
}

async function send(fixes: object[]): Promise<void> {
  for (let i = 0; i < fixes.length; i += 250) {
    const res = await postFixes(s.url, fixes.slice(i, i + 250));
    const body = (await res.json()) as { accepted: number; rejected: unknown[] };
    expect(res.status, JSON.stringify(body.rejected)).toBe(202);
    expect(body.rejected).toEqual([]);
    total += body.accepted;
  }
}

const q = (o: Record<string, string | number>) => new URLSearchParams(Object.entries(o).map(([k, v]) => [k, String(v)])).toString();

beforeAll(async () => {
  s = await startTiny();
  await s.accounts.addAccount(
    { username: 'nurse2', role: 'nurse', displayName: 'Nurse of another ward', siteIds: ['tiny'], wardIds: ['w2'], residentIds: [] },
    'another-ward-nurse-pw',
  );
  for (const u of ['admin', 'manager', 'nurse', 'family', 'regulator']) tokens[u] = await login(s.url, u);
  tokens.nurse2 = await login(s.url, 'nurse2', 'another-ward-nurse-pw');
  // Li Na (R2) walks the corridor for 10 minutes, every fix 1.2 m from the last (compression keeps them all),
  // then goes into her room and stands still.
  const r2 = [
    ...Array.from({ length: 600 }, (_, k) => ({ tagId: 'T2', ts: T0 + k * S, floorId: 'f1', x: 2 + (k % 2) * 1.2, y: 1.5, accuracy: 0.2 })),
    ...Array.from({ length: 211 }, (_, k) => ({ tagId: 'T2', ts: T0 + (600 + k) * S, floorId: 'f1', x: 3 + 0.01 * (k % 3), y: 6, accuracy: 0.2 })),
  ];
  // Wang Wei (R1, wander risk) lingers 4 m from the east stairwell for 12.5 minutes (centimetres of RTLS
  // noise: compression keeps a point a minute), steps to 1.8 m from it at 750 s (exit approach) and stays.
  const r1 = Array.from({ length: 811 }, (_, k) => ({ tagId: 'T1', ts: T0 + k * S, floorId: 'f1', x: (k < 750 ? 26 : 28.2) + 0.01 * (k % 3), y: 1.5, accuracy: 0.2 }));
  await send([...r2, ...r1.slice(0, 750)]);
  await send(r1.slice(750, 751));
  for (let i = 0; i < 100 && !alert; i++) {
    const open = await api<Alert[]>(s.url, tokens.nurse, '/api/v1/alerts?state=open');
    alert = open.body.find((a) => a.kind === 'exit_approach' && a.residentId === 'R1')!;
    if (!alert) await new Promise((r) => setTimeout(r, 50));
  }
  expect(alert).toBeDefined();
  await send(r1.slice(751));
  expect((await api(s.url, tokens.nurse, `/api/v1/alerts/${alert.id}/ack`, { method: 'POST', body: JSON.stringify({ note: 'on my way' }) })).status).toBe(200);
  await historySettled();
}, 60_000);

afterAll(async () => {
  await s?.close();
});

async function audits(actor: string): Promise<AuditEntry[]> {
  await new Promise((r) => setImmediate(r));
  return s.store.listAudit({ actor, limit: 1000 });
}

describe('replay API', () => {
  const window = () => ({ since: T0, until: T0 + 900 * S });

  it('pages through a long window covering every row exactly once, in time order', async () => {
    const whole = await api<ReplayBody>(s.url, tokens.manager, `/api/v1/replay?${q({ residentIds: 'R1,R2', ...window(), limit: 10_000 })}`);
    expect(whole.status).toBe(200);
    expect(whole.body.next).toBeUndefined();
    const paged: TrackRow[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const page = await api<ReplayBody>(s.url, tokens.manager, `/api/v1/replay?${q({ residentIds: 'R1,R2', ...window(), limit: 37, ...(after ? { after } : {}) })}`);
      expect(page.status).toBe(200);
      expect(page.body.rows.length).toBeLessThanOrEqual(37);
      paged.push(...page.body.rows);
      after = page.body.next;
      pages++;
    } while (after);
    expect(pages).toBeGreaterThan(10);
    expect(paged).toEqual(whole.body.rows);
    expect(paged.map((r) => r.ts)).toEqual([...paged.map((r) => r.ts)].sort((a, b) => a - b));
    // every fix of the corridor walk moved 1.2 m: all of them are rows
    const r2 = new Set(paged.filter((r) => r.residentId === 'R2').map((r) => (r.ts - T0) / S));
    for (let k = 0; k < 600; k++) expect(r2.has(k), `R2 fix at ${k} s`).toBe(true);
    // the alerts caused by fixes in the window come with the first page, in fix order
    expect(whole.body.alerts.map((a) => a.id)).toContain(alert.id);
    expect(whole.body.alerts.every((a) => a.fixTs >= T0 && a.fixTs < T0 + 900 * S && ['R1', 'R2'].includes(a.residentId))).toBe(true);
  });

  it('lists the zone transitions of the window: Li Na entering her room from the corridor', async () => {
    const res = await api<ReplayBody>(s.url, tokens.nurse, `/api/v1/replay?${q({ residentIds: 'R2', ...window() })}`);
    const t = res.body.transitions.find((x) => x.entered.includes('r1'));
    expect(t).toMatchObject({ residentId: 'R2', exited: ['corr'] });
    expect(t!.ts).toBeGreaterThanOrEqual(T0 + 600 * S);
  });

  it('replays a floor with every resident on it', async () => {
    const res = await api<ReplayBody>(s.url, tokens.manager, `/api/v1/replay?${q({ floorId: 'f1', ...window(), limit: 10_000 })}`);
    expect(res.status).toBe(200);
    expect(new Set(res.body.rows.map((r) => r.residentId))).toEqual(new Set(['R1', 'R2']));
  });

  it("replays an alert: full-rate track around it, the alert with its acknowledgement, and response times", async () => {
    const res = await api<AlertReplayBody>(s.url, tokens.manager, `/api/v1/alerts/${alert.id}/replay?before=120000&after=300000`);
    expect(res.status).toBe(200);
    expect(res.body.window).toEqual({ since: alert.fixTs - 120_000, until: alert.fixTs + 300_001 });
    // lingering: compression would keep a point a minute; around the alert every fix is there
    const kept = new Set(res.body.rows.map((r) => (r.ts - T0) / S));
    for (let k = 630; k <= 810; k++) expect(kept.has(k), `fix at ${k} s`).toBe(true);
    expect(res.body.rows.every((r) => r.residentId === 'R1')).toBe(true);
    expect(res.body.alert.history.map((h) => h.state)).toEqual(['open', 'acknowledged']);
    expect(res.body.responseTimes.acknowledgedBy).toBe('nurse');
    expect(res.body.responseTimes.toAcknowledgeMs).toBeGreaterThanOrEqual(0);
    expect(res.body.responseTimes.raisedAt).toBe(alert.detectedAt);

    const floor = await api<AlertReplayBody>(s.url, tokens.manager, `/api/v1/alerts/${alert.id}/replay?floor=1&before=600000`);
    expect(new Set(floor.body.rows.map((r) => r.residentId))).toEqual(new Set(['R1', 'R2']));
  });

  it('exports the alert window as GeoJSON in WGS84 and as CSV, one line a row', async () => {
    const replay = await api<AlertReplayBody>(s.url, tokens.manager, `/api/v1/alerts/${alert.id}/replay`);
    const geo = await fetch(`${s.url}/api/v1/alerts/${alert.id}/export.geojson`, { headers: { authorization: `Bearer ${tokens.manager}` } });
    expect(geo.status).toBe(200);
    expect(geo.headers.get('content-type')).toContain('application/geo+json');
    const fc = (await geo.json()) as { type: string; features: { geometry: { type: string; coordinates: number[] | number[][] }; properties: { type: string; times?: number[] } }[] };
    expect(fc.type).toBe('FeatureCollection');
    expect(fc.features[0].properties.type).toBe('alert');
    const track = fc.features.filter((f) => f.properties.type === 'track');
    expect(track.reduce((n, f) => n + f.properties.times!.length, 0)).toBe(replay.body.rows.length);
    const [lon, lat] = (track[0].geometry.coordinates as number[][])[0];
    expect(lon).toBeCloseTo(117.0, 2);
    expect(lat).toBeCloseTo(32.63, 2);

    const csv = await fetch(`${s.url}/api/v1/alerts/${alert.id}/export.csv`, { headers: { authorization: `Bearer ${tokens.manager}` } });
    expect(csv.headers.get('content-disposition')).toBe(`attachment; filename="alert-${alert.id}.csv"`);
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines[0]).toBe('ts,time_utc,resident_id,resident_name,tag_id,floor_id,x_m,y_m,z_m,lon,lat,zone_id,kind,detail');
    expect(lines).toHaveLength(replay.body.rows.length + 1);
    expect(lines[1].split(',').slice(2, 4)).toEqual(['R1', 'Wang Wei']);
  });
});

describe('replay authorisation', () => {
  const win = `since=${T0}&until=${T0 + 900 * S}`;
  it('hides the track and the alerts of another ward from a nurse (404), and refuses that ward\'s floor (403)', async () => {
    expect((await api(s.url, tokens.nurse2, `/api/v1/replay?residentIds=R2&${win}`)).status).toBe(404);
    expect((await api(s.url, tokens.nurse2, `/api/v1/replay?floorId=f1&${win}`)).status).toBe(403);
    expect((await api(s.url, tokens.nurse2, `/api/v1/alerts/${alert.id}/replay`)).status).toBe(404);
    expect((await api(s.url, tokens.nurse2, `/api/v1/alerts/${alert.id}/export.csv`)).status).toBe(404);
  });

  it('refuses track replay to family members (they see the alert and its history only) and to regulators', async () => {
    for (const who of ['family', 'regulator']) {
      expect((await api(s.url, tokens[who], `/api/v1/replay?residentIds=R1&${win}`)).status).toBe(403);
      expect((await api(s.url, tokens[who], `/api/v1/alerts/${alert.id}/replay`)).status).toBe(403);
      expect((await api(s.url, tokens[who], `/api/v1/alerts/${alert.id}/export.geojson`)).status).toBe(403);
    }
  });

  it('answers 401 without a session, 404 for unknown residents and alerts, 400 for a bad window', async () => {
    expect((await fetch(`${s.url}/api/v1/replay?residentIds=R2&${win}`)).status).toBe(401);
    expect((await api(s.url, tokens.admin, `/api/v1/replay?residentIds=nobody&${win}`)).status).toBe(404);
    expect((await api(s.url, tokens.admin, `/api/v1/alerts/nope/replay`)).status).toBe(404);
    expect((await api(s.url, tokens.admin, `/api/v1/replay?residentIds=R2&since=${T0}`)).status).toBe(400);
    expect((await api(s.url, tokens.admin, `/api/v1/replay?residentIds=R2&since=${T0}&until=${T0}`)).status).toBe(400);
    expect((await api(s.url, tokens.admin, `/api/v1/replay?${win}`)).status).toBe(400);
    expect((await api(s.url, tokens.admin, `/api/v1/replay?residentIds=R2&${win}&after=x;y`)).status).toBe(400);
  });

  it('audits every replay request: who viewed which resident, and every refusal', async () => {
    const before = { manager: (await audits('manager')).length, nurse2: (await audits('nurse2')).length, family: (await audits('family')).length };
    await api(s.url, tokens.manager, `/api/v1/replay?residentIds=R1,R2&${win}&limit=5`);
    await api(s.url, tokens.manager, `/api/v1/alerts/${alert.id}/replay`);
    await fetch(`${s.url}/api/v1/alerts/${alert.id}/export.csv`, { headers: { authorization: `Bearer ${tokens.manager}` } });
    await api(s.url, tokens.nurse2, `/api/v1/replay?residentIds=R2&${win}`);
    await api(s.url, tokens.family, `/api/v1/alerts/${alert.id}/replay`);

    const manager = (await audits('manager')).slice(0, (await audits('manager')).length - before.manager);
    expect(manager.every((a) => a.action === 'view_history' && a.subjectType === 'resident')).toBe(true);
    expect(manager.map((a) => a.subjectId).sort()).toEqual(['R1', 'R1', 'R1', 'R2']);
    expect(manager.map((a) => (a.detail as { endpoint: string }).endpoint).sort()).toEqual(['alert_replay', 'export', 'replay', 'replay']);
    const denied = [...(await audits('nurse2')).slice(0, 1), ...(await audits('family')).slice(0, 1)];
    expect((await audits('nurse2')).length).toBe(before.nurse2 + 1);
    expect((await audits('family')).length).toBe(before.family + 1);
    expect(denied.map((a) => [a.action, a.subjectType, a.subjectId])).toEqual([
      ['view_history_denied', 'replay', 'R2'],
      ['view_history_denied', 'alert', alert.id],
    ]);
  });
});
