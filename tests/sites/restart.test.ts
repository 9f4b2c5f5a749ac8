/**
 * Configuration survives a real restart of the server process (`node --import tsx server/main.ts`, killed
 * with SIGKILL, started again on the same data), with the embedded store and with PostgreSQL: a resident
 * created over the API is still there with its tag (which still ingests with the gateway key) and its
 * alert; a zone changed over the API keeps the change; the site files seeded the store once only.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startServerProcess } from '../../bench/lib/server-process';
import type { Alert } from '../../geo/model';
import { createStore } from '../../server/store';

const KEY = 'demo-gateway-key';
const PG_BASE = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const children: ChildProcess[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const c of cleanups) await c();
});

interface Feature {
  properties: { id: string; kind: string; floorId: string; name: string; cameras?: string[] };
  geometry: { coordinates: number[][][] };
}

async function start(env: Record<string, string>) {
  const s = await startServerProcess({ LOG_LEVEL: 'error', ...env });
  children.push(s.child);
  const res = await fetch(`${s.base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'admin-demo' }) });
  const { token } = (await res.json()) as { token: string };
  const call = async <T>(path: string, init: RequestInit = {}) => {
    const r = await fetch(`${s.base}${path}`, { ...init, headers: { 'content-type': 'application/json', authorization: `Bearer ${init.method === 'POST' && path === '/api/v1/positions' ? KEY : token}` } });
    return { status: r.status, body: (await r.json()) as T };
  };
  return { ...s, call };
}

async function kill(child: ChildProcess) {
  child.kill('SIGKILL');
  if (child.exitCode === null && child.signalCode === null) await new Promise((r) => child.once('exit', r));
}

const centre = (f: Feature) => {
  const ring = f.geometry.coordinates[0].slice(0, -1);
  return { x: ring.reduce((s, p) => s + p[0], 0) / ring.length, y: ring.reduce((s, p) => s + p[1], 0) / ring.length };
};

function restartScenario(name: string, backend: () => Promise<{ env: Record<string, string>; storeArgs: [string | undefined, string] }>) {
  it(`${name}: a resident, its tag and its alert, and a changed zone, survive a kill -9 and restart; the site files seed only once`, async () => {
    const { env, storeArgs } = await backend();
    const first = await start(env);
    const [site] = (await first.call<{ id: string; zones: { features: Feature[] } }[]>('/api/v1/sites')).body;
    const rooms = site.zones.features.filter((f) => f.properties.kind === 'room');
    const [room, renamed] = [rooms[0], rooms[1]];
    const before = (await first.call<unknown[]>('/api/v1/residents')).body.length;

    const created = await first.call<{ id: string; tagId: string }>('/api/v1/residents', {
      method: 'POST',
      body: JSON.stringify({ name: '孙桂兰 Sun Guilan', siteId: site.id, roomZoneId: room.properties.id, wanderRisk: true, fallRisk: true, tagId: 'RESTART-TAG-1' }),
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    const zone = await first.call('/api/v1/zones/' + renamed.properties.id, { method: 'PATCH', body: JSON.stringify({ name: 'Quiet room 静室', cameras: ['cam-restart'] }) });
    expect(zone.status).toBe(200);

    const at = { floorId: room.properties.floorId, ...centre(room), accuracy: 0.3 };
    const sos = await first.call<{ accepted: number }>('/api/v1/positions', { method: 'POST', body: JSON.stringify([{ tagId: 'RESTART-TAG-1', ts: Date.now() - 5000, ...at, event: 'sos' }]) });
    expect(sos.body.accepted).toBe(1);
    let raised: Alert | undefined;
    for (let i = 0; i < 200 && !raised; i++) {
      // without a state filter the list answers once every alert change so far is stored
      raised = (await first.call<Alert[]>('/api/v1/alerts')).body.find((a) => a.residentId === id && a.kind === 'sos');
      if (!raised) await new Promise((r) => setTimeout(r, 50));
    }
    expect(raised).toBeDefined();
    await kill(first.child);

    const second = await start(env);
    try {
      const resident = await second.call<Record<string, unknown>>(`/api/v1/residents/${id}`);
      expect(resident.status).toBe(200);
      expect(resident.body).toMatchObject({ id, name: '孙桂兰 Sun Guilan', siteId: site.id, tagId: 'RESTART-TAG-1', roomZoneId: room.properties.id, wanderRisk: true, fallRisk: true });
      expect((await second.call<unknown[]>('/api/v1/residents')).body).toHaveLength(before + 1);
      const open = (await second.call<Alert[]>('/api/v1/alerts?state=open')).body;
      expect(open.find((a) => a.id === raised!.id)).toMatchObject({ residentId: id, tagId: 'RESTART-TAG-1', kind: 'sos', state: 'open' });
      // the tag still ingests with the site's gateway key
      const fix = await second.call<{ accepted: number; rejected: unknown[] }>('/api/v1/positions', { method: 'POST', body: JSON.stringify([{ tagId: 'RESTART-TAG-1', ts: Date.now() - 1000, ...at }]) });
      expect(fix).toMatchObject({ status: 202, body: { accepted: 1, rejected: [] } });
      // the zone change is kept: the site files did not seed again over it
      const [again] = (await second.call<{ zones: { features: Feature[] } }[]>('/api/v1/sites')).body;
      expect(again.zones.features.find((f) => f.properties.id === renamed.properties.id)?.properties).toMatchObject({ name: 'Quiet room 静室', cameras: ['cam-restart'] });
    } finally {
      await kill(second.child);
    }
    // what the store itself says: one seed, and the API changes with who made them
    const store = await createStore(...storeArgs);
    try {
      expect(await store.listConfigChanges({ entity: 'site' })).toHaveLength(1);
      expect((await store.listConfigChanges({ entityId: id })).map((c) => [c.actor, c.entity])).toEqual([['admin', 'resident']]);
      expect((await store.listConfigChanges({ entityId: renamed.properties.id }))[0]).toMatchObject({ actor: 'admin', entity: 'zone', after: { name: 'Quiet room 静室' } });
    } finally {
      await store.close();
    }
  }, 240_000);
}

describe('configuration across a real process restart', () => {
  restartScenario('embedded store', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'carewatch-restart-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    return { env: { DATA_DIR: dir }, storeArgs: [undefined, dir] };
  });

  restartScenario('PostgreSQL', async () => {
    const schema = `cw_restart_${process.pid}_${randomBytes(3).toString('hex')}`;
    const u = new URL(PG_BASE);
    u.searchParams.set('schema', schema);
    const dir = mkdtempSync(join(tmpdir(), 'carewatch-restart-pg-'));
    cleanups.push(async () => {
      rmSync(dir, { recursive: true, force: true });
      const admin = new pg.Pool({ connectionString: PG_BASE, max: 1 });
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    });
    return { env: { DATA_DIR: dir, DATABASE_URL: u.toString() }, storeArgs: [u.toString(), dir] };
  });
});
