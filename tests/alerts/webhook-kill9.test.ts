/**
 * Webhook messages pending when the server is killed (SIGKILL, no shutdown) are delivered after the
 * restart, each with the webhook-id it had before: the real server process, the sample institution,
 * a real receiver on loopback that is down (503) until the server is dead.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterAll, describe, expect, it } from 'vitest';
import { startReceiver } from '../helpers/receiver';

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
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, SIMULATOR: 'off', DEMO: 'on', GEO_WORKERS: '1', LOG_LEVEL: 'warn', WEBHOOK_RETRY_BASE_MS: '100', WEBHOOK_RETRY_MAX_MS: '400', OUTBOX_POLL_MS: '50' },
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
  properties: { id: string; floorId: string };
  geometry: { coordinates: number[][][] };
}

describe('webhook delivery across a kill -9', () => {
  it('delivers after the restart every message that was pending at the kill, with the same webhook-id', async () => {
    let up = false;
    const receiver = await startReceiver(() => (up ? 200 : 503));
    const dataDir = mkdtempSync(join(tmpdir(), 'carewatch-wh-kill9-'));
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    try {
      const first = await startChild(port, dataDir);
      const token = await login(base);
      const hook = await json<{ id: string; secret: string }>(`${base}/api/v1/webhooks`, token, { method: 'POST', body: JSON.stringify({ url: receiver.url, events: ['alert.raised'] }) });
      expect(hook.status).toBe(201);
      const [site] = (await json<{ zones: { features: Feature[] } }[]>(`${base}/api/v1/sites`, token)).body;
      const zones = new Map(site.zones.features.map((f) => [f.properties.id, f]));
      const residents = (await json<Array<{ id: string; tagId: string; roomZoneId: string | null; community: boolean }>>(`${base}/api/v1/residents`, token)).body
        .filter((r) => !r.community && r.roomZoneId)
        .slice(0, 5);
      const fixes = residents.map((r) => {
        const room = zones.get(r.roomZoneId!)!;
        const [x, y] = room.geometry.coordinates[0][0];
        return { tagId: r.tagId, ts: Date.now() - 1000, floorId: room.properties.floorId, x: x + 0.5, y: y + 0.5, event: 'sos' };
      });
      const posted = await fetch(`${base}/api/v1/positions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer demo-gateway-key' }, body: JSON.stringify(fixes) });
      expect(posted.status).toBe(202);

      // every message tried twice (and refused) before the kill: its first failure is in the delivery log
      const ids = () => new Set(receiver.received.map((r) => String(r.headers['webhook-id'])));
      const triedTwice = () => [...ids()].filter((id) => receiver.received.filter((r) => r.headers['webhook-id'] === id).length >= 2).length;
      for (let i = 0; i < 600 && triedTwice() < residents.length; i++) await new Promise((r) => setTimeout(r, 20));
      const pending = ids();
      expect(pending.size).toBe(residents.length);
      first.kill('SIGKILL');
      await new Promise((r) => first.once('exit', r));

      up = true;
      const before = receiver.received.length;
      await startChild(port, dataDir);
      const delivered = () => receiver.received.slice(before).filter((r) => pending.has(String(r.headers['webhook-id'])));
      for (let i = 0; i < 1000 && new Set(delivered().map((r) => r.headers['webhook-id'])).size < pending.size; i++) await new Promise((r) => setTimeout(r, 20));
      expect(new Set(delivered().map((r) => String(r.headers['webhook-id'])))).toEqual(pending);
      for (const r of delivered()) expect(() => new Webhook(hook.body.secret).verify(r.text, r.headers as Record<string, string>)).not.toThrow();
      // the delivery log after the restart says so
      const token2 = await login(base);
      const log = await json<Array<{ id: string; status: string; attempts: number }>>(`${base}/api/v1/webhooks/${hook.body.id}/deliveries`, token2);
      for (let i = 0; i < 100 && log.body.some((d) => d.status !== 'delivered'); i++) {
        await new Promise((r) => setTimeout(r, 50));
        log.body = (await json<typeof log.body>(`${base}/api/v1/webhooks/${hook.body.id}/deliveries`, token2)).body;
      }
      expect(log.body.filter((d) => pending.has(d.id)).map((d) => [d.status, d.attempts >= 2])).toEqual([...pending].map(() => ['delivered', true]));
    } finally {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      await receiver.close();
    }
  }, 120_000);
});
