/**
 * PostgreSQL side of the configuration records (../config-records.ts): one table keyed by
 * (kind, id), bodies in jsonb, `seq` keeping the first-written order. Each write is one
 * transaction under an advisory lock, so nodes seeding or editing at once never interleave.
 */
import type pg from 'pg';
import { inTransaction } from './transaction';
import { checkConfigWrite, type ConfigQuery, type ConfigRecord, type ConfigWrite } from '../config-records';

/** Appended to MIGRATIONS (schema.ts). */
export const CONFIG_RECORDS_MIGRATION = `
  CREATE TABLE config_records (
    seq     bigint GENERATED ALWAYS AS IDENTITY,
    kind    text  NOT NULL,
    id      text  NOT NULL,
    site_id text,
    body    jsonb NOT NULL,
    PRIMARY KEY (kind, id)
  );
  CREATE INDEX config_records_seq ON config_records (seq);
  CREATE INDEX config_records_site ON config_records (site_id, seq);`;

const json = (v: unknown) => JSON.stringify(v ?? null);

/** `s` is the quoted schema name. */
export async function writeConfig(pool: pg.Pool, s: string, w: ConfigWrite): Promise<boolean> {
  checkConfigWrite(w);
  return inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`carewatch-config:${s}`]);
    if (w.ifAbsent) {
      const { rowCount } = await client.query(`SELECT 1 FROM ${s}.config_records WHERE kind = $1 AND id = $2`, [w.ifAbsent.kind, w.ifAbsent.id]);
      // Nothing written yet: committing here ends the transaction as a rollback would.
      if (rowCount) return false;
    }
    const del = w.delete ?? [];
    if (del.length)
      await client.query(`DELETE FROM ${s}.config_records WHERE (kind, id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`, [del.map((k) => k.kind), del.map((k) => k.id)]);
    const put = w.put ?? [];
    if (put.length)
      await client.query(
        `INSERT INTO ${s}.config_records (kind, id, site_id, body)
         SELECT k, i, si, b::jsonb FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS t(k, i, si, b)
         ON CONFLICT (kind, id) DO UPDATE SET site_id = EXCLUDED.site_id, body = EXCLUDED.body`,
        [put.map((r) => r.kind), put.map((r) => r.id), put.map((r) => r.siteId), put.map((r) => json(r.body))],
      );
    const ch = w.changes;
    if (ch.length)
      await client.query(
        `INSERT INTO ${s}.config_changes (at, actor, entity, entity_id, before, after)
         SELECT a, ac, e, ei, b::jsonb, af::jsonb FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS t(a, ac, e, ei, b, af)`,
        [ch.map((c) => c.at), ch.map((c) => c.actor), ch.map((c) => c.entity), ch.map((c) => c.entityId), ch.map((c) => json(c.before)), ch.map((c) => json(c.after))],
      );
    return true;
  });
}

export async function listConfig(pool: pg.Pool, s: string, q: ConfigQuery = {}): Promise<ConfigRecord[]> {
  const conds: string[] = [];
  const params: string[] = [];
  if (q.kind !== undefined) conds.push(`kind = $${params.push(q.kind)}`);
  if (q.siteId !== undefined) conds.push(`site_id = $${params.push(q.siteId)}`);
  const { rows } = await pool.query(
    `SELECT kind, id, site_id, body FROM ${s}.config_records ${conds.length ? `WHERE ${conds.join(' AND ')}` : ''} ORDER BY seq`,
    params,
  );
  return rows.map((r) => ({ kind: r.kind, id: r.id, siteId: r.site_id, body: r.body }));
}
