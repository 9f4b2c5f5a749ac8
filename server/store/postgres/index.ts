/**
 * The production store: PostgreSQL through a `pg` pool. The schema (default `carewatch`) is created
 * and migrated on open; all tables are schema-qualified, so several stores (tests, tenants) can share
 * one database. Track batches go in as one multi-row INSERT ... SELECT FROM unnest(arrays) per chunk,
 * inside one transaction per `appendFixes`: one round trip per 5 000 rows, durable at COMMIT.
 */
import pg from 'pg';
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
import { checkTrackRows, pageLimit } from '../validate';
import { PgAlarmRecords } from './alarm-records';
import type { ConfigQuery, ConfigRecord, ConfigWrite } from '../config-records';
import { listConfig, writeConfig } from './config-records';
import { PostgresAuthRecords } from './auth-records';
import { ident, migrate } from './schema';
import { inTransaction } from './transaction';

const CHUNK = 5000;

/** Builds a WHERE clause from optional conditions, numbering parameters as it goes. */
class Where {
  readonly params: unknown[] = [];
  private readonly conds: string[] = [];
  add(sql: (p: string) => string, value: unknown): this {
    if (value !== undefined) {
      this.params.push(value);
      this.conds.push(sql(`$${this.params.length}`));
    }
    return this;
  }
  param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }
  toString(): string {
    return this.conds.length ? `WHERE ${this.conds.join(' AND ')}` : '';
  }
}

export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  /** Webhooks, rosters, push subscriptions, deliveries (alarm-records.ts). */
  private readonly alarm: PgAlarmRecords;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly s: string,
    readonly auth: PostgresAuthRecords,
  ) {
    this.alarm = new PgAlarmRecords(pool, s);
  }

  /** `schema` defaults to `carewatch`; a `?schema=` parameter on the URL overrides it. */
  static async open(url: string, schema?: string): Promise<PostgresStore> {
    const u = new URL(url);
    const name = schema ?? u.searchParams.get('schema') ?? 'carewatch';
    u.searchParams.delete('schema');
    const pool = new pg.Pool({ connectionString: u.toString(), max: 10 });
    // An idle client losing its connection must not crash the process; the next query reconnects.
    pool.on('error', () => undefined);
    try {
      await migrate(pool, name);
    } catch (e) {
      await pool.end();
      throw e;
    }
    return new PostgresStore(pool, ident(name), new PostgresAuthRecords(pool, ident(name), name, u.toString()));
  }

  // ---- alerts ----

  async saveAlert(a: Alert): Promise<void> {
    await this.pool.query(
      `INSERT INTO ${this.s}.alerts (id, site_id, resident_id, state, detected_at, body) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (id) DO UPDATE SET site_id = $2, resident_id = $3, state = $4, detected_at = $5, body = $6`,
      [a.id, a.siteId, a.residentId, a.state, a.detectedAt, JSON.stringify(a)],
    );
  }

  async getAlert(id: string): Promise<Alert | null> {
    const { rows } = await this.pool.query(`SELECT body FROM ${this.s}.alerts WHERE id = $1`, [id]);
    return rows[0]?.body ?? null;
  }

  async listAlerts(q: AlertQuery = {}): Promise<Alert[]> {
    const w = new Where()
      .add((p) => `site_id = ${p}`, q.siteId)
      .add((p) => `state = ${p}`, q.state)
      .add((p) => `resident_id = ${p}`, q.residentId)
      .add((p) => `detected_at >= ${p}`, q.since)
      .add((p) => `detected_at < ${p}`, q.until);
    const limit = w.param(pageLimit(q.limit, 100, 1000));
    const { rows } = await this.pool.query(
      `SELECT body FROM ${this.s}.alerts ${w} ORDER BY detected_at DESC, id DESC LIMIT ${limit}`,
      w.params,
    );
    return rows.map((r) => r.body);
  }

  async openAlertsFor(residentId: string): Promise<Alert[]> {
    const { rows } = await this.pool.query(
      `SELECT body FROM ${this.s}.alerts WHERE resident_id = $1 AND state <> 'resolved' ORDER BY detected_at DESC, id DESC`,
      [residentId],
    );
    return rows.map((r) => r.body);
  }

  // ---- audit and config log ----

  async appendAudit(e: AuditInput): Promise<AuditEntry> {
    const { rows } = await this.pool.query(
      `INSERT INTO ${this.s}.audit (at, actor, action, subject_type, subject_id, site_id, detail)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [e.at, e.actor, e.action, e.subjectType, e.subjectId, e.siteId ?? null, e.detail === undefined ? null : JSON.stringify(e.detail)],
    );
    return { ...e, id: String(rows[0].id) };
  }

  async listAudit(q: AuditQuery = {}): Promise<AuditEntry[]> {
    const w = new Where()
      .add((p) => `subject_id = ${p}`, q.subjectId)
      .add((p) => `actor = ${p}`, q.actor)
      .add((p) => `at >= ${p}`, q.since)
      .add((p) => `at < ${p}`, q.until);
    const limit = w.param(pageLimit(q.limit, 100, 1000));
    const { rows } = await this.pool.query(`SELECT * FROM ${this.s}.audit ${w} ORDER BY at DESC, id DESC LIMIT ${limit}`, w.params);
    return rows.map((r) => {
      const e: AuditEntry = {
        id: String(r.id),
        at: Number(r.at),
        actor: r.actor,
        action: r.action,
        subjectType: r.subject_type,
        subjectId: r.subject_id,
      };
      if (r.site_id !== null) e.siteId = r.site_id;
      if (r.detail !== null) e.detail = r.detail;
      return e;
    });
  }

  async appendConfigChange(c: ConfigChangeInput): Promise<ConfigChange> {
    const { rows } = await this.pool.query(
      `INSERT INTO ${this.s}.config_changes (at, actor, entity, entity_id, before, after) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [c.at, c.actor, c.entity, c.entityId, JSON.stringify(c.before ?? null), JSON.stringify(c.after ?? null)],
    );
    return { ...c, id: String(rows[0].id) };
  }

  async listConfigChanges(q: { entity?: string; entityId?: string; limit?: number } = {}): Promise<ConfigChange[]> {
    const w = new Where().add((p) => `entity = ${p}`, q.entity).add((p) => `entity_id = ${p}`, q.entityId);
    const limit = w.param(pageLimit(q.limit, 100, 1000));
    const { rows } = await this.pool.query(
      `SELECT * FROM ${this.s}.config_changes ${w} ORDER BY at DESC, id DESC LIMIT ${limit}`,
      w.params,
    );
    return rows.map((r) => ({
      id: String(r.id),
      at: Number(r.at),
      actor: r.actor,
      entity: r.entity,
      entityId: r.entity_id,
      before: r.before,
      after: r.after,
    }));
  }

  // ---- configuration records (config-records.ts) ----

  writeConfig(w: ConfigWrite): Promise<boolean> {
    return writeConfig(this.pool, this.s, w);
  }

  listConfig(q?: ConfigQuery): Promise<ConfigRecord[]> {
    return listConfig(this.pool, this.s, q);
  }

  // ---- tracks ----

  async appendFixes(rows: readonly TrackRow[]): Promise<void> {
    checkTrackRows(rows);
    if (!rows.length) return;
    await inTransaction(this.pool, async (client) => {
      for (let i = 0; i < rows.length; i += CHUNK) {
        const part = rows.slice(i, i + CHUNK);
        const col = <T>(f: (r: TrackRow) => T) => part.map(f);
        await client.query(
          `INSERT INTO ${this.s}.track (site_id, resident_id, tag_id, ts, floor_id, x, y, z, zone_id, kind, detail)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::float8[], $7::float8[],
                                $8::float8[], $9::text[], $10::text[], $11::text[])`,
          [
            col((r) => r.siteId),
            col((r) => r.residentId),
            col((r) => r.tagId),
            col((r) => r.ts),
            col((r) => r.floorId),
            col((r) => r.x),
            col((r) => r.y),
            col((r) => r.z ?? null),
            col((r) => r.zoneId ?? null),
            col((r) => r.kind),
            col((r) => r.detail ?? null),
          ],
        );
      }
    });
  }

  async queryTrack(q: TrackQuery): Promise<TrackPage> {
    const limit = pageLimit(q.limit, 1000, 10_000);
    if (q.residentIds?.length === 0) return { rows: [] };
    const w = new Where()
      .add((p) => `ts >= ${p}`, q.since)
      .add((p) => `ts < ${p}`, q.until)
      .add((p) => `resident_id = ANY(${p}::text[])`, q.residentIds)
      .add((p) => `floor_id = ${p}`, q.floorId);
    if (q.after !== undefined) {
      const [ts, id] = q.after.split(':').map(Number);
      if (!Number.isFinite(ts) || !Number.isInteger(id)) throw new Error(`invalid track cursor: ${q.after}`);
      w.add((p) => `(ts, id) > (${p}, ${w.param(id)})`, ts);
    }
    const lim = w.param(limit + 1);
    const { rows } = await this.pool.query(`SELECT * FROM ${this.s}.track ${w} ORDER BY ts, id LIMIT ${lim}`, w.params);
    const page = rows.slice(0, limit).map((r): TrackRow => {
      const row: TrackRow = {
        siteId: r.site_id,
        residentId: r.resident_id,
        tagId: r.tag_id,
        ts: Number(r.ts),
        floorId: r.floor_id,
        x: r.x,
        y: r.y,
        kind: r.kind,
      };
      if (r.z !== null) row.z = r.z;
      if (r.zone_id !== null) row.zoneId = r.zone_id;
      if (r.detail !== null) row.detail = r.detail;
      return row;
    });
    if (rows.length <= limit) return { rows: page };
    const last = rows[limit - 1];
    return { rows: page, next: `${last.ts}:${last.id}` };
  }

  async deleteTracksBefore(siteId: string, before: number): Promise<number> {
    const r = await this.pool.query(`DELETE FROM ${this.s}.track WHERE site_id = $1 AND ts < $2`, [siteId, before]);
    return r.rowCount ?? 0;
  }

  // ---- outbox ----

  async enqueueOutbox(o: OutboxInput): Promise<boolean> {
    const r = await this.pool.query(
      `INSERT INTO ${this.s}.outbox (id, target, payload, created_at, next_attempt_at) VALUES ($1, $2, $3, $4, $4)
       ON CONFLICT (id) DO NOTHING`,
      [o.id, o.target, JSON.stringify(o.payload ?? null), o.createdAt],
    );
    return r.rowCount === 1;
  }

  async claimOutbox(limit: number, now: number, leaseMs = OUTBOX_LEASE_MS): Promise<OutboxItem[]> {
    if (limit < 1) return [];
    // SKIP LOCKED: concurrent claimers (several nodes) take disjoint items without waiting on each other.
    const { rows } = await this.pool.query(
      `WITH due AS (
         SELECT id, next_attempt_at AS due FROM ${this.s}.outbox WHERE next_attempt_at <= $2
         ORDER BY next_attempt_at, created_at, id LIMIT $1 FOR UPDATE SKIP LOCKED)
       UPDATE ${this.s}.outbox o SET attempts = o.attempts + 1, next_attempt_at = $3
       FROM due WHERE o.id = due.id
       RETURNING o.*, due.due`,
      [Math.floor(limit), now, now + leaseMs],
    );
    rows.sort((a, b) => Number(a.due) - Number(b.due) || Number(a.created_at) - Number(b.created_at) || (a.id < b.id ? -1 : 1));
    return rows.map((r) => {
      const o: OutboxItem = {
        id: r.id,
        target: r.target,
        payload: r.payload,
        createdAt: Number(r.created_at),
        attempts: r.attempts,
        nextAttemptAt: Number(r.next_attempt_at),
      };
      if (r.last_error !== null) o.lastError = r.last_error;
      return o;
    });
  }

  async completeOutbox(id: string): Promise<void> {
    await this.pool.query(`DELETE FROM ${this.s}.outbox WHERE id = $1`, [id]);
  }

  async failOutbox(id: string, nextAttemptAt: number, error: string): Promise<void> {
    await this.pool.query(`UPDATE ${this.s}.outbox SET next_attempt_at = $2, last_error = $3 WHERE id = $1`, [id, nextAttemptAt, error]);
  }

  putAlarmRecord: Store['putAlarmRecord'] = (r) => this.alarm.putAlarmRecord(r);
  deleteAlarmRecord: Store['deleteAlarmRecord'] = (kind, id) => this.alarm.deleteAlarmRecord(kind, id);
  listAlarmRecords: Store['listAlarmRecords'] = (kind, siteId) => this.alarm.listAlarmRecords(kind, siteId);
  saveDelivery: Store['saveDelivery'] = (d) => this.alarm.saveDelivery(d);
  listDeliveries: Store['listDeliveries'] = (webhookId, limit) => this.alarm.listDeliveries(webhookId, limit);

  async close(): Promise<void> {
    await this.auth.close();
    await this.pool.end();
  }
}
