/** The alarm chain's settings (environment variables; README "Configuration"). */
export interface AlarmConfig {
  /** First webhook retry delay, doubling per attempt (WEBHOOK_RETRY_BASE_MS, SPEC §10.1). */
  webhookRetryBaseMs: number;
  webhookRetryMaxMs: number;
  webhookMaxAttempts: number;
  /** A receiver silent this long is a failed attempt (WEBHOOK_TIMEOUT_MS). */
  webhookTimeoutMs: number;
  /** Messages in flight to one receiver at once. */
  webhookMaxInFlight: number;
  /** How often the outbox is looked at when nothing woke it (OUTBOX_POLL_MS). */
  outboxPollMs: number;
  /** VAPID contact (VAPID_SUBJECT): mailto: or https:. */
  vapidSubject: string;
  pushTimeoutMs: number;
}

function int(v: string | undefined, d: number, name: string, min = 1): number {
  if (v === undefined || v === '') return d;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name}: expected a whole number >= ${min}, got "${v}"`);
  return n;
}

export function alarmConfigFromEnv(env: NodeJS.ProcessEnv = process.env): AlarmConfig {
  const subject = env.VAPID_SUBJECT || 'mailto:alarm@carewatch.invalid';
  if (!/^(mailto:|https:\/\/)/.test(subject)) throw new Error(`VAPID_SUBJECT: expected mailto:… or https://…, got "${subject}"`);
  return {
    webhookRetryBaseMs: int(env.WEBHOOK_RETRY_BASE_MS, 1000, 'WEBHOOK_RETRY_BASE_MS'),
    webhookRetryMaxMs: int(env.WEBHOOK_RETRY_MAX_MS, 3_600_000, 'WEBHOOK_RETRY_MAX_MS'),
    webhookMaxAttempts: int(env.WEBHOOK_MAX_ATTEMPTS, 20, 'WEBHOOK_MAX_ATTEMPTS'),
    webhookTimeoutMs: int(env.WEBHOOK_TIMEOUT_MS, 10_000, 'WEBHOOK_TIMEOUT_MS'),
    webhookMaxInFlight: int(env.WEBHOOK_MAX_IN_FLIGHT, 4, 'WEBHOOK_MAX_IN_FLIGHT'),
    outboxPollMs: int(env.OUTBOX_POLL_MS, 250, 'OUTBOX_POLL_MS'),
    vapidSubject: subject,
    pushTimeoutMs: int(env.PUSH_TIMEOUT_MS, 10_000, 'PUSH_TIMEOUT_MS'),
  };
}
