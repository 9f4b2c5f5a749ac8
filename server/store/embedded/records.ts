/**
 * The embedded store's small, mutable records held in memory and rebuilt from the journal:
 * alerts (with an index of the unresolved ones per resident), the outbox, and the append-only audit
 * and config-change logs kept sorted by time. Sized for the embedded default (one institution,
 * years of alerts, millions of audit lines); a larger deployment runs PostgreSQL.
 */
import type { Alert } from '../../../geo/model';
import type { AuditEntry, ConfigChange, OutboxItem } from '../types';
import { AlarmTable, isAlarmEntry, type AlarmEntry } from './alarm-records';
import { ConfigTable, type ConfigBatch } from './config-records';
import type { JournalState } from './journal';

export type Entry =
  | { t: 'alert'; v: Alert }
  | { t: 'audit'; v: AuditEntry }
  | { t: 'config'; v: ConfigChange }
  | { t: 'config-batch'; v: ConfigBatch }
  | { t: 'outbox'; v: OutboxItem }
  | { t: 'outbox-done'; id: string }
  | AlarmEntry;

interface Timed {
  at: number;
  id: string;
}

/** Ascending by (at, numeric id): the order appended records are listed in, reversed. */
const before = (a: Timed, b: Timed) => a.at - b.at || Number(a.id) - Number(b.id);

/** Inserts keeping the array sorted; appends in time order (the usual case) cost O(1). */
function insertSorted<T extends Timed>(xs: T[], x: T): void {
  let i = xs.length;
  if (i === 0 || before(xs[i - 1], x) <= 0) {
    xs.push(x);
    return;
  }
  let lo = 0;
  while (lo < i) {
    const mid = (lo + i) >> 1;
    if (before(xs[mid], x) <= 0) lo = mid + 1;
    else i = mid;
  }
  xs.splice(lo, 0, x);
}

export class Records implements JournalState<Entry> {
  readonly alerts = new Map<string, Alert>();
  /** residentId -> ids of its alerts not yet resolved. */
  readonly unresolved = new Map<string, Set<string>>();
  readonly audit: AuditEntry[] = [];
  readonly config: ConfigChange[] = [];
  readonly outbox = new Map<string, OutboxItem>();
  /** Webhooks, rosters, push subscriptions, deliveries... (alarm-records.ts). */
  readonly alarm = new AlarmTable();
  /** Sites, zones, residents, tags... (config-records.ts). */
  readonly configRecords = new ConfigTable();
  private lastId = 0;

  /** Ids of audit and config entries: numeric strings, increasing. */
  nextId(): string {
    return String(++this.lastId);
  }

  apply(e: Entry): void {
    if (isAlarmEntry(e)) return this.alarm.apply(e);
    switch (e.t) {
      case 'alert': {
        const old = this.alerts.get(e.v.id);
        if (old) this.unresolved.get(old.residentId)?.delete(old.id);
        this.alerts.set(e.v.id, e.v);
        if (e.v.state !== 'resolved') {
          let s = this.unresolved.get(e.v.residentId);
          if (!s) this.unresolved.set(e.v.residentId, (s = new Set()));
          s.add(e.v.id);
        }
        break;
      }
      case 'audit':
        insertSorted(this.audit, e.v);
        this.lastId = Math.max(this.lastId, Number(e.v.id));
        break;
      case 'config':
        insertSorted(this.config, e.v);
        this.lastId = Math.max(this.lastId, Number(e.v.id));
        break;
      case 'config-batch':
        this.configRecords.apply(e.v);
        for (const v of e.v.changes) this.apply({ t: 'config', v });
        break;
      case 'outbox':
        this.outbox.set(e.v.id, e.v);
        break;
      case 'outbox-done':
        this.outbox.delete(e.id);
        break;
    }
  }

  snapshot(): Entry[] {
    return [
      ...[...this.alerts.values()].map((v) => ({ t: 'alert' as const, v })),
      ...this.audit.map((v) => ({ t: 'audit' as const, v })),
      ...this.config.map((v) => ({ t: 'config' as const, v })),
      ...[...this.outbox.values()].map((v) => ({ t: 'outbox' as const, v })),
      ...this.alarm.snapshot(),
      ...this.configRecords.snapshot().map((v) => ({ t: 'config-batch' as const, v })),
    ];
  }

  live(): number {
    return this.alerts.size + this.audit.length + this.config.length + this.outbox.size + this.alarm.size + this.configRecords.size;
  }
}

/** Newest first from a time-sorted array: entries with since <= at < until that pass `keep`, at most `limit`. */
export function newestFirst<T extends Timed>(
  xs: readonly T[],
  q: { since?: number; until?: number; limit: number },
  keep: (x: T) => boolean,
): T[] {
  const out: T[] = [];
  // Skip everything at or after `until` by binary search, then walk back.
  let hi = xs.length;
  if (q.until !== undefined) {
    let lo = 0;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (xs[mid].at < q.until) lo = mid + 1;
      else hi = mid;
    }
  }
  for (let i = hi - 1; i >= 0 && out.length < q.limit; i--) {
    const x = xs[i];
    if (q.since !== undefined && x.at < q.since) break;
    if (keep(x)) out.push(x);
  }
  return out;
}
