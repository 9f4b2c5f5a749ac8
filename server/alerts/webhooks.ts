/**
 * Outgoing webhooks (SPEC §10.1, the Standard Webhooks specification): which receivers exist, which
 * events and site each wants, and turning an event into one outbox message per matching receiver.
 * Message ids are derived from the event's own key (alert, change, level...), so the same event
 * published twice (after a restart, on two nodes) is enqueued once: the receiver's idempotency key
 * `webhook-id` is stable from the first attempt to the last. Delivery: webhook-delivery.ts.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { EpochMs } from '../../geo/model';
import type { Store } from '../store';
import { RecordCache } from './record-cache';

export const WEBHOOK_EVENTS = [
  'alert.raised',
  'alert.updated',
  'alert.acknowledged',
  'alert.resolved',
  'alert.escalated',
  'door.lock',
  'door.unlock',
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export interface WebhookConfig {
  id: string;
  url: string;
  /** Empty: every event. */
  events: WebhookEvent[];
  /** null: events of every site (only an admin of every site may ask for that). */
  siteId: string | null;
  secret: string;
  createdAt: EpochMs;
  createdBy: string;
}

/** What the outbox keeps for one message; the body is rebuilt byte-identical from it on every attempt. */
export interface WebhookMessage {
  webhookId: string;
  type: WebhookEvent;
  /** ISO 8601, when the event happened (the body's `timestamp`). */
  timestamp: string;
  data: unknown;
  alertId?: string;
}

export const WEBHOOK_TARGET = 'webhook:';

/** `whsec_` + base64 of 24 random bytes, the form the standardwebhooks libraries accept. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

export function messageId(eventKey: string, webhookId: string): string {
  return `msg_${createHash('sha256').update(`${eventKey}\u0000${webhookId}`).digest('base64url').slice(0, 26)}`;
}

export class Webhooks extends RecordCache<WebhookConfig> {
  constructor(
    store: Store,
    /** Something was enqueued: deliver it now rather than at the next poll. */
    private readonly onEnqueued: () => void = () => undefined,
    private readonly log?: { error(obj: object, msg: string): void },
  ) {
    super(store, 'webhook');
  }

  list(): WebhookConfig[] {
    return [...this.byId.values()];
  }

  async create(spec: { url: string; events?: WebhookEvent[]; siteId?: string | null; secret?: string }, by: string, now = Date.now()): Promise<WebhookConfig> {
    const hook: WebhookConfig = {
      id: `wh_${randomBytes(9).toString('base64url')}`,
      url: spec.url,
      events: [...new Set(spec.events ?? [])],
      siteId: spec.siteId ?? null,
      secret: spec.secret ?? newWebhookSecret(),
      createdAt: now,
      createdBy: by,
    };
    await this.write(hook.id, hook.siteId, hook, now);
    return hook;
  }

  async remove(id: string): Promise<boolean> {
    const had = this.byId.delete(id);
    return (await this.store.deleteAlarmRecord('webhook', id)) || had;
  }

  /**
   * Queue the event for every receiver that wants it. Never throws and never waits for a receiver:
   * it resolves once the messages are in the outbox (durable), with how many were new.
   */
  async publish(type: WebhookEvent, siteId: string, eventKey: string, data: unknown, opts: { at?: number; alertId?: string } = {}): Promise<number> {
    const at = opts.at ?? Date.now();
    const targets = this.list().filter((h) => (h.siteId === null || h.siteId === siteId) && (h.events.length === 0 || h.events.includes(type)));
    let queued = 0;
    await Promise.all(
      targets.map(async (h) => {
        const id = messageId(eventKey, h.id);
        const payload: WebhookMessage = { webhookId: h.id, type, timestamp: new Date(at).toISOString(), data, ...(opts.alertId ? { alertId: opts.alertId } : {}) };
        try {
          // the log row first: once the message is in the outbox an attempt may be recorded at any moment
          await this.store.saveDelivery({ id, webhookId: h.id, type, alertId: opts.alertId, createdAt: at, updatedAt: at, attempts: 0, status: 'pending' });
          if (await this.store.enqueueOutbox({ id, target: `${WEBHOOK_TARGET}${h.id}`, payload, createdAt: at })) queued++;
        } catch (err) {
          this.log?.error({ err, webhook: h.id, type }, 'webhook message not queued');
        }
      }),
    );
    if (queued) this.onEnqueued();
    return queued;
  }
}
