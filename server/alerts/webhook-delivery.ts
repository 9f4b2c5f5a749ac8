/**
 * Sends webhook messages from the outbox: signs each attempt (Standard Webhooks: `webhook-id`,
 * `webhook-timestamp`, `webhook-signature` = v1,<base64 HMAC-SHA256 of "id.timestamp.body">), POSTs
 * with a timeout, and on a non-2xx answer, a timeout or a connection error reschedules with
 * exponential backoff and jitter. Every attempt updates the message's row in the delivery log.
 */
import { Webhook } from 'standardwebhooks';
import type { OutboxItem, Store, DeliveryRecord, AuditInput } from '../store';
import type { HandleResult, OutboxHandler } from './outbox-dispatcher';
import { WEBHOOK_TARGET, type WebhookMessage, type Webhooks } from './webhooks';

export interface DeliveryOptions {
  /** First retry delay (WEBHOOK_RETRY_BASE_MS); doubles per attempt. */
  retryBaseMs: number;
  /** The longest wait between two attempts. */
  retryMaxMs: number;
  /** Attempts before a message is given up (marked failed, kept in the log). */
  maxAttempts: number;
  /** A receiver that has not answered within this is a failed attempt (WEBHOOK_TIMEOUT_MS). */
  timeoutMs: number;
  /** Messages in flight to one receiver at once. */
  maxInFlight: number;
  now?: () => number;
  /** Called after each attempt (metrics: delivery latency). */
  onAttempt?: (d: DeliveryRecord, msg: WebhookMessage) => void;
}

/** ±20 % around the doubled delay, so receivers that failed together are not retried together. */
export function retryDelay(attempts: number, base: number, max: number, rnd = Math.random): number {
  const d = Math.min(max, base * 2 ** Math.max(0, attempts - 1));
  return Math.round(d * (0.8 + 0.4 * rnd()));
}

export class WebhookDelivery implements OutboxHandler {
  readonly prefix = WEBHOOK_TARGET;
  readonly maxInFlight: number;
  /** Rows of messages seen by this process (the store has them too; this saves a read per attempt). */
  private readonly rows = new Map<string, DeliveryRecord>();
  private readonly warmed = new Map<string, Promise<void>>();
  private readonly now: () => number;

  constructor(
    private readonly hooks: Webhooks,
    private readonly store: Store,
    private readonly opts: DeliveryOptions,
    private readonly audit: (e: Omit<AuditInput, 'at'>) => void,
  ) {
    this.maxInFlight = opts.maxInFlight;
    this.now = opts.now ?? Date.now;
  }

  async handle(item: OutboxItem): Promise<HandleResult> {
    const msg = item.payload as WebhookMessage;
    const row = await this.row(item, msg);
    const hook = this.hooks.get(msg.webhookId);
    if (!hook) {
      await this.save({ ...row, status: 'failed', lastError: 'webhook deleted', updatedAt: this.now() });
      return { done: true };
    }
    const body = JSON.stringify({ type: msg.type, timestamp: msg.timestamp, data: msg.data });
    const sentAt = new Date(this.now());
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'carewatch-webhooks/1',
      'webhook-id': item.id,
      'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
      'webhook-signature': new Webhook(hook.secret).sign(item.id, sentAt, body),
    };
    let status: number | undefined;
    let error: string | undefined;
    try {
      const res = await fetch(hook.url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(this.opts.timeoutMs) });
      status = res.status;
      await res.body?.cancel().catch(() => undefined);
      if (status < 200 || status > 299) error = `HTTP ${status}`;
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      error = e.name === 'TimeoutError' ? `no answer within ${this.opts.timeoutMs} ms` : (e.cause?.code ?? e.message);
    }
    const now = this.now();
    const attempts = row.attempts + 1;
    const next: DeliveryRecord = { ...row, attempts, updatedAt: now, lastStatus: status, lastError: error };
    if (status === undefined) delete next.lastStatus;
    if (!error) {
      delete next.lastError;
      const done: DeliveryRecord = { ...next, status: 'delivered', deliveredAt: now };
      await this.save(done);
      this.opts.onAttempt?.(done, msg);
      this.trail(msg, 'webhook.delivered', { attempts, status });
      return { done: true };
    }
    if (attempts >= this.opts.maxAttempts) {
      await this.save({ ...next, status: 'failed' });
      this.trail(msg, 'webhook.failed', { attempts, status, error });
      return { done: true };
    }
    await this.save({ ...next, status: 'pending' });
    this.opts.onAttempt?.(next, msg);
    return { retryAt: now + retryDelay(attempts, this.opts.retryBaseMs, this.opts.retryMaxMs), error };
  }

  private trail(msg: WebhookMessage, action: string, detail: object): void {
    this.audit({
      actor: 'system',
      action,
      subjectType: msg.alertId ? 'alert' : 'webhook',
      subjectId: msg.alertId ?? msg.webhookId,
      detail: { webhookId: msg.webhookId, type: msg.type, ...detail },
    });
  }

  private async row(item: OutboxItem, msg: WebhookMessage): Promise<DeliveryRecord> {
    let row = this.rows.get(item.id);
    if (!row) {
      // after a restart: the attempts so far are in the store's log (read once per webhook, shared by concurrent attempts)
      let warm = this.warmed.get(msg.webhookId);
      if (!warm) {
        warm = this.store.listDeliveries(msg.webhookId, 500).then((ds) => {
          for (const d of ds) if (d.status === 'pending' && !this.rows.has(d.id)) this.rows.set(d.id, d);
        });
        this.warmed.set(msg.webhookId, warm);
        warm.catch(() => this.warmed.delete(msg.webhookId));
      }
      await warm;
      row = this.rows.get(item.id);
    }
    return (
      row ?? { id: item.id, webhookId: msg.webhookId, type: msg.type, alertId: msg.alertId, createdAt: item.createdAt, updatedAt: item.createdAt, attempts: 0, status: 'pending' }
    );
  }

  private async save(d: DeliveryRecord): Promise<void> {
    if (d.status === 'pending') this.rows.set(d.id, d);
    else this.rows.delete(d.id);
    await this.store.saveDelivery(d);
  }
}
