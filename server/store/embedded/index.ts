/**
 * The embedded default: everything in one data directory, pure TypeScript, no native addon and no
 * server. Track history lives in hour segments (tracks.ts); the small mutable records in a journal
 * replayed into memory (journal.ts, records.ts). Why this engine and not LevelDB, LMDB or SQLite:
 * docs/store.md (bench/store-engines.ts).
 *
 *   <dir>/LOCK          pid of the process that has the directory open
 *   <dir>/records.log   alerts, audit, outbox, config changes
 *   <dir>/accounts.json, sessions.log   accounts, ingest keys, sessions (auth-records.ts)
 *   <dir>/tracks/<site>/<YYYY-MM-DDTHH>.seg
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Alert } from '../../../geo/model';
import {
  OUTBOX_LEASE_MS,
  type AlertQuery,
  type AuditEntry,
  type AuditInput,
  type AuditQuery,
  type ConfigChange,
  type ConfigChangeInput,
  type OutboxInput,
  type OutboxItem,
  type Store,
  type TrackPage,
  type TrackQuery,
  type TrackRow,
} from '../types';
import { DELIVERIES_KEPT_PER_WEBHOOK, type AlarmRecord, type AlarmRecordKind, type DeliveryRecord } from '../alarm-records';
import { checkConfigWrite, type ConfigQuery, type ConfigRecord, type ConfigWrite } from '../config-records';
import { checkTrackRows, pageLimit } from '../validate';
import { EmbeddedAuthRecords } from './auth-records';
import { lockDir as lock, unlockDir as unlock } from './dir-lock';
import { Journal } from './journal';
import { type Entry, Records, newestFirst } from './records';
import { TrackLog } from './tracks';

/** Stored and returned records are copies: a caller mutating its object must not change the store. */
const copy = <T>(x: T): T => structuredClone(x);

export class EmbeddedStore implements Store {
  readonly kind = 'embedded' as const;
  /** Outbox operations and guarded config writes read then write; one at a time keeps them from racing. */
  private outboxLock: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly dir: string,
    private readonly records: Records,
    private readonly journal: Journal<Entry>,
    private readonly tracks: TrackLog,
    readonly auth: EmbeddedAuthRecords,
  ) {}

  static async open(dataDir: string): Promise<EmbeddedStore> {
    const dir = resolve(dataDir);
    await mkdir(dir, { recursive: true });
    await lock(dir);
    try {
      const records = new Records();
      const journal = await Journal.open(join(dir, 'records.log'), records, () => records.live());
      const tracks = await TrackLog.open(dir);
      return new EmbeddedStore(dir, records, journal, tracks, await EmbeddedAuthRecords.open(dir));
    } catch (e) {
      await unlock(dir);
      throw e;
    }
  }

  // ---- alerts ----

  async saveAlert(alert: Alert): Promise<void> {
    await this.journal.write([{ t: 'alert', v: copy(alert) }]);
  }

  async getAlert(id: string): Promise<Alert | null> {
    const a = this.records.alerts.get(id);
    return a ? copy(a) : null;
  }

  async listAlerts(q: AlertQuery = {}): Promise<Alert[]> {
    const unresolvedOnly = q.state === 'open' || q.state === 'acknowledged';
    const pool = unresolvedOnly
      ? [...this.records.unresolved.values()].flatMap((ids) => [...ids].map((id) => this.records.alerts.get(id)!))
      : [...this.records.alerts.values()];
    const hits = pool.filter(
      (a) =>
        (q.siteId === undefined || a.siteId === q.siteId) &&
        (q.state === undefined || a.state === q.state) &&
        (q.residentId === undefined || a.residentId === q.residentId) &&
        (q.since === undefined || a.detectedAt >= q.since) &&
        (q.until === undefined || a.detectedAt < q.until),
    );
    return hits.sort(newestAlertFirst).slice(0, pageLimit(q.limit, 100, 1000)).map(copy);
  }

  async openAlertsFor(residentId: string): Promise<Alert[]> {
    const ids = this.records.unresolved.get(residentId) ?? new Set<string>();
    return [...ids].map((id) => this.records.alerts.get(id)!).sort(newestAlertFirst).map(copy);
  }

  // ---- audit and config log ----

  async appendAudit(entry: AuditInput): Promise<AuditEntry> {
    const v: AuditEntry = { ...copy(entry), id: this.records.nextId() };
    await this.journal.write([{ t: 'audit', v }]);
    return copy(v);
  }

  async listAudit(q: AuditQuery = {}): Promise<AuditEntry[]> {
    const hits = newestFirst(
      this.records.audit,
      { since: q.since, until: q.until, limit: pageLimit(q.limit, 100, 1000) },
      (e) => (q.subjectId === undefined || e.subjectId === q.subjectId) && (q.actor === undefined || e.actor === q.actor),
    );
    return hits.map(copy);
  }

  async appendConfigChange(change: ConfigChangeInput): Promise<ConfigChange> {
    const v: ConfigChange = { ...copy(change), id: this.records.nextId() };
    await this.journal.write([{ t: 'config', v }]);
    return copy(v);
  }

  async listConfigChanges(q: { entity?: string; entityId?: string; limit?: number } = {}): Promise<ConfigChange[]> {
    const hits = newestFirst(
      this.records.config,
      { limit: pageLimit(q.limit, 100, 1000) },
      (c) => (q.entity === undefined || c.entity === q.entity) && (q.entityId === undefined || c.entityId === q.entityId),
    );
    return hits.map(copy);
  }

  // ---- configuration records ----

  async writeConfig(w: ConfigWrite): Promise<boolean> {
    checkConfigWrite(w);
    return this.serial(async () => {
      if (w.ifAbsent && this.records.configRecords.has(w.ifAbsent)) return false;
      const changes = w.changes.map((c) => ({ ...copy(c), id: this.records.nextId() }));
      const put = (w.put ?? []).map(copy);
      const del = (w.delete ?? []).map(({ kind, id }) => ({ kind, id }));
      await this.journal.write([{ t: 'config-batch', v: { put, del, changes } }]);
      return true;
    });
  }

  async listConfig(q: ConfigQuery = {}): Promise<ConfigRecord[]> {
    return this.records.configRecords.list(q).map(copy);
  }

  // ---- tracks ----

  async appendFixes(rows: readonly TrackRow[]): Promise<void> {
    checkTrackRows(rows);
    await this.tracks.append(rows);
  }

  queryTrack(q: TrackQuery): Promise<TrackPage> {
    return this.tracks.query(q);
  }

  deleteTracksBefore(siteId: string, before: number): Promise<number> {
    return this.tracks.deleteBefore(siteId, before);
  }

  // ---- outbox ----

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.outboxLock.then(fn, fn);
    this.outboxLock = run.catch(() => undefined);
    return run;
  }

  enqueueOutbox(item: OutboxInput): Promise<boolean> {
    return this.serial(async () => {
      if (this.records.outbox.has(item.id)) return false;
      const v: OutboxItem = { ...copy(item), attempts: 0, nextAttemptAt: item.createdAt };
      await this.journal.write([{ t: 'outbox', v }]);
      return true;
    });
  }

  claimOutbox(limit: number, now: number, leaseMs = OUTBOX_LEASE_MS): Promise<OutboxItem[]> {
    return this.serial(async () => {
      const due = [...this.records.outbox.values()]
        .filter((o) => o.nextAttemptAt <= now)
        .sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1))
        .slice(0, Math.max(0, Math.floor(limit)));
      if (!due.length) return [];
      const claimed = due.map((o) => ({ ...o, attempts: o.attempts + 1, nextAttemptAt: now + leaseMs }));
      await this.journal.write(claimed.map((v) => ({ t: 'outbox' as const, v })));
      return claimed.map(copy);
    });
  }

  completeOutbox(id: string): Promise<void> {
    return this.serial(async () => {
      if (this.records.outbox.has(id)) await this.journal.write([{ t: 'outbox-done', id }]);
    });
  }

  failOutbox(id: string, nextAttemptAt: number, error: string): Promise<void> {
    return this.serial(async () => {
      const o = this.records.outbox.get(id);
      if (o) await this.journal.write([{ t: 'outbox', v: { ...o, nextAttemptAt, lastError: error } }]);
    });
  }

  // ---- alarm records (alarm-records.ts) ----

  async putAlarmRecord(r: AlarmRecord): Promise<void> {
    await this.journal.write([{ t: 'alarm-put', v: copy(r) }]);
  }

  async deleteAlarmRecord(kind: AlarmRecordKind, id: string): Promise<boolean> {
    if (!this.records.alarm.has(kind, id)) return false;
    await this.journal.write([{ t: 'alarm-del', kind, id }]);
    return true;
  }

  async listAlarmRecords(kind: AlarmRecordKind, siteId?: string): Promise<AlarmRecord[]> {
    return this.records.alarm.list(kind, siteId).map(copy);
  }

  async saveDelivery(d: DeliveryRecord): Promise<void> {
    await this.journal.write([{ t: 'delivery', v: copy(d) }]);
  }

  async listDeliveries(webhookId: string, limit?: number): Promise<DeliveryRecord[]> {
    return this.records.alarm.listDeliveries(webhookId, pageLimit(limit, 100, DELIVERIES_KEPT_PER_WEBHOOK)).map(copy);
  }

  async close(): Promise<void> {
    await this.outboxLock;
    await this.journal.close();
    await this.tracks.close();
    await this.auth.close();
    await unlock(this.dir);
  }
}

function newestAlertFirst(a: Alert, b: Alert): number {
  return b.detectedAt - a.detectedAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}
