import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../geo/model';
import type { RunningServer } from '../../server/app';
import { shiftOf } from '../../server/http/overview';
import { alertsCsv } from '../../server/http/overview-api';
import type { RegionNode } from '../../server/http/region-rollup';
import { regionRollup } from '../../server/http/region-rollup';
import { tinySite } from '../fixtures/tiny-site';
import { api, login, postFixes, startTiny } from '../helpers/server';

let server: RunningServer;
let manager: string;
let regulator: string;
const t0 = Date.now() - 120_000;

async function raiseSos(tagId: string, ts: number): Promise<Alert> {
  const res = await postFixes(server.url, [{ tagId, ts, floorId: 'f1', x: 3, y: 1.5, accuracy: 0.5, event: 'sos', battery: tagId === 'T2' ? 8 : 80 }]);
  expect(res.status).toBe(202);
  for (let i = 0; i < 200; i++) {
    const a = server.alerts.list().find((x) => x.tagId === tagId && x.kind === 'sos' && x.state === 'open');
    if (a) return a;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no sos alert for ${tagId}`);
}

async function resolve(id: string, token: string, note = 'checked') {
  const r = await api(server.url, token, `/api/v1/alerts/${id}/resolve`, { method: 'POST', body: JSON.stringify({ note }) });
  expect(r.status).toBe(200);
}

beforeAll(async () => {
  const bundle = tinySite();
  bundle.site.regionCode = '340403';
  server = await startTiny({ bundles: [bundle] });
  manager = await login(server.url, 'manager');
  regulator = await login(server.url, 'regulator');
  // three SOS alerts of R1 (each resolved before the next), one of R2 left open
  for (let i = 0; i < 3; i++) {
    const a = await raiseSos('T1', t0 + i * 10_000);
    await resolve(a.id, manager);
  }
  await raiseSos('T2', t0 + 40_000);
});
afterAll(() => server.close());

describe('the manager overview API', () => {
  it('counts alerts per ward and kind with response times: median, worst and by shift', async () => {
    const { body } = await api<{ sites: { wards: { wardId: string; alerts: number; byKind: Record<string, number>; open: number; responseMs: { answered: number; median: number; worst: number; byShift: Record<string, { answered: number }> } }[] }[] }>(
      server.url,
      manager,
      `/api/v1/overview?since=${t0 - 1000}`,
    );
    const ward = body.sites[0].wards.find((w) => w.wardId === 'w1')!;
    // the SOS presses, and whatever the detectors added (R2's battery at 8 %)
    expect(ward.byKind.sos).toBe(4);
    expect(ward.byKind.low_battery).toBe(1);
    expect(ward.alerts).toBe(Object.values(ward.byKind).reduce((n, x) => n + x, 0));
    expect(ward.open).toBeGreaterThanOrEqual(2);
    expect(ward.responseMs.answered).toBeGreaterThanOrEqual(3);
    expect(ward.responseMs.worst).toBeGreaterThanOrEqual(ward.responseMs.median);
    const byShift = ward.responseMs.byShift;
    expect(byShift.early.answered + byShift.late.answered + byShift.night.answered).toBe(ward.responseMs.answered);
  });

  it('lists the alerts of a period filtered by resident and kind, page by page with a cursor, none twice', async () => {
    const first = await api<{ alerts: Alert[]; next?: string; total: number }>(server.url, manager, `/api/v1/overview/alerts?since=${t0 - 1000}&residentId=R1&kind=sos&limit=2`);
    expect(first.status).toBe(200);
    expect(first.body.total).toBe(3);
    expect(first.body.alerts).toHaveLength(2);
    expect(first.body.next).toBeDefined();
    const second = await api<{ alerts: Alert[]; next?: string }>(server.url, manager, `/api/v1/overview/alerts?since=${t0 - 1000}&residentId=R1&kind=sos&limit=2&cursor=${first.body.next}`);
    expect(second.body.alerts).toHaveLength(1);
    expect(second.body.next).toBeUndefined();
    const ids = [...first.body.alerts, ...second.body.alerts].map((a) => a.id);
    expect(new Set(ids).size).toBe(3);
    expect([...first.body.alerts, ...second.body.alerts].every((a) => a.residentId === 'R1')).toBe(true);
    const none = await api<{ alerts: Alert[] }>(server.url, manager, `/api/v1/overview/alerts?since=${t0 - 1000}&kind=fall`);
    expect(none.body.alerts).toEqual([]);
  });

  it('refuses a forged cursor and an unknown kind with 400', async () => {
    expect((await api(server.url, manager, '/api/v1/overview/alerts?cursor=abc')).status).toBe(400);
    expect((await api(server.url, manager, '/api/v1/overview/alerts?kind=teleport')).status).toBe(400);
    expect((await api(server.url, manager, '/api/v1/overview/alerts?since=2030-01-02&until=2030-01-01')).status).toBe(400);
  });

  it('exports the filtered list as CSV, one row per alert, and audits the export', async () => {
    const res = await fetch(`${server.url}/api/v1/overview/alerts.csv?since=${t0 - 1000}&residentId=R1&kind=sos`, { headers: { authorization: `Bearer ${manager}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/csv/);
    const lines = (await res.text()).replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toMatch(/^id,kind,severity,state,resident,ward/);
    expect(lines).toHaveLength(4);
    expect(lines[1]).toContain('Wang Wei');
    const audit = await api<{ action: string }[]>(server.url, manager, '/api/v1/audit?actor=manager');
    expect(audit.body.some((e) => e.action === 'alerts.export')).toBe(true);
  });

  it('quotes CSV cells a spreadsheet would run as formulas', () => {
    const a = server.alerts.list()[0];
    const csv = alertsCsv([{ ...a, residentName: '=HYPERLINK("x")', history: [{ state: 'resolved', by: 'n', at: a.detectedAt + 1, note: '+1, "ok"' }] }], server.registry);
    expect(csv).toContain(`"'=HYPERLINK(""x"")"`);
    expect(csv).toContain(`"'+1, ""ok"""`);
  });

  it('reports device health: low battery, never-seen tags, per ward', async () => {
    const { body } = await api<{ sites: { tags: number; lowBattery: number; neverSeen: number; attention: { tagId: string; state: string }[] }[] }>(server.url, manager, '/api/v1/overview/devices');
    const site = body.sites[0];
    expect(site.tags).toBe(3);
    expect(site.attention.find((h) => h.tagId === 'T2')?.state).toBe('low_battery');
    expect(site.attention.find((h) => h.tagId === 'T3')?.state).toBe('never_seen');
    expect(site.lowBattery).toBe(1);
    expect(site.neverSeen).toBe(1);
  });

  it('tells shifts apart in the site time zone', () => {
    // 08:00, 16:00 and 02:00 in Shanghai (UTC+8)
    expect(shiftOf(Date.UTC(2026, 0, 1, 0), 'Asia/Shanghai')).toBe('early');
    expect(shiftOf(Date.UTC(2026, 0, 1, 8), 'Asia/Shanghai')).toBe('late');
    expect(shiftOf(Date.UTC(2026, 0, 1, 18), 'Asia/Shanghai')).toBe('night');
  });
});

describe('the regulator rollup', () => {
  it('has numbers at province, city, county and institution, and no name of a person or a position', async () => {
    const res = await api<{ regions: RegionNode[] }>(server.url, regulator, `/api/v1/overview/regions?since=${t0 - 1000}`);
    expect(res.status).toBe(200);
    const site = (await api<{ sites: { alerts: number; open: number }[] }>(server.url, manager, `/api/v1/overview?since=${t0 - 1000}`)).body.sites[0];
    const [province] = res.body.regions;
    expect(province).toMatchObject({ level: 'province', code: '340000', name: '安徽省', alerts: site.alerts, open: site.open, institutions: 1, residents: 3 });
    expect(province.byKind.sos).toBe(4);
    const city = province.children[0];
    expect(city).toMatchObject({ level: 'city', code: '340400', name: '淮南市', alerts: site.alerts });
    const county = city.children[0];
    expect(county).toMatchObject({ level: 'county', code: '340403', name: '田家庵区', alerts: site.alerts });
    expect(county.children[0]).toMatchObject({ level: 'institution', code: 'tiny', alerts: site.alerts });
    expect(county.children[0].responseMs.answered).toBeGreaterThanOrEqual(3);
    const text = JSON.stringify(res.body);
    for (const name of ['Wang Wei', 'Li Na', 'Zhang Min', 'R1', 'T1', 'residentId', '"x"', '"position"', 'Ward 1']) expect(text).not.toContain(name);
  });

  it('refuses the regulator the alert list, its export and device health', async () => {
    for (const path of ['/api/v1/overview/alerts', '/api/v1/overview/alerts.csv', '/api/v1/overview/devices']) {
      expect((await api(server.url, regulator, path)).status, path).toBe(403);
    }
  });

  it('groups sites without a division code apart, so their alerts still count', () => {
    const site = { ...tinySite().site, regionCode: undefined };
    const alert = server.alerts.list()[0];
    const [root] = regionRollup([alert], [site], () => 0);
    expect(root.code).toBe('000000');
    expect(root.children[0].children[0].children[0].alerts).toBe(1);
  });
});
