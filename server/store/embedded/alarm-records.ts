/**
 * The embedded store's alarm records (../alarm-records.ts): maps rebuilt from the journal. Deliveries
 * keep the newest DELIVERIES_KEPT_PER_WEBHOOK per webhook, so the log stays bounded however long a
 * receiver has been failing.
 */
import { alarmKey, DELIVERIES_KEPT_PER_WEBHOOK, type AlarmRecord, type AlarmRecordKind, type DeliveryRecord } from '../alarm-records';

export type AlarmEntry =
  | { t: 'alarm-put'; v: AlarmRecord }
  | { t: 'alarm-del'; kind: AlarmRecordKind; id: string }
  | { t: 'delivery'; v: DeliveryRecord };

export const isAlarmEntry = (e: { t: string }): e is AlarmEntry => e.t === 'alarm-put' || e.t === 'alarm-del' || e.t === 'delivery';

export class AlarmTable {
  private readonly records = new Map<string, AlarmRecord>();
  /** webhookId -> message id -> delivery, in first-seen order. */
  private readonly deliveries = new Map<string, Map<string, DeliveryRecord>>();

  get size(): number {
    let n = this.records.size;
    for (const d of this.deliveries.values()) n += d.size;
    return n;
  }

  has(kind: AlarmRecordKind, id: string): boolean {
    return this.records.has(alarmKey(kind, id));
  }

  apply(e: AlarmEntry): void {
    if (e.t === 'alarm-put') this.records.set(alarmKey(e.v.kind, e.v.id), e.v);
    else if (e.t === 'alarm-del') this.records.delete(alarmKey(e.kind, e.id));
    else {
      let m = this.deliveries.get(e.v.webhookId);
      if (!m) this.deliveries.set(e.v.webhookId, (m = new Map()));
      m.set(e.v.id, e.v);
      if (m.size > DELIVERIES_KEPT_PER_WEBHOOK) m.delete(m.keys().next().value!);
    }
  }

  list(kind: AlarmRecordKind, siteId?: string): AlarmRecord[] {
    const out: AlarmRecord[] = [];
    for (const r of this.records.values()) if (r.kind === kind && (siteId === undefined || r.siteId === siteId)) out.push(r);
    return out;
  }

  listDeliveries(webhookId: string, limit: number): DeliveryRecord[] {
    const all = [...(this.deliveries.get(webhookId)?.values() ?? [])];
    return all.sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1)).slice(0, limit);
  }

  snapshot(): AlarmEntry[] {
    return [
      ...[...this.records.values()].map((v) => ({ t: 'alarm-put' as const, v })),
      ...[...this.deliveries.values()].flatMap((m) => [...m.values()].map((v) => ({ t: 'delivery' as const, v }))),
    ];
  }
}
