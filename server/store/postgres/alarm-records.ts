/**
 * PostgreSQL tables of the alarm records (../alarm-records.ts): one table of JSON documents keyed by
 * (kind, id), one of deliveries trimmed to the newest DELIVERIES_KEPT_PER_WEBHOOK per webhook.
 */
import type pg from 'pg';
import { DELIVERIES_KEPT_PER_WEBHOOK, type AlarmRecord, type AlarmRecordKind, type AlarmRecordStore, type DeliveryRecord } from '../alarm-records';
import { pageLimit } from '../validate';

export const ALARM_RECORDS_MIGRATION = `
  CREATE TABLE alarm_records (
    kind       text   NOT NULL,
    id         text   NOT NULL,
    seq        bigint GENERATED ALWAYS AS IDENTITY,
    site_id    text,
    updated_at bigint NOT NULL,
    body       jsonb  NOT NULL,
    PRIMARY KEY (kind, id)
  );
  CREATE INDEX alarm_records_kind_site ON alarm_records (kind, site_id, seq);

  CREATE TABLE webhook_deliveries (
    id         text   NOT NULL,
    webhook_id text   NOT NULL,
    created_at bigint NOT NULL,
    body       jsonb  NOT NULL,
    PRIMARY KEY (webhook_id, id)
  );
  CREATE INDEX webhook_deliveries_newest ON webhook_deliveries (webhook_id, created_at DESC, id DESC);`;


export class PgAlarmRecords implements AlarmRecordStore {
  private trims = 0;

  constructor(
    private readonly pool: pg.Pool,
    private readonly s: string,
  ) {}

  async putAlarmRecord(r: AlarmRecord): Promise<void> {
    await this.pool.query(
      `INSERT INTO ${this.s}.alarm_records (kind, id, site_id, updated_at, body) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (kind, id) DO UPDATE SET site_id = $3, updated_at = $4, body = $5`,
      [r.kind, r.id, r.siteId, r.updatedAt, JSON.stringify(r.body)],
    );
  }

  async deleteAlarmRecord(kind: AlarmRecordKind, id: string): Promise<boolean> {
    const r = await this.pool.query(`DELETE FROM ${this.s}.alarm_records WHERE kind = $1 AND id = $2`, [kind, id]);
    return (r.rowCount ?? 0) > 0;
  }

  async listAlarmRecords(kind: AlarmRecordKind, siteId?: string): Promise<AlarmRecord[]> {
    const { rows } = await this.pool.query<{ kind: AlarmRecordKind; id: string; site_id: string | null; updated_at: string; body: unknown }>(
      `SELECT kind, id, site_id, updated_at, body FROM ${this.s}.alarm_records
       WHERE kind = $1 AND ($2::text IS NULL OR site_id = $2) ORDER BY seq`,
      [kind, siteId ?? null],
    );
    return rows.map((r) => ({ kind: r.kind, id: r.id, siteId: r.site_id, updatedAt: Number(r.updated_at), body: r.body }));
  }

  async saveDelivery(d: DeliveryRecord): Promise<void> {
    await this.pool.query(
      `INSERT INTO ${this.s}.webhook_deliveries (id, webhook_id, created_at, body) VALUES ($1, $2, $3, $4)
       ON CONFLICT (webhook_id, id) DO UPDATE SET body = $4`,
      [d.id, d.webhookId, d.createdAt, JSON.stringify(d)],
    );
    // trimming costs a scan of the webhook's rows: now and then, not on every attempt
    if (++this.trims % 100 === 0)
      await this.pool.query(
        `DELETE FROM ${this.s}.webhook_deliveries WHERE webhook_id = $1 AND id NOT IN
           (SELECT id FROM ${this.s}.webhook_deliveries WHERE webhook_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2)`,
        [d.webhookId, DELIVERIES_KEPT_PER_WEBHOOK],
      );
  }

  async listDeliveries(webhookId: string, limit?: number): Promise<DeliveryRecord[]> {
    const { rows } = await this.pool.query<{ body: DeliveryRecord }>(
      `SELECT body FROM ${this.s}.webhook_deliveries WHERE webhook_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`,
      [webhookId, pageLimit(limit, 100, DELIVERIES_KEPT_PER_WEBHOOK)],
    );
    return rows.map((r) => r.body);
  }
}
