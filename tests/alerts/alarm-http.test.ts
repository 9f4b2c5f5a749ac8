/**
 * The alarm chain over real HTTP: a running server with the tiny site (its stairwell has a door
 * controller and a camera), real webhook receivers and a real push service on loopback.
 */
import { createECDH, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../geo/model';
import type { RunningServer } from '../../server/app';
import { CAMERA, linkedSite } from '../fixtures/linked-site';
import { startReceiver, type Receiver, type Received } from '../helpers/receiver';
import { api, login, nextAlert, openSocket, postFixes, startTiny, type ClientSocket } from '../helpers/server';

const ece = createRequire(import.meta.url)('http_ece') as { decrypt(buf: Buffer, p: object): Buffer };

let clock = Date.now() - 300_000;
const later = (ms: number) => (clock += ms);

function walkToExit(tagId: string) {
  const t0 = later(1000);
  later(14_000);
  return Array.from({ length: 13 }, (_, i) => ({ tagId, ts: t0 + i * 1000, floorId: 'f1', x: 17 + i, y: 1.5, accuracy: 0.3 }));
}
const sos = (tagId: string) => [{ tagId, ts: later(1000), floorId: 'f1', x: 3, y: 5, event: 'sos' }];

const body = (r: Received) => JSON.parse(r.text) as { type: string; timestamp: string; data: { alert: Alert; residents?: Array<{ id: string }>; level?: number; door?: { id: string } } };

describe('the alarm chain over real HTTP', () => {
  let server: RunningServer;
  let admin: string;
  let nurse: string;
  let family: string;
  let socket: ClientSocket;
  let hook: Receiver;
  let secret: string;

  beforeAll(async () => {
    server = await startTiny({ bundles: [linkedSite()], alarm: { webhookRetryBaseMs: 20, outboxPollMs: 20, webhookTimeoutMs: 2000 } });
    [admin, nurse, family] = await Promise.all([login(server.url, 'admin'), login(server.url, 'nurse'), login(server.url, 'family')]);
    socket = await openSocket(server.url, admin);
    hook = await startReceiver();
    const created = await api<{ id: string; secret: string; url: string; events: string[] }>(server.url, admin, '/api/v1/webhooks', { method: 'POST', body: JSON.stringify({ url: hook.url, siteId: 'tiny' }) });
    expect(created.status).toBe(201);
    secret = created.body.secret;
  });
  afterAll(async () => {
    socket?.close();
    await server?.close();
    await hook?.close();
  });

  const received = (pred: (b: ReturnType<typeof body>) => boolean) => hook.received.map(body).filter(pred);
  async function waitHook(pred: (b: ReturnType<typeof body>) => boolean, n = 1) {
    for (let i = 0; i < 500 && received(pred).length < n; i++) await new Promise((r) => setTimeout(r, 20));
    return received(pred);
  }

  it('creates a webhook with a whsec_ secret shown once; lists it without the secret', async () => {
    expect(secret).toMatch(/^whsec_/);
    const list = await api<Array<Record<string, unknown>>>(server.url, admin, '/api/v1/webhooks');
    expect(list.status).toBe(200);
    expect(list.body[0]).toMatchObject({ url: hook.url, siteId: 'tiny', events: [] });
    expect(list.body[0]).not.toHaveProperty('secret');
  });

  it('an exit approach locks the stairwell door, names every wander-risk resident at it, carries the camera, and unlocks after the last is resolved', async () => {
    const first = nextAlert(socket, (a) => a.kind === 'exit_approach' && a.residentId === 'R1');
    expect((await postFixes(server.url, walkToExit('T1'))).status).toBe(202);
    const a1 = await first;
    expect(a1.cameras).toEqual([CAMERA]);
    const second = nextAlert(socket, (a) => a.kind === 'exit_approach' && a.residentId === 'R4');
    expect((await postFixes(server.url, walkToExit('T4'))).status).toBe(202);
    const a4 = await second;

    const locks = await waitHook((b) => b.type === 'door.lock', 2);
    expect(locks).toHaveLength(2);
    expect(locks.map((l) => l.data.door!.id)).toEqual(['door-stairs', 'door-stairs']);
    const last = locks.find((l) => l.data.alert.id === a4.id)!;
    expect(last.data.residents!.map((r) => r.id).sort()).toEqual(['R1', 'R4']);

    await api(server.url, nurse, `/api/v1/alerts/${a1.id}/resolve`, { method: 'POST', body: '{}' });
    await waitHook((b) => b.type === 'alert.resolved' && b.data.alert.id === a1.id);
    expect(received((b) => b.type === 'door.unlock')).toHaveLength(0); // R4 is still at the door
    await api(server.url, nurse, `/api/v1/alerts/${a4.id}/resolve`, { method: 'POST', body: '{}' });
    const [unlock] = await waitHook((b) => b.type === 'door.unlock');
    expect(unlock.data).toMatchObject({ door: { id: 'door-stairs' }, residents: [{ id: 'R4' }] });
    // every delivery verifies
    for (const r of hook.received) expect(() => new Webhook(secret).verify(r.text, r.headers as Record<string, string>)).not.toThrow();
  });

  it('an SOS pressed again is sent again with repeats counted up (socket and alert.updated webhook)', async () => {
    const raised = nextAlert(socket, (a) => a.kind === 'sos' && a.residentId === 'R2');
    await postFixes(server.url, sos('T2'));
    const a = await raised;
    const again = nextAlert(socket, (x) => x.id === a.id && x.repeats === 1);
    await postFixes(server.url, sos('T2'));
    expect((await again).repeats).toBe(1);
    const [upd] = await waitHook((b) => b.type === 'alert.updated' && b.data.alert.id === a.id);
    expect(upd.data.alert.repeats).toBe(1);
    await api(server.url, nurse, `/api/v1/alerts/${a.id}/resolve`, { method: 'POST', body: '{}' });
  });

  it('escalates an unacknowledged alert to level 1 then level 2 on real timers; the socket, the webhook and the audit log all see it', async () => {
    const put = await api(server.url, admin, '/api/v1/sites/tiny/escalation', { method: 'PUT', body: JSON.stringify({ steps: [{ afterSeconds: 1, to: 'charge_nurse' }, { afterSeconds: 2, to: 'manager' }] }) });
    expect(put.status).toBe(200);
    const l1 = nextAlert(socket, (a) => a.kind === 'sos' && a.residentId === 'R1' && a.escalationLevel === 1, 8000);
    const l2 = nextAlert(socket, (a) => a.kind === 'sos' && a.residentId === 'R1' && a.escalationLevel === 2, 8000);
    await postFixes(server.url, sos('T1'));
    const one = await l1;
    const two = await l2;
    expect(one.history.at(-1)).toMatchObject({ state: 'escalated', level: 1, to: 'charge_nurse' });
    expect(two.history.filter((h) => h.state === 'escalated').map((h) => [h.level, h.to])).toEqual([
      [1, 'charge_nurse'],
      [2, 'manager'],
    ]);
    const esc = await waitHook((b) => b.type === 'alert.escalated' && b.data.alert.id === two.id, 2);
    expect(esc.map((e) => e.data.level).sort()).toEqual([1, 2]);
    const audit = await api<Array<{ action: string }>>(server.url, admin, `/api/v1/audit?subjectId=${two.id}`);
    expect(audit.body.map((e) => e.action)).toEqual(expect.arrayContaining(['alert.raise', 'alert.escalate', 'webhook.delivered']));
    await api(server.url, nurse, `/api/v1/alerts/${two.id}/resolve`, { method: 'POST', body: '{}' });
  });

  it('an alert acknowledged before step 1 does not escalate', async () => {
    await api(server.url, admin, '/api/v1/sites/tiny/escalation', { method: 'PUT', body: JSON.stringify({ steps: [{ afterSeconds: 1, to: 'manager' }] }) });
    const raised = nextAlert(socket, (a) => a.kind === 'sos' && a.residentId === 'R2');
    await postFixes(server.url, sos('T2'));
    const a = await raised;
    expect((await api(server.url, nurse, `/api/v1/alerts/${a.id}/ack`, { method: 'POST', body: '{}' })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1500));
    const now = (await api<Alert>(server.url, admin, `/api/v1/alerts/${a.id}`)).body;
    expect(now.escalationLevel ?? 0).toBe(0);
    expect(received((b) => b.type === 'alert.escalated' && b.data.alert.id === a.id)).toHaveLength(0);
    await api(server.url, nurse, `/api/v1/alerts/${a.id}/resolve`, { method: 'POST', body: '{}' });
    await api(server.url, admin, '/api/v1/sites/tiny/escalation', { method: 'PUT', body: JSON.stringify({ steps: [] }) });
  });

  it("pushes an encrypted message to the family's phone for their own resident only, and removes a subscription the push service says is gone", async () => {
    const pushService = await startReceiver((r) => (r.path.startsWith('/gone') ? 410 : 201));
    try {
      const ecdh = createECDH('prime256v1');
      const p256dh = ecdh.generateKeys().toString('base64url');
      const auth = randomBytes(16).toString('base64url');
      const sub = await api<{ id: string }>(server.url, family, '/api/v1/push/subscriptions', { method: 'POST', body: JSON.stringify({ endpoint: `${pushService.url}/push/family-phone`, keys: { p256dh, auth } }) });
      expect(sub.status).toBe(201);
      const { publicKey } = (await api<{ publicKey: string }>(server.url, family, '/api/v1/push/vapid-public-key')).body;

      // another resident's SOS, then their own relative's (R1)
      await postFixes(server.url, sos('T2'));
      const own = nextAlert(socket, (a) => a.kind === 'sos' && a.residentId === 'R1' && a.state === 'open');
      await postFixes(server.url, sos('T1'));
      const a = await own;
      const [req] = await pushService.waitFor(1);
      await new Promise((r) => setTimeout(r, 300));
      expect(pushService.received).toHaveLength(1);
      expect(req.path).toBe('/push/family-phone');
      expect(req.headers['content-encoding']).toBe('aes128gcm');
      expect(req.headers.authorization).toMatch(new RegExp(`^vapid t=.+, k=${publicKey}$`));
      const message = JSON.parse(ece.decrypt(req.body, { version: 'aes128gcm', privateKey: ecdh, authSecret: auth }).toString('utf8'));
      expect(message).toMatchObject({ alertId: a.id, kind: 'sos', change: 'raised', residentId: 'R1', residentName: 'Wang Wei', quiet: false });

      // the family learns who acknowledged it
      await api(server.url, nurse, `/api/v1/alerts/${a.id}/ack`, { method: 'POST', body: '{}' });
      const [, ack] = await pushService.waitFor(2);
      expect(JSON.parse(ece.decrypt(ack.body, { version: 'aes128gcm', privateKey: ecdh, authSecret: auth }).toString('utf8'))).toMatchObject({ alertId: a.id, change: 'acknowledged' });

      // an expired subscription (410) is removed
      const gone = await api<{ id: string }>(server.url, family, '/api/v1/push/subscriptions', { method: 'POST', body: JSON.stringify({ endpoint: `${pushService.url}/gone/1`, keys: { p256dh, auth } }) });
      await api(server.url, nurse, `/api/v1/alerts/${a.id}/resolve`, { method: 'POST', body: '{}' });
      for (let i = 0; i < 200 && server.alarm.subscriptions.get(gone.body.id); i++) await new Promise((r) => setTimeout(r, 20));
      expect(server.alarm.subscriptions.get(gone.body.id)).toBeUndefined();
      expect(server.alarm.subscriptions.get(sub.body.id)).toBeDefined();
    } finally {
      await pushService.close();
    }
  });
});
