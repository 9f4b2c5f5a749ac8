/** Webhook delivery from the outbox to real HTTP receivers on loopback. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { OutboxDispatcher } from '../../server/alerts/outbox-dispatcher';
import { retryDelay, WebhookDelivery } from '../../server/alerts/webhook-delivery';
import { messageId, Webhooks } from '../../server/alerts/webhooks';
import { createStore } from '../../server/store/index';
import type { AuditInput, Store } from '../../server/store/types';
import { startReceiver, type Answer, type Receiver } from '../helpers/receiver';

interface Rig {
  store: Store;
  hooks: Webhooks;
  dispatcher: OutboxDispatcher;
  audit: Omit<AuditInput, 'at'>[];
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function rig(timeoutMs = 2000): Promise<Rig> {
  const dir = mkdtempSync(join(tmpdir(), 'carewatch-wh-'));
  const store = await createStore(undefined, dir);
  const audit: Omit<AuditInput, 'at'>[] = [];
  const dispatcher = new OutboxDispatcher(store, { pollMs: 20, leaseMs: timeoutMs * 3 });
  const hooks = new Webhooks(store, () => dispatcher.kick());
  dispatcher.register(new WebhookDelivery(hooks, store, { retryBaseMs: 20, retryMaxMs: 200, maxAttempts: 8, timeoutMs, maxInFlight: 2 }, (e) => audit.push(e)));
  dispatcher.start();
  cleanups.push(async () => {
    await dispatcher.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { store, hooks, dispatcher, audit };
}

async function receiver(answer?: (i: number) => Answer): Promise<Receiver> {
  const r = await startReceiver(answer ? (_r, i) => answer(i) : undefined);
  cleanups.push(() => r.close());
  return r;
}

async function until(cond: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('webhook delivery', () => {
  it('posts {type, timestamp, data} signed so that the receiver verifies it with the standardwebhooks package', async () => {
    const { hooks, audit } = await rig();
    const rcv = await receiver();
    const hook = await hooks.create({ url: rcv.url }, 'admin');
    expect(hook.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    await hooks.publish('alert.raised', 'site-1', 'a1:raised', { alert: { id: 'a1', kind: 'sos' } }, { alertId: 'a1', at: Date.UTC(2026, 0, 1) });
    const [req] = await rcv.waitFor(1);
    const verified = new Webhook(hook.secret).verify(req.text, req.headers as Record<string, string>);
    expect(verified).toEqual({ type: 'alert.raised', timestamp: '2026-01-01T00:00:00.000Z', data: { alert: { id: 'a1', kind: 'sos' } } });
    expect(req.headers['webhook-id']).toBe(messageId('a1:raised', hook.id));
    expect(Number(req.headers['webhook-timestamp'])).toBeGreaterThan(1_700_000_000);
    expect(req.headers['webhook-signature']).toMatch(/^v1,/);
    // a tampered body does not verify
    expect(() => new Webhook(hook.secret).verify(req.text.replace('sos', 'fall'), req.headers as Record<string, string>)).toThrow();
    await until(() => audit.some((e) => e.action === 'webhook.delivered' && e.subjectId === 'a1'));
  });

  it('retries a receiver that fails 3 times and then recovers: one logical message, the same webhook-id on all 4 attempts', async () => {
    const { hooks, store } = await rig();
    const rcv = await receiver((i) => (i < 3 ? 503 : 200));
    const hook = await hooks.create({ url: rcv.url, events: ['alert.escalated'] }, 'admin');
    await hooks.publish('alert.escalated', 's', 'a2:escalated:1', { alert: { id: 'a2' } }, { alertId: 'a2' });
    const reqs = await rcv.waitFor(4);
    expect(new Set(reqs.map((r) => r.headers['webhook-id'])).size).toBe(1);
    for (const r of reqs) expect(() => new Webhook(hook.secret).verify(r.text, r.headers as Record<string, string>)).not.toThrow();
    await until(async () => (await store.listDeliveries(hook.id))[0]?.status === 'delivered');
    const [row] = await store.listDeliveries(hook.id);
    expect(row).toMatchObject({ id: reqs[0].headers['webhook-id'], attempts: 4, status: 'delivered', lastStatus: 200 });
    // and nothing more arrives: the message is complete
    await new Promise((r) => setTimeout(r, 150));
    expect(rcv.received).toHaveLength(4);
  });

  it('enqueues one message when the same event is published twice (after a restart, on two nodes)', async () => {
    const { hooks } = await rig();
    const rcv = await receiver();
    await hooks.create({ url: rcv.url }, 'admin');
    expect(await hooks.publish('alert.escalated', 's', 'a3:escalated:1', {})).toBe(1);
    expect(await hooks.publish('alert.escalated', 's', 'a3:escalated:1', {})).toBe(0);
    await rcv.waitFor(1);
    await new Promise((r) => setTimeout(r, 100));
    expect(rcv.received).toHaveLength(1);
  });

  it('sends only the events and the site a webhook subscribed to', async () => {
    const { hooks } = await rig();
    const rcv = await receiver();
    await hooks.create({ url: rcv.url, events: ['door.lock'], siteId: 'north' }, 'admin');
    await hooks.publish('alert.raised', 'north', 'x:raised', {});
    await hooks.publish('door.lock', 'south', 'x:lock-south', {});
    await hooks.publish('door.lock', 'north', 'x:lock-north', { door: 'd1' });
    const [req] = await rcv.waitFor(1);
    await new Promise((r) => setTimeout(r, 100));
    expect(rcv.received).toHaveLength(1);
    expect(JSON.parse(req.text)).toMatchObject({ type: 'door.lock', data: { door: 'd1' } });
  });

  it('a receiver that never answers delays nothing else: another receiver gets every message while the first still hangs', async () => {
    const { hooks, store } = await rig(60_000);
    const dead = await receiver(() => 'hang');
    const live = await receiver();
    const deadHook = await hooks.create({ url: dead.url }, 'admin');
    await hooks.create({ url: live.url }, 'admin');
    for (let i = 0; i < 10; i++) await hooks.publish('alert.raised', 's', `a${i}:raised`, { i });
    await live.waitFor(10);
    // the dead receiver holds at most its in-flight cap of requests, none answered
    expect(dead.received.length).toBeLessThanOrEqual(2);
    expect((await store.listDeliveries(deadHook.id)).every((d) => d.status === 'pending' && d.attempts === 0)).toBe(true);
  });

  it('records a timeout as a failed attempt and retries it', async () => {
    const { hooks, store } = await rig(100);
    const rcv = await receiver((i) => (i === 0 ? 'hang' : 204));
    const hook = await hooks.create({ url: rcv.url }, 'admin');
    await hooks.publish('alert.resolved', 's', 'a9:resolved', {});
    await rcv.waitFor(2);
    await until(async () => (await store.listDeliveries(hook.id))[0]?.status === 'delivered');
    expect((await store.listDeliveries(hook.id))[0]).toMatchObject({ attempts: 2, status: 'delivered' });
  });

  it('backs off exponentially with jitter around the doubled delay, up to a cap', () => {
    expect(retryDelay(1, 1000, 60_000, () => 0.5)).toBe(1000);
    expect(retryDelay(3, 1000, 60_000, () => 0.5)).toBe(4000);
    expect(retryDelay(3, 1000, 60_000, () => 0)).toBe(3200);
    expect(retryDelay(3, 1000, 60_000, () => 0.999)).toBeLessThan(4800);
    expect(retryDelay(30, 1000, 60_000, () => 0.5)).toBe(60_000);
  });
});
