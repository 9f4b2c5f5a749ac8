/**
 * Schema migrations, applied in order at start. Each runs once (recorded in store_migrations) inside
 * one transaction holding an advisory lock, so nodes starting together do not race. Never edit a
 * shipped migration: append a new one.
 *
 * Times are epoch ms in bigint (what the domain uses; no time-zone conversions on the way).
 */
import type pg from 'pg';
import { ALARM_RECORDS_MIGRATION } from './alarm-records';
import { CONFIG_RECORDS_MIGRATION } from './config-records';
import { AUTH_MIGRATION } from './auth-records';
import { inTransaction } from './transaction';

export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE alerts (
     id          text PRIMARY KEY,
     site_id     text   NOT NULL,
     resident_id text   NOT NULL,
     state       text   NOT NULL,
     detected_at bigint NOT NULL,
     body        jsonb  NOT NULL
   );
   CREATE INDEX alerts_detected ON alerts (detected_at DESC, id DESC);
   CREATE INDEX alerts_site_detected ON alerts (site_id, detected_at DESC);
   CREATE INDEX alerts_unresolved ON alerts (resident_id, detected_at DESC) WHERE state <> 'resolved';

   CREATE TABLE audit (
     id           bigserial PRIMARY KEY,
     at           bigint NOT NULL,
     actor        text   NOT NULL,
     action       text   NOT NULL,
     subject_type text   NOT NULL,
     subject_id   text   NOT NULL,
     site_id      text,
     detail       jsonb
   );
   CREATE INDEX audit_at ON audit (at DESC, id DESC);
   CREATE INDEX audit_subject ON audit (subject_id, at DESC);
   CREATE INDEX audit_actor ON audit (actor, at DESC);

   -- No primary key: every index costs on the hottest insert path; id only orders equal ts.
   CREATE TABLE track (
     id          bigint GENERATED ALWAYS AS IDENTITY,
     site_id     text   NOT NULL,
     resident_id text   NOT NULL,
     tag_id      text   NOT NULL,
     ts          bigint NOT NULL,
     floor_id    text   NOT NULL,
     x           double precision NOT NULL,
     y           double precision NOT NULL,
     z           double precision,
     zone_id     text,
     kind        text   NOT NULL,
     detail      text
   );
   -- "these residents over 10 minutes", "this floor over an hour", and all rows by time / retention.
   CREATE INDEX track_resident_ts ON track (resident_id, ts, id);
   CREATE INDEX track_floor_ts ON track (floor_id, ts, id);
   CREATE INDEX track_ts ON track (ts, id);

   CREATE TABLE outbox (
     id              text PRIMARY KEY,
     target          text   NOT NULL,
     payload         jsonb  NOT NULL,
     created_at      bigint NOT NULL,
     attempts        integer NOT NULL DEFAULT 0,
     next_attempt_at bigint NOT NULL,
     last_error      text
   );
   CREATE INDEX outbox_due ON outbox (next_attempt_at, created_at, id);

   CREATE TABLE config_changes (
     id        bigserial PRIMARY KEY,
     at        bigint NOT NULL,
     actor     text   NOT NULL,
     entity    text   NOT NULL,
     entity_id text   NOT NULL,
     before    jsonb,
     after     jsonb
   );
   CREATE INDEX config_changes_entity ON config_changes (entity, entity_id, at DESC);
   CREATE INDEX config_changes_at ON config_changes (at DESC, id DESC);`,
  ALARM_RECORDS_MIGRATION,
  CONFIG_RECORDS_MIGRATION,
  AUTH_MIGRATION,
];

/** Creates the schema if needed and applies the migrations it has not seen. Idempotent. */
export async function migrate(pool: pg.Pool, schema: string): Promise<void> {
  const s = ident(schema);
  await inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`carewatch-migrate:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${s}.store_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await client.query<{ v: number | null }>(`SELECT max(version) AS v FROM ${s}.store_migrations`);
    for (let v = (rows[0].v ?? 0) + 1; v <= MIGRATIONS.length; v++) {
      await client.query(`SET LOCAL search_path TO ${s}`);
      await client.query(MIGRATIONS[v - 1]);
      await client.query(`INSERT INTO ${s}.store_migrations (version) VALUES ($1)`, [v]);
    }
  });
}

/** A quoted SQL identifier (schema names come from configuration). */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
