/**
 * Location history has a retention period and is deleted after it (SPEC §9): a periodic job deletes
 * each site's track rows older than its retention (default 30 days). Alerts and the audit trail are
 * not touched: they are the record of what happened and who looked (docs/history.md).
 */
import type { Store } from '../store';

export interface RetentionPolicy {
  defaultDays: number;
  bySite: Record<string, number>;
}

export interface RetentionRun {
  siteId: string;
  /** Rows with ts before this were deleted. */
  before: number;
  removed: number;
}

const DAY = 86_400_000;

export class RetentionJob {
  private timer: ReturnType<typeof setInterval> | null = null;
  private running: Promise<RetentionRun[]> | null = null;
  /** The last completed run, for /metrics and tests. */
  last: { at: number; runs: RetentionRun[] } | null = null;

  constructor(
    private readonly store: Pick<Store, 'deleteTracksBefore' | 'appendAudit'>,
    private readonly siteIds: () => string[],
    private readonly policy: RetentionPolicy,
    private readonly onError: (err: unknown) => void,
    private readonly now: () => number = Date.now,
  ) {}

  daysFor(siteId: string): number {
    return this.policy.bySite[siteId] ?? this.policy.defaultDays;
  }

  /** Deletes every site's expired rows now; one run at a time. Each deletion that removed rows is audited. */
  runOnce(): Promise<RetentionRun[]> {
    return (this.running ??= this.run().finally(() => (this.running = null)));
  }

  /** Runs shortly after start, then every `intervalMs`. */
  start(intervalMs: number, firstAfterMs = 10_000): void {
    const tick = () => void this.runOnce().catch(this.onError);
    const first = setTimeout(tick, firstAfterMs);
    first.unref?.();
    this.timer = setInterval(tick, intervalMs);
    this.timer.unref?.();
    this.stopFirst = () => clearTimeout(first);
  }

  private stopFirst = () => {};

  async stop(): Promise<void> {
    this.stopFirst();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  private async run(): Promise<RetentionRun[]> {
    const at = this.now();
    const runs: RetentionRun[] = [];
    for (const siteId of this.siteIds()) {
      const before = at - this.daysFor(siteId) * DAY;
      const removed = await this.store.deleteTracksBefore(siteId, before);
      runs.push({ siteId, before, removed });
      if (removed > 0) {
        await this.store.appendAudit({
          at,
          actor: 'system',
          action: 'track.retention',
          subjectType: 'site',
          subjectId: siteId,
          siteId,
          detail: { before, removed, days: this.daysFor(siteId) },
        });
      }
    }
    this.last = { at, runs };
    return runs;
  }
}
