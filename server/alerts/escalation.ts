/**
 * Escalation (SPEC §10.1): an alert still open `afterSeconds` after it was raised goes up one step.
 * The next step of each open alert is an outbox item (`esc:<alert>:<level>`, due at its time), so
 * timers survive a restart and, claimed under a lease, fire on one node only. A step is completed
 * only once the escalated alert is stored: a crash before that runs it again, and the level already
 * stored makes the second run a no-op, so each step happens exactly once. Acknowledging removes the
 * pending step.
 */
import type { Alert, EpochMs } from '../../geo/model';
import type { OutboxItem, Store } from '../store';
import type { HandleResult, OutboxHandler } from './outbox-dispatcher';
import { RecordCache } from './record-cache';

export interface EscalationStep {
  afterSeconds: number;
  /** A role (`charge_nurse`, `manager`...) or a username. */
  to: string;
}

export interface EscalationRule {
  siteId: string;
  steps: EscalationStep[];
  updatedAt: EpochMs;
  updatedBy: string;
}

/** Sites without a rule of their own (SPEC §5: the charge nurse, then the manager). */
export const DEFAULT_STEPS: readonly EscalationStep[] = [
  { afterSeconds: 120, to: 'charge_nurse' },
  { afterSeconds: 300, to: 'manager' },
];

/** What escalation needs of the alert lifecycle (AlertService). */
export interface Escalatable {
  get(id: string): Alert | undefined;
  escalate(id: string, level: number, to: string, now?: number): Alert | null;
  /** Resolves once the alert's latest change is stored. */
  saved(id: string): Promise<void>;
}

interface StepItem {
  alertId: string;
  level: number;
}

export const ESCALATION_TARGET = 'escalation';
const stepId = (alertId: string, level: number) => `esc:${alertId}:${level}`;

export class EscalationRules extends RecordCache<EscalationRule> {
  constructor(store: Store) {
    super(store, 'escalation');
  }

  steps(siteId: string): readonly EscalationStep[] {
    return this.byId.get(siteId)?.steps ?? DEFAULT_STEPS;
  }

  set(rule: EscalationRule): Promise<void> {
    return this.write(rule.siteId, rule.siteId, rule, rule.updatedAt);
  }
}

export class Escalation implements OutboxHandler {
  readonly name = 'escalation';
  readonly prefix = ESCALATION_TARGET;
  readonly maxInFlight = 64;
  private readonly now: () => number;
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly store: Store,
    private readonly alerts: Escalatable,
    private readonly rules: EscalationRules,
    /** A step was scheduled at `at`: look at the outbox then. */
    private readonly wakeAt: (at: number) => void,
    private readonly log?: { error(obj: object, msg: string): void },
    now?: () => number,
  ) {
    this.now = now ?? Date.now;
  }

  /** Alert sink: schedule the next step, or drop it once the alert is handled. */
  onAlert(alert: Alert, change: string): void {
    if (change === 'raised' || change === 'escalated') this.track(this.schedule(alert));
    else if (change === 'acknowledged' || change === 'resolved') this.track(this.cancel(alert));
  }

  /** Resolves when every step scheduled or cancelled so far is in the store. */
  async settled(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  private track(p: Promise<void>): void {
    const t = p.finally(() => this.pending.delete(t));
    this.pending.add(t);
  }

  /** After a restart, or for alerts raised before escalation was configured: make sure each open alert's next step is queued. */
  async resume(open: readonly Alert[]): Promise<void> {
    for (const a of open) if (a.state === 'open') await this.schedule(a);
  }

  /** Queue the alert's next step (idempotent: the item's id is the alert and the level). */
  async schedule(a: Alert): Promise<void> {
    const level = (a.escalationLevel ?? 0) + 1;
    const step = this.rules.steps(a.siteId)[level - 1];
    if (!step) return;
    const due = a.detectedAt + step.afterSeconds * 1000;
    try {
      const payload: StepItem = { alertId: a.id, level };
      await this.store.enqueueOutbox({ id: stepId(a.id, level), target: ESCALATION_TARGET, payload, createdAt: due });
      this.wakeAt(due);
    } catch (err) {
      this.log?.error({ err, alert: a.id, level }, 'escalation step not scheduled');
    }
  }

  private async cancel(a: Alert): Promise<void> {
    try {
      await this.store.completeOutbox(stepId(a.id, (a.escalationLevel ?? 0) + 1));
    } catch (err) {
      this.log?.error({ err, alert: a.id }, 'escalation step not cancelled (it will find the alert handled)');
    }
  }

  async handle(item: OutboxItem): Promise<HandleResult> {
    const { alertId, level } = item.payload as StepItem;
    const a = this.alerts.get(alertId);
    if (!a || a.state !== 'open' || (a.escalationLevel ?? 0) >= level) return { done: true };
    const step = this.rules.steps(a.siteId)[level - 1];
    if (!step) return { done: true };
    const now = this.now();
    // the rule may have changed since the step was queued: its current time decides
    const due = a.detectedAt + step.afterSeconds * 1000;
    if (due > now) {
      this.wakeAt(due);
      return { retryAt: due, error: 'not due yet (the rule changed)' };
    }
    this.alerts.escalate(alertId, level, step.to, now);
    await this.alerts.saved(alertId);
    return { done: true };
  }
}
