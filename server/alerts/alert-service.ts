import { randomBytes } from 'node:crypto';
import type { Alert, AlertCandidate, AlertState, Resident } from '../../geo/model';
import type { Registry } from '../registry';
import type { AlertChange, AlertSink } from '../sinks';

export interface AlertPersistence {
  saveAlert(alert: Alert): Promise<void>;
}

export class AlertTransitionError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

const MAX_RESOLVED_IN_MEMORY = 2000;

/** Kinds whose every repeat is news (a device event each time), not a continuing condition. */
const REPEATS_SENT: ReadonlySet<Alert['kind']> = new Set<Alert['kind']>(['sos', 'fall']);

const SEVERITY_RANK: Record<Alert['severity'], number> = { low: 0, medium: 1, high: 2, critical: 3 };

/** Sortable, unique, no coordination: 48 bits of time then 80 random bits (ULID-like, base32hex). */
function newAlertId(now: number): string {
  return now.toString(32).padStart(10, '0') + randomBytes(10).toString('hex').slice(0, 16);
}

/**
 * The lifecycle of alerts: one open alert per resident and kind (later detections fold into it),
 * open -> acknowledged -> resolved with who, when and a note, and the clearing of self-healing
 * conditions (a tag that speaks again, a battery charged).
 */
export class AlertService {
  private readonly alerts = new Map<string, Alert>();
  /** `${residentId}|${kind}` -> id of the alert that is not resolved yet */
  private readonly active = new Map<string, string>();
  private readonly saving = new Map<string, Promise<void>>();
  private readonly lastAttempt = new Map<string, Promise<void>>();
  private readonly resolvedOrder: string[] = [];

  constructor(
    private readonly registry: Registry,
    /** Every new alert and every change of one, after it is queued for the store (server/sinks.ts). */
    private readonly sink: AlertSink,
    private readonly persistence?: AlertPersistence,
    private readonly onPersistError: (err: unknown) => void = (err) => console.error('alert not saved', err),
  ) {}

  /** Load alerts from the store after a restart. */
  restore(alerts: Alert[]): void {
    for (const a of alerts) {
      this.alerts.set(a.id, a);
      if (a.state !== 'resolved') this.active.set(`${a.residentId}|${a.kind}`, a.id);
    }
  }

  /**
   * Folds a detector's candidate into the resident's alert of that kind: raises one if none is open,
   * counts a repeat (raising the severity if higher) if one is, resolves it on a clearing candidate.
   * Candidates must arrive in the order they were produced.
   */
  fold(residentId: string, tagId: string, c: AlertCandidate, now = Date.now()): Alert | null {
    const resident = this.registry.residents.get(residentId);
    if (!resident) return null;
    const key = `${residentId}|${c.kind}`;
    const activeId = this.active.get(key);
    const current = activeId ? this.alerts.get(activeId) : undefined;
    if (c.clear) {
      if (!current) return null;
      return this.transition(current, 'resolved', 'system', c.detail ?? 'condition cleared', now);
    }
    if (current) {
      current.repeats++;
      current.updatedAt = now;
      current.position = this.position(resident, c);
      current.floorId = c.floorId;
      current.zoneId = c.zoneId ?? current.zoneId;
      // a resident pressing SOS again, or falling again, must be seen: sent again with `repeats` counted up
      if (SEVERITY_RANK[c.severity] > SEVERITY_RANK[current.severity] || REPEATS_SENT.has(c.kind)) {
        if (SEVERITY_RANK[c.severity] > SEVERITY_RANK[current.severity]) current.severity = c.severity;
        this.commit(current, 'updated');
      } else {
        this.save(current);
      }
      return current;
    }
    const alert: Alert = {
      id: newAlertId(now),
      kind: c.kind,
      severity: c.severity,
      state: 'open',
      residentId,
      residentName: resident.name,
      tagId,
      siteId: resident.siteId,
      wardId: resident.wardId,
      floorId: c.floorId,
      zoneId: c.zoneId,
      position: this.position(resident, c),
      fixTs: c.fixTs,
      detectedAt: now,
      updatedAt: now,
      repeats: 0,
      detail: c.detail,
      history: [{ state: 'open', by: 'system', at: now, note: c.detail }],
    };
    // video linkage: the cameras of the zone travel with the alert (the nurse's card, the VMS webhook)
    const cameras = c.zoneId ? this.registry.zones.get(c.zoneId)?.cameras : undefined;
    if (cameras?.length) alert.cameras = cameras;
    this.alerts.set(alert.id, alert);
    this.active.set(key, alert.id);
    this.commit(alert, 'raised');
    return alert;
  }

  acknowledge(id: string, by: string, note: string | undefined, now = Date.now()): Alert {
    const a = this.require(id);
    if (a.state !== 'open') throw new AlertTransitionError(`alert is ${a.state}, only an open alert can be acknowledged`, 409);
    return this.transition(a, 'acknowledged', by, note, now);
  }

  resolve(id: string, by: string, note: string | undefined, now = Date.now()): Alert {
    const a = this.require(id);
    if (a.state === 'resolved') throw new AlertTransitionError('alert is already resolved', 409);
    return this.transition(a, 'resolved', by, note, now);
  }

  /** Nobody acknowledged in time: record the step reached and send the alert again (to its new audience too). */
  escalate(id: string, level: number, to: string, now = Date.now()): Alert | null {
    const a = this.alerts.get(id);
    if (!a || a.state !== 'open' || (a.escalationLevel ?? 0) >= level) return null;
    a.escalationLevel = level;
    a.updatedAt = now;
    a.history.push({ state: 'escalated', level, to, by: 'system', at: now });
    this.commit(a, 'escalated');
    return a;
  }

  get(id: string): Alert | undefined {
    return this.alerts.get(id);
  }

  list(filter: { state?: AlertState; siteId?: string } = {}): Alert[] {
    const out: Alert[] = [];
    for (const a of this.alerts.values()) {
      if (filter.state && a.state !== filter.state) continue;
      if (filter.siteId && a.siteId !== filter.siteId) continue;
      out.push(a);
    }
    return out.sort((a, b) => b.detectedAt - a.detectedAt);
  }

  /** A resident's alerts that are not resolved yet (open or acknowledged), from the index, not a scan. */
  activeFor(residentId: string): Alert[] {
    const out: Alert[] = [];
    for (const [key, id] of this.active) {
      if (key.slice(0, key.lastIndexOf('|')) !== residentId) continue;
      const a = this.alerts.get(id);
      if (a) out.push(a);
    }
    return out;
  }

  /** Residents with an alert that is not resolved (the live map draws them red). */
  activeResidentIds(): Set<string> {
    return new Set([...this.active.keys()].map((k) => k.split('|')[0]));
  }

  private transition(a: Alert, state: AlertState, by: string, note: string | undefined, now: number): Alert {
    a.state = state;
    a.updatedAt = now;
    a.history.push({ state, by, at: now, ...(note ? { note } : {}) });
    if (state === 'resolved') {
      this.active.delete(`${a.residentId}|${a.kind}`);
      // resolved alerts live in the store; memory keeps only the most recent for quick reads
      this.resolvedOrder.push(a.id);
      if (this.resolvedOrder.length > MAX_RESOLVED_IN_MEMORY) this.alerts.delete(this.resolvedOrder.shift()!);
    }
    this.commit(a, state === 'open' ? 'updated' : state);
    return a;
  }

  private commit(a: Alert, change: AlertChange): void {
    this.save(a);
    this.sink.onAlert(a, change);
  }

  private save(a: Alert): void {
    if (!this.persistence) return;
    // one write at a time per alert, each a snapshot, so an older state can never land last
    const snapshot = structuredClone(a);
    const prev = this.saving.get(a.id) ?? Promise.resolve();
    const attempt = prev.then(() => this.persistence!.saveAlert(snapshot));
    this.lastAttempt.set(a.id, attempt);
    const next = attempt.catch(this.onPersistError).finally(() => {
      if (this.saving.get(a.id) === next) {
        this.saving.delete(a.id);
        this.lastAttempt.delete(a.id);
      }
    });
    this.saving.set(a.id, next);
  }

  /** Resolves once the alert's latest change is stored; rejects if that write failed. */
  async saved(id: string): Promise<void> {
    await this.lastAttempt.get(id);
  }

  /** Resolves when every alert change so far is stored. */
  async flushed(): Promise<void> {
    await Promise.all([...this.saving.values()]);
  }

  private require(id: string): Alert {
    const a = this.alerts.get(id);
    if (!a) throw new AlertTransitionError(`no alert ${id}`, 404);
    return a;
  }

  private position(r: Resident, c: AlertCandidate): Alert['position'] {
    const [lon, lat] = this.registry.frame(r.siteId)?.toLngLat(c.position.x, c.position.y) ?? [NaN, NaN];
    return { floorId: c.floorId, x: c.position.x, y: c.position.y, lon, lat };
  }
}
