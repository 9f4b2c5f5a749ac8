import type { Store } from '../store';
import type { AlarmRecordKind } from '../store/alarm-records';

/**
 * The alarm records of one kind (rosters, escalation rules, webhooks, push subscriptions), held in memory
 * for the hot path and written through to the store: `load` once at start, then every write goes to the
 * store first and to memory only when the store took it.
 */
export class RecordCache<T> {
  protected readonly byId = new Map<string, T>();

  constructor(
    protected readonly store: Store,
    private readonly kind: AlarmRecordKind,
  ) {}

  async load(): Promise<void> {
    for (const r of await this.store.listAlarmRecords(this.kind)) this.byId.set(r.id, r.body as T);
  }

  get(id: string): T | undefined {
    return this.byId.get(id);
  }

  protected async write(id: string, siteId: string | null, body: T, updatedAt: number): Promise<void> {
    await this.store.putAlarmRecord({ kind: this.kind, id, siteId, body, updatedAt });
    this.byId.set(id, body);
  }
}
