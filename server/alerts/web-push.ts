/**
 * Web Push (RFC 8030/8291/8292 through the `web-push` package) to family and staff phones. The VAPID
 * key pair is generated once and kept in the store; subscriptions are kept per account (one per
 * browser) with the device's quiet-vibrate choice; a push service answering 404 or 410 means the
 * subscription expired and it is removed. Each notification is an outbox item, so pushes are retried
 * and survive a restart like webhooks; `web-push` builds the encrypted request, we send it (any
 * push service URL, https in production, a loopback service in tests).
 */
import { createHash } from 'node:crypto';
import webpush from 'web-push';
import type { EpochMs } from '../../geo/model';
import type { PushMessage } from '../contract';
import type { OutboxItem, Store } from '../store';
import type { HandleResult, OutboxHandler } from './outbox-dispatcher';
import { retryDelay } from './webhook-delivery';
import { RecordCache } from './record-cache';

export interface VapidKeys {
  publicKey: string;
  privateKey: string;
}

export interface PushSubscriptionRecord {
  id: string;
  username: string;
  endpoint: string;
  keys: { p256dh: string; auth: string };
  /** Vibrate without the loud alarm (a night nurse walking the halls). */
  quiet: boolean;
  createdAt: EpochMs;
}

interface PushItem {
  subscriptionId: string;
  message: PushMessage;
}

export type { PushMessage };

export const PUSH_TARGET = 'push:';

export async function loadVapidKeys(store: Store, now = Date.now()): Promise<VapidKeys> {
  const [kept] = await store.listAlarmRecords('vapid');
  if (kept) return kept.body as VapidKeys;
  const keys = webpush.generateVAPIDKeys();
  await store.putAlarmRecord({ kind: 'vapid', id: 'default', siteId: null, body: keys, updatedAt: now });
  return keys;
}

export const subscriptionId = (endpoint: string) => `ps_${createHash('sha256').update(endpoint).digest('base64url').slice(0, 22)}`;

export class PushSubscriptions extends RecordCache<PushSubscriptionRecord> {
  constructor(store: Store) {
    super(store, 'push-subscription');
  }

  of(username: string): PushSubscriptionRecord[] {
    return [...this.byId.values()].filter((s) => s.username === username);
  }

  /** One subscription per endpoint: a browser subscribing again (or for another account) replaces it. */
  async put(sub: Omit<PushSubscriptionRecord, 'id'>): Promise<PushSubscriptionRecord> {
    const rec: PushSubscriptionRecord = { id: subscriptionId(sub.endpoint), ...sub };
    await this.write(rec.id, null, rec, rec.createdAt);
    return rec;
  }

  async remove(id: string): Promise<boolean> {
    this.byId.delete(id);
    return this.store.deleteAlarmRecord('push-subscription', id);
  }
}

export interface PushOptions {
  vapid: VapidKeys;
  /** VAPID `sub` claim: a mailto: or https: contact for the push service operators. */
  subject: string;
  timeoutMs: number;
  retryBaseMs: number;
  maxAttempts: number;
  now?: () => number;
  onSent?: (m: PushMessage, at: number) => void;
  onExpired?: (sub: PushSubscriptionRecord) => void;
}

export class WebPushSender implements OutboxHandler {
  readonly maxInFlight = 16;
  readonly prefix = PUSH_TARGET;
  private readonly now: () => number;

  constructor(
    private readonly subs: PushSubscriptions,
    private readonly store: Store,
    private readonly opts: PushOptions,
    private readonly onEnqueued: () => void = () => undefined,
  ) {
    this.now = opts.now ?? Date.now;
  }

  /** Queue a message to every device of these accounts; `key` makes it once per event and device. */
  async notify(usernames: Iterable<string>, key: string, message: Omit<PushMessage, 'quiet'>): Promise<number> {
    let queued = 0;
    for (const u of new Set(usernames))
      for (const sub of this.subs.of(u)) {
        const payload: PushItem = { subscriptionId: sub.id, message: { ...message, quiet: sub.quiet } };
        if (await this.store.enqueueOutbox({ id: `push:${key}:${sub.id}`, target: `${PUSH_TARGET}${sub.id}`, payload, createdAt: this.now() })) queued++;
      }
    if (queued) this.onEnqueued();
    return queued;
  }

  async handle(item: OutboxItem): Promise<HandleResult> {
    const { subscriptionId: id, message } = item.payload as PushItem;
    const sub = this.subs.get(id);
    if (!sub) return { done: true };
    const req = webpush.generateRequestDetails({ endpoint: sub.endpoint, keys: sub.keys }, JSON.stringify(message), {
      vapidDetails: { subject: this.opts.subject, publicKey: this.opts.vapid.publicKey, privateKey: this.opts.vapid.privateKey },
      TTL: 600,
      urgency: 'high',
      // one notification per alert on the phone: a later change replaces the earlier one
      topic: message.alertId.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 32),
    });
    let error: string;
    try {
      const res = await fetch(req.endpoint, {
        method: req.method,
        headers: req.headers as Record<string, string>,
        body: req.body ? new Uint8Array(req.body) : undefined,
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
      await res.body?.cancel().catch(() => undefined);
      if (res.status >= 200 && res.status < 300) {
        this.opts.onSent?.(message, this.now());
        return { done: true };
      }
      if (res.status === 404 || res.status === 410) {
        await this.subs.remove(sub.id);
        this.opts.onExpired?.(sub);
        return { done: true };
      }
      error = `push service answered ${res.status}`;
    } catch (err) {
      error = (err as Error).name === 'TimeoutError' ? 'push service did not answer' : (err as Error).message;
    }
    if (item.attempts >= this.opts.maxAttempts) return { done: true };
    return { retryAt: this.now() + retryDelay(item.attempts, this.opts.retryBaseMs, 60_000), error };
  }
}
