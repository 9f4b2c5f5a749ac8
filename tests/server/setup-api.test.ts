import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert, Zone } from '../../geo/model';
import type { RunningServer } from '../../server/app';
import { api, login, nextAlert, openSocket, postFixes, startTiny } from '../helpers/server';

let server: RunningServer;
let admin: string;

beforeAll(async () => {
  server = await startTiny();
  admin = await login(server.url, 'admin');
});
afterAll(() => server.close());

const put = (path: string, body: unknown, token = admin) => api<Zone & { error?: string }>(server.url, token, path, { method: 'PUT', body: JSON.stringify(body) });
const post = (path: string, body: unknown, token = admin) => api<Zone & { error?: string; id: string }>(server.url, token, path, { method: 'POST', body: JSON.stringify(body) });

describe('changing a site from the setup screen', () => {
  it('turns a room into an exit with a door controller and a camera, and the detectors use it at once', async () => {
    const res = await put('/api/v1/sites/tiny/zones/kitchen', {
      kind: 'exit',
      controller: { id: 'door-7', kind: 'door' },
      cameras: [{ id: 'cam-3', snapshotUrl: 'http://127.0.0.1:9/snap.jpg', streamUrl: 'rtsp://127.0.0.1/cam3' }],
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ kind: 'exit', exitType: 'door', controller: { id: 'door-7' } });
    const sites = await api<{ zones: { features: { properties: Zone }[] } }[]>(server.url, admin, '/api/v1/sites');
    expect(sites.body[0].zones.features.find((f) => f.properties.id === 'kitchen')?.properties.kind).toBe('exit');

    const socket = await openSocket(server.url, admin);
    try {
      const alert = nextAlert(socket, (a: Alert) => a.kind === 'exit_approach' && a.zoneId === 'kitchen', 10_000);
      const t0 = Date.now() - 10_000;
      // R1 (wander risk) walks the corridor towards the former kitchen (x 10..16, y 3..13)
      const fixes = [0, 1, 2, 3, 4, 5].map((i) => ({ tagId: 'T1', ts: t0 + i * 1000, floorId: 'f1', x: 4 + i, y: 1.5, accuracy: 0.3 }));
      expect((await postFixes(server.url, fixes)).status).toBe(202);
      expect((await alert).residentId).toBe('R1');
    } finally {
      socket.close();
    }
    const changes = await server.store.listConfigChanges({ entityId: 'kitchen' });
    expect(changes[0]).toMatchObject({ actor: 'admin', entity: 'zone', before: expect.objectContaining({ kind: 'forbidden' }), after: expect.objectContaining({ kind: 'exit' }) });
  });

  it('draws a new zone on a floor and adds a ward', async () => {
    const zone = await post('/api/v1/sites/tiny/zones', { name: 'Quiet room', kind: 'room', floorId: 'f1', ring: [[20, 4], [24, 4], [24, 8], [20, 8]] });
    expect(zone.status).toBe(201);
    expect(zone.body.polygon[0]).toHaveLength(5);
    expect(server.registry.zones.get(zone.body.id)?.name).toBe('Quiet room');
    const ward = await api<{ id: string; floorIds: string[] }>(server.url, admin, '/api/v1/sites/tiny/wards', { method: 'POST', body: JSON.stringify({ name: 'Ward 2', floorIds: ['f1'] }) });
    expect(ward.status).toBe(201);
    expect(server.registry.sites.get('tiny')?.wards.map((w) => w.id)).toContain(ward.body.id);
  });

  it('refuses bad input with a clear 4xx and changes nothing', async () => {
    const before = JSON.stringify(server.registry.zones.get('r1'));
    expect((await put('/api/v1/sites/tiny/zones/r1', { kind: 'volcano' })).status).toBe(400);
    expect((await put('/api/v1/sites/tiny/zones/r1', { cameras: [{ id: 'c', snapshotUrl: 'javascript:alert(1)', streamUrl: 'rtsp://x' }] })).status).toBe(400);
    expect((await put('/api/v1/sites/tiny/zones/r1', { controller: { id: 'd', kind: 'door' } })).body.error).toMatch(/exit zones only/);
    expect((await put('/api/v1/sites/tiny/zones/nope', { name: 'x' })).status).toBe(404);
    expect((await post('/api/v1/sites/tiny/zones', { name: 'Sliver', kind: 'room', floorId: 'f1', ring: [[0, 0], [1, 0], [1, 0.1], [0, 0.1]] })).status).toBe(400);
    expect((await post('/api/v1/sites/tiny/zones', { name: 'Nowhere', kind: 'room', floorId: 'f9', ring: [[0, 0], [4, 0], [4, 4], [0, 4]] })).status).toBe(400);
    expect(JSON.stringify(server.registry.zones.get('r1'))).toBe(before);
    const manager = await login(server.url, 'manager');
    expect((await put('/api/v1/sites/tiny/zones/r1', { name: 'Mine' }, manager)).status).toBe(403);
  });
});
