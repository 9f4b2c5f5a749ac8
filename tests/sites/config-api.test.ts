/**
 * Site administration over REST: what an admin changes takes effect at once (ingest, detection,
 * GET answers), is audited, and bad requests get a clear 4xx that changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../geo/model';
import type { RunningServer } from '../../server/app';
import { zonesToFeatureCollection } from '../../server/site-loader';
import { tinySite } from '../fixtures/tiny-site';
import { api, login, nextAlert, openSocket, postFixes, startTiny, type ClientSocket } from '../helpers/server';

interface SiteDto {
  id: string;
  wards: { id: string; name: string }[];
  zones: { features: { properties: Record<string, unknown> }[] };
}

let clock = Date.now() - 60_000;
const later = (ms: number) => (clock += ms);

describe('site administration over REST', () => {
  let server: RunningServer;
  let admin: string;
  let nurse: string;
  let socket: ClientSocket;
  const call = <T = unknown>(token: string, method: string, path: string, body?: unknown) =>
    api<T>(server.url, token, path, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

  beforeAll(async () => {
    server = await startTiny();
    [admin, nurse] = await Promise.all([login(server.url, 'admin'), login(server.url, 'nurse')]);
    socket = await openSocket(server.url, admin);
  });
  afterAll(async () => {
    socket?.close();
    await server?.close();
  });

  it('changes a resident: the change is served at once and audited; a nurse may not', async () => {
    const patched = await call(admin, 'PATCH', '/api/v1/residents/R2', { name: 'Li Na 李娜', fallRisk: true, safeZoneIds: ['w1'] });
    expect(patched).toMatchObject({ status: 200, body: { id: 'R2', name: 'Li Na 李娜', fallRisk: true } });
    expect((await call(admin, 'GET', '/api/v1/residents/R2')).body).toMatchObject({ name: 'Li Na 李娜', safeZoneIds: ['w1'] });
    const audit = await call<{ action: string; actor: string }[]>(admin, 'GET', '/api/v1/audit?subjectId=R2');
    expect(audit.body.map((e) => e.action)).toContain('resident.update');
    expect((await call(nurse, 'PATCH', '/api/v1/residents/R2', { name: 'x' })).status).toBe(403);
  });

  it('answers bad resident changes with a clear 4xx', async () => {
    const cases: [string, string, unknown, number, RegExp][] = [
      ['PATCH', '/api/v1/residents/R2', { wardId: 'w9' }, 400, /^ward: unknown ward w9$/],
      ['PATCH', '/api/v1/residents/R2', { roomZoneId: 'kitchen' }, 400, /^roomZoneId: kitchen is a forbidden zone, expected room$/],
      ['PATCH', '/api/v1/residents/R2', { tagId: 'T1' }, 409, /^tag T1 already belongs to a resident$/],
      ['PATCH', '/api/v1/residents/R2', { siteId: 'other' }, 400, /siteId/],
      ['PATCH', '/api/v1/residents/R2', { name: '' }, 400, /^name: /],
      ['PATCH', '/api/v1/residents/nobody', { name: 'x' }, 404, /no such resident/],
      ['DELETE', '/api/v1/residents/nobody', undefined, 404, /no such resident/],
    ];
    for (const [method, path, body, status, error] of cases) {
      const r = await call<{ error: string }>(admin, method, path, body);
      expect(r.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(status);
      expect(r.body.error).toMatch(error);
    }
    expect((await call(admin, 'GET', '/api/v1/residents/R2')).body).toMatchObject({ wardId: 'w1', roomZoneId: 'r1', tagId: 'T2' });
  });

  it('makes the corridor forbidden: the workers know it before the next fix, and GET /sites shows its linkage properties', async () => {
    const r = await call(admin, 'PATCH', '/api/v1/zones/corr', { kind: 'forbidden', door: { controller: 'http://127.0.0.1:9/door' }, cameras: ['cam-7'] });
    expect(r).toMatchObject({ status: 200, body: { id: 'corr', kind: 'forbidden', cameras: ['cam-7'] } });
    const [site] = (await call<SiteDto[]>(admin, 'GET', '/api/v1/sites')).body;
    expect(site.zones.features.find((f) => f.properties.id === 'corr')?.properties).toMatchObject({ kind: 'forbidden', door: { controller: 'http://127.0.0.1:9/door' }, cameras: ['cam-7'] });
    const t0 = later(10_000);
    later(8000);
    const raised = nextAlert(socket, (a: Alert) => a.kind === 'forbidden_zone' && a.zoneId === 'corr');
    // from the ward into the corridor, staying long enough for the membership to settle
    const walk = [7, 6, 5, 1.5, 1.5, 1.5, 1.5, 1.5].map((y, i) => ({ tagId: 'T1', ts: t0 + i * 1000, floorId: 'f1', x: 20, y, accuracy: 0.3 }));
    expect((await postFixes(server.url, walk)).status).toBe(202);
    expect(await raised).toMatchObject({ residentId: 'R1', zoneId: 'corr' });
  });

  it('answers bad zone changes with a clear 4xx and leaves the zone as it was', async () => {
    const cases: [unknown, number, RegExp][] = [
      [{ kind: 'lounge' }, 400, /^kind: /],
      [{ kind: 'corridor' }, 200, /.*/],
      [{ id: 'other' }, 400, /^id: cannot be changed$/],
      [{ exitType: 'door' }, 400, /^exitType: only an exit zone has one/],
      [{ 'bad key': 1 }, 400, /^bad key: a property name/],
      [{ polygon: [[[0, 0], [1, 1]]] }, 400, /^polygon\.0: /],
    ];
    for (const [body, status, error] of cases) {
      const r = await call<{ error?: string }>(admin, 'PATCH', '/api/v1/zones/corr', body);
      expect(r.status, JSON.stringify(body)).toBe(status);
      if (status !== 200) expect(r.body.error).toMatch(error);
    }
    expect((await call(admin, 'PATCH', '/api/v1/zones/nowhere', { name: 'x' })).status).toBe(404);
    expect((await call(nurse, 'PATCH', '/api/v1/zones/corr', { name: 'x' })).status).toBe(403);
    expect(server.registry.zones.get('corr')?.kind).toBe('corridor');
  });

  it('creates a resident, refuses to delete them while an alert is open, and deletes them with their tag once resolved', async () => {
    const created = await call<{ id: string }>(admin, 'POST', '/api/v1/residents', { name: '钱老', siteId: 'tiny', ward: 'w1', wanderRisk: true, tagId: 'T-del' });
    expect(created.status).toBe(201);
    const id = created.body.id;
    const t0 = later(10_000);
    later(5000);
    const raised = nextAlert(socket, (a: Alert) => a.residentId === id && a.kind === 'sos');
    await postFixes(server.url, [{ tagId: 'T-del', ts: t0, floorId: 'f1', x: 20, y: 7, accuracy: 0.3, event: 'sos' }]);
    const sos = await raised;
    const refused = await call<{ error: string }>(admin, 'DELETE', `/api/v1/residents/${id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatch(/not yet resolved/);
    expect((await call(admin, 'POST', `/api/v1/alerts/${sos.id}/resolve`, { note: 'test' })).status).toBe(200);
    expect((await call(admin, 'DELETE', `/api/v1/residents/${id}`)).status).toBe(204);
    expect((await call(admin, 'GET', `/api/v1/residents/${id}`)).status).toBe(404);
    const after = await postFixes(server.url, [{ tagId: 'T-del', ts: later(1000), floorId: 'f1', x: 20, y: 7, accuracy: 0.3 }]);
    expect(((await after.json()) as { rejected: { reason: string }[] }).rejected).toHaveLength(1);
  });

  it('creates, renames and deletes a ward; a ward in use is kept', async () => {
    expect((await call(admin, 'PUT', '/api/v1/sites/tiny/wards/w2', { name: 'Ward 2', floorIds: ['f1'] })).status).toBe(201);
    expect((await call(admin, 'PUT', '/api/v1/sites/tiny/wards/w2', { name: 'Ward Two', floorIds: ['f1'] })).status).toBe(200);
    expect((await call<SiteDto[]>(admin, 'GET', '/api/v1/sites')).body[0].wards.map((w) => w.name)).toEqual(['Ward 1', 'Ward Two']);
    expect((await call(admin, 'PUT', '/api/v1/sites/tiny/wards/w3', { name: 'W3', floorIds: ['nowhere'] })).status).toBe(400);
    expect((await call(admin, 'PUT', '/api/v1/sites/elsewhere/wards/w3', { name: 'W3', floorIds: [] })).status).toBe(404);
    expect((await call(admin, 'DELETE', '/api/v1/sites/tiny/wards/w1')).status).toBe(409);
    expect((await call(admin, 'DELETE', '/api/v1/sites/tiny/wards/w2')).status).toBe(204);
    expect((await call(nurse, 'DELETE', '/api/v1/sites/tiny/wards/w1')).status).toBe(403);
  });

  it('adds a whole site in one call, validated first (a bad or clashing one writes nothing); its residents are watched and recorded', async () => {
    const t = tinySite();
    const p = (id: string) => `n-${id}`;
    const site = {
      ...t.site,
      id: 'north',
      floors: t.site.floors.map((f) => ({ ...f, id: p(f.id) })),
      wards: [{ id: 'w1', name: 'North ward', floorIds: [p('f1')] }],
    };
    const zones = zonesToFeatureCollection(t.zones.map((z) => ({ ...z, id: p(z.id), floorId: p(z.floorId) })));
    const bad = await call<{ error: string; problems: string[] }>(admin, 'POST', '/api/v1/sites', { site: { ...site, floors: [] }, zones });
    expect(bad.status).toBe(400);
    expect(bad.body.problems).toContain('site.json: floors: a site needs at least one floor');
    expect((await call<{ error: string }>(admin, 'POST', '/api/v1/sites', { site, zones, extra: 1 })).body.error).toBe('body: unknown field extra (expected site, zones, residents, tags)');
    const ok = await call(admin, 'POST', '/api/v1/sites', { site, zones });
    expect(ok).toEqual({ status: 201, body: { siteId: 'north', floors: 2, zones: 11, residents: 0, tags: 0 } });
    expect(server.registry.floor('n-f1')?.site.id).toBe('north');
    expect((await call<SiteDto[]>(admin, 'GET', '/api/v1/sites')).body.map((s) => s.id)).toEqual(['tiny', 'north']);
    // a resident of the new site: its fixes are watched and recorded with their zones
    const key = await call<{ key: string }>(admin, 'POST', '/api/v1/keys', { siteId: 'north' });
    expect(key.status).toBe(201);
    const created = await call<{ id: string }>(admin, 'POST', '/api/v1/residents', { name: 'North 1', siteId: 'north', ward: 'w1', roomZoneId: 'n-r1', tagId: 'N-T1' });
    expect(created.status).toBe(201);
    const t0 = later(10_000);
    later(6000);
    const fixes = [0, 1, 2, 3, 4, 5].map((i) => ({ tagId: 'N-T1', ts: t0 + i * 1000, floorId: 'n-f1', x: 3, y: 8, accuracy: 0.3 }));
    const posted = await fetch(`${server.url}/api/v1/positions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key.body.key}` }, body: JSON.stringify(fixes) });
    expect(await posted.json()).toMatchObject({ accepted: 6, rejected: [] });
    await server.geo.drain();
    let rows: { zoneId?: string }[] = [];
    for (let i = 0; i < 100 && !rows.some((r) => r.zoneId === 'n-r1'); i++) {
      await new Promise((r) => setTimeout(r, 100));
      rows = (await server.store.queryTrack({ residentIds: [created.body.id], since: t0, until: t0 + 10_000 })).rows;
    }
    expect(rows.map((r) => r.zoneId)).toContain('n-r1');
    expect((await call(admin, 'POST', '/api/v1/sites', { site, zones })).status).toBe(409);
    expect((await call(nurse, 'POST', '/api/v1/sites', { site, zones })).status).toBe(403);
  });
});
