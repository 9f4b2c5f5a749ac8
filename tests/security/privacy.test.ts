import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../geo/model';
import type { RunningServer } from '../../server/app';
import { buildOverview } from '../../server/http/overview';
import type { AuditEntry, TrackRow } from '../../server/store';
import { tinySite } from '../fixtures/tiny-site';
import { startTiny } from '../helpers/server';
import { call, clock, createUser, emitAck, ingest, loginAs, openSecureSocket, raiseSos, recorder, sleep, until } from './helpers';

describe("a family member sees their relative's position only while an alert of theirs is open", () => {
  let server: RunningServer;
  let family: string;
  let nurse: string;
  const tick = clock();
  const move = (x: number, extra: object = {}) => ingest(server.url, [{ tagId: 'T1', ts: tick(), floorId: 'f1', x, y: 1.5, accuracy: 0.3, ...extra }]);

  beforeAll(async () => {
    server = await startTiny();
    family = await loginAs(server.url, 'family', 'family-demo');
    nurse = await loginAs(server.url, 'nurse', 'nurse-demo');
  });
  afterAll(async () => {
    await server?.close();
  });

  it('no alert: no position, over REST or the socket, and no stream', async () => {
    const socket = await openSecureSocket(server.url, family);
    const got = recorder(socket);
    await move(3);
    await move(3.2, { battery: 5 }); // a low battery is the nurse's business, not the family's
    await until(() => server.alerts.list().some((a) => a.kind === 'low_battery'), 5000, 'low battery');
    const r = await call<{ error: string }>(server.url, '/api/v1/residents/R1/position', { token: family });
    expect(r.status).toBe(403);
    expect(r.body.error).toMatch(/only while a wandering, fall or SOS alert is open/);
    const s = await emitAck(socket, 'resident:locate', { residentId: 'R1' });
    expect(s.ok).toBe(false);
    await sleep(600);
    expect(got.position).toEqual([]);
    expect(got.alert).toEqual([]);
    socket.close();
  });

  it('an SOS opens it: the alert, the position at once, the stream as the resident moves, REST and locate', async () => {
    const socket = await openSecureSocket(server.url, family);
    const got = recorder(socket);
    const sos = await raiseSos(server, 'T1', 'f1', tick());
    await until(() => got.alert.find((a) => a.id === sos.id), 3000, 'alert at family');
    await until(() => got.position.length > 0, 3000, 'first position');
    for (const x of [3.5, 4, 4.5]) await move(x);
    await until(() => got.position.some((p) => p.x === 4.5), 3000, 'streamed position');
    expect(new Set(got.position.map((p) => p.residentId))).toEqual(new Set(['R1']));
    const r = await call<{ residentId: string; lon: number; lat: number; alertId: string }>(server.url, '/api/v1/residents/R1/position', { token: family });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ residentId: 'R1', alertId: sos.id });
    expect(r.body.lon).toBeCloseTo(117, 2);
    expect((await emitAck(socket, 'resident:locate', { residentId: 'R1' })).ok).toBe(true);

    // staff acknowledge: still open for the family (someone is on the way), and they see it
    await call(server.url, `/api/v1/alerts/${sos.id}/ack`, { token: nurse, body: { note: 'on my way' } });
    await until(() => got.alert.find((a) => a.id === sos.id && a.state === 'acknowledged'), 3000, 'ack at family');
    expect((await call(server.url, '/api/v1/residents/R1/position', { token: family })).status).toBe(200);

    // resolved: the view closes
    await call(server.url, `/api/v1/alerts/${sos.id}/resolve`, { token: nurse, body: { note: 'back in bed' } });
    await until(() => got.alert.find((a) => a.id === sos.id && a.state === 'resolved'), 3000, 'resolve at family');
    await sleep(300);
    const before = got.position.length;
    for (const x of [4.8, 5.1]) await move(x);
    await sleep(700);
    expect(got.position.length).toBe(before);
    expect((await call(server.url, '/api/v1/residents/R1/position', { token: family })).status).toBe(403);
    expect((await emitAck(socket, 'resident:locate', { residentId: 'R1' })).ok).toBe(false);
    socket.close();
  });

  it('every position view is in the audit trail, the family one included', async () => {
    const manager = await loginAs(server.url, 'manager', 'manager-demo');
    const entries = (await call<AuditEntry[]>(server.url, '/api/v1/audit?subjectId=R1', { token: manager })).body;
    expect(entries.some((e) => e.action === 'resident.view_position' && e.actor === 'family')).toBe(true);
  });
});

describe('the overview: counts and response times per site and ward, nothing personal', () => {
  it('computes median and p90 response times from the first human answer, and counts self-cleared alerts apart', () => {
    const site = tinySite().site;
    const base = { severity: 'high', residentName: 'Wang Wei', tagId: 'T1', siteId: 'tiny', floorId: 'f1', zoneId: null, position: { floorId: 'f1', x: 1, y: 1, lon: 0, lat: 0 }, fixTs: 0, updatedAt: 0, repeats: 0 } as const;
    const alert = (i: number, wardId: string | null, responseMs: number | null, state: Alert['state'] = 'resolved', by = 'nurse'): Alert => ({
      ...base,
      id: `a${i}`,
      kind: i % 2 ? 'sos' : 'exit_approach',
      state,
      residentId: wardId ? 'R1' : 'R3',
      wardId,
      detectedAt: 1000,
      history: [{ state: 'open', by: 'system', at: 1000 }, ...(responseMs === null ? [] : [{ state: 'acknowledged' as const, by, at: 1000 + responseMs }])],
    });
    const alerts = [...[10, 20, 30, 40, 50, 60, 70, 80, 90, 100].map((ms, i) => alert(i, 'w1', ms * 1000)), alert(20, 'w1', null, 'resolved'), alert(21, null, 5000, 'open'), alert(22, 'w1', 1, 'resolved', 'system')];
    const o = buildOverview(alerts, [site], 0, 10_000);
    const w1 = o.sites[0].wards.find((w) => w.wardId === 'w1')!;
    expect(w1.alerts).toBe(12);
    expect(w1.responseMs).toMatchObject({ answered: 10, median: 50_000, p90: 90_000 });
    expect(w1.responseMs.worst).toBeGreaterThanOrEqual(90_000);
    expect(w1.selfCleared).toBe(2);
    expect(o.sites[0].wards.find((w) => w.wardId === null)).toMatchObject({ alerts: 1, open: 1 });
    expect(o.sites[0]).toMatchObject({ alerts: 13, byKind: { sos: 6, exit_approach: 7 } });
    expect(JSON.stringify(o)).not.toMatch(/Wang Wei|R1|R3|T1|"position"|"x"|"lon"/);
  });

  let server: RunningServer;
  beforeAll(async () => {
    server = await startTiny();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('a regulator and a manager read it over REST; it names no resident and places nobody', async () => {
    const nurse = await loginAs(server.url, 'nurse', 'nurse-demo');
    // fresh fix times, so no tag looks silent; other alerts may still come and go, SOS is what we count
    const tick = clock(Date.now() - 5000);
    const a = await raiseSos(server, 'T1', 'f1', tick());
    await raiseSos(server, 'T2', 'f1', tick());
    await sleep(50);
    await call(server.url, `/api/v1/alerts/${a.id}/ack`, { token: nurse, body: {} });
    for (const who of ['regulator', 'manager']) {
      const o = await call<{ sites: { siteId: string; alerts: number; byKind: { sos: number }; acknowledged: number; responseMs: { answered: number; median: number }; wards: { wardId: string | null }[] }[] }>(
        server.url,
        '/api/v1/overview',
        { token: await loginAs(server.url, who, `${who}-demo`) },
      );
      expect(o.status).toBe(200);
      expect(o.body.sites[0]).toMatchObject({ siteId: 'tiny', byKind: { sos: 2 }, acknowledged: 1, responseMs: { answered: 1 } });
      expect(o.body.sites[0].wards.find((w) => w.wardId === 'w1')).toMatchObject({ byKind: { sos: 2 } });
      expect(o.body.sites[0].responseMs.median).toBeGreaterThan(0);
      const text = JSON.stringify(o.body);
      for (const personal of ['Wang Wei', 'Li Na', 'Zhang Min', '"R1"', '"R2"', '"T1"', 'residentId', 'position', '"lon"', '"x"']) expect(text).not.toContain(personal);
    }
  });
});

describe('audit trail and export of a resident', () => {
  let server: RunningServer;
  let admin: string;
  beforeAll(async () => {
    server = await startTiny();
    admin = await loginAs(server.url, 'admin', 'admin-demo');
  });
  afterAll(async () => {
    await server?.close();
  });

  it('viewing a resident is audited before the data leaves; managers read the audit of their site, account events stay with admins', async () => {
    const nurse = await loginAs(server.url, 'nurse', 'nurse-demo');
    expect((await call(server.url, '/api/v1/residents/R2', { token: nurse })).status).toBe(200);
    await createUser(server.url, admin, { username: 'nurse-audit', role: 'nurse', wardIds: ['w1'] });
    const manager = await loginAs(server.url, 'manager', 'manager-demo');
    const seen = (await call<AuditEntry[]>(server.url, '/api/v1/audit?subjectId=R2', { token: manager })).body;
    expect(seen).toEqual([expect.objectContaining({ actor: 'nurse', action: 'resident.view', subjectType: 'resident', subjectId: 'R2', siteId: 'tiny' })]);
    const managerView = (await call<AuditEntry[]>(server.url, '/api/v1/audit?actor=admin', { token: manager })).body;
    expect(managerView.some((e) => e.action === 'account.create')).toBe(false);
    const adminView = (await call<AuditEntry[]>(server.url, '/api/v1/audit?actor=admin', { token: admin })).body;
    expect(adminView.some((e) => e.action === 'account.create' && e.subjectId === 'nurse-audit')).toBe(true);
  });

  it("an admin exports everything held about one resident — profile, alerts, audit, track — and the export is audited", async () => {
    const tick = clock();
    const sos = await raiseSos(server, 'T1', 'f1', tick());
    await raiseSos(server, 'T2', 'f1', tick());
    const t0 = Date.now() - 3600_000;
    const row = (residentId: string, tagId: string, i: number): TrackRow => ({ siteId: 'tiny', residentId, tagId, ts: t0 + i * 1000, floorId: 'f1', x: i, y: 1, kind: 'fix' });
    await server.store.appendFixes([...Array.from({ length: 25 }, (_, i) => row('R1', 'T1', i)), ...Array.from({ length: 5 }, (_, i) => row('R2', 'T2', i))]);
    const res = await fetch(`${server.url}/api/v1/residents/R1/export`, { headers: { authorization: `Bearer ${admin}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="resident-R1.json"/);
    const body = (await res.json()) as { resident: { id: string; name: string; safeZoneIds: string[] }; alerts: Alert[]; audit: AuditEntry[]; track: TrackRow[]; exportedBy: string };
    expect(body.resident).toMatchObject({ id: 'R1', name: 'Wang Wei', safeZoneIds: ['w1', 'garden'] });
    expect(body.exportedBy).toBe('admin');
    expect(body.alerts.map((a) => a.id)).toContain(sos.id);
    expect(body.alerts.every((a) => a.residentId === 'R1')).toBe(true);
    expect(body.audit.some((e) => e.action === 'resident.export' && e.actor === 'admin')).toBe(true);
    expect(body.track.filter((r) => r.ts >= t0 && r.ts < t0 + 25_000)).toHaveLength(25);
    expect(body.track.every((r) => r.residentId === 'R1')).toBe(true);
    // a manager may read the audit of the export, but may not export
    const manager = await loginAs(server.url, 'manager', 'manager-demo');
    expect((await call(server.url, '/api/v1/residents/R1/export', { token: manager })).status).toBe(403);
    const audit = (await call<AuditEntry[]>(server.url, '/api/v1/audit?subjectId=R1', { token: manager })).body;
    expect(audit.some((e) => e.action === 'resident.export')).toBe(true);
  });
});
