/**
 * The persistence seam: alerts, audit trail, track history, webhook outbox and the config-change log.
 * Two implementations pass one contract suite (tests/store/contract.ts): the embedded default
 * (LevelDB in a data directory, nothing to install) and PostgreSQL for production.
 *
 * Time ranges are half-open everywhere: `since` inclusive, `until` exclusive (epoch ms).
 */
import type { Alert, AlertState, EpochMs } from '../../geo/model';
import type { AlarmRecordStore } from './alarm-records';
import type { ConfigRecordStore } from './config-records';
import type { AuthRecords } from './auth-records';

export type * from './auth-records';

export type StoreKind = 'embedded' | 'postgres';

export interface AlertQuery {
  siteId?: string;
  state?: AlertState;
  residentId?: string;
  /** On `detectedAt`. */
  since?: EpochMs;
  until?: EpochMs;
  /** Default 100, at most 1000. */
  limit?: number;
}

export interface AuditInput {
  at: EpochMs;
  /** Username, or `system` for the pipeline. */
  actor: string;
  /** e.g. `alert.ack`, `resident.view_history`, `track.export`. */
  action: string;
  subjectType: string;
  subjectId: string;
  siteId?: string;
  detail?: unknown;
}

export interface AuditEntry extends AuditInput {
  id: string;
}

export interface AuditQuery {
  subjectId?: string;
  actor?: string;
  since?: EpochMs;
  until?: EpochMs;
  /** Default 100, at most 1000. */
  limit?: number;
}

/** One stored point of a resident's track (a shape the client receives too: defined in the contract). */
export type { TrackRow } from '../contract';
import type { TrackRow } from '../contract';

/** Opaque position in a track query's order; pass it back as `after` for the next page. */
export type TrackCursor = string;

export interface TrackQuery {
  residentIds?: string[];
  floorId?: string;
  since: EpochMs;
  until: EpochMs;
  /** Rows per page; default 1000, at most 10 000. */
  limit?: number;
  after?: TrackCursor;
}

export interface TrackPage {
  /** Ordered by ts; rows with equal ts in a stable order (insertion order within a site). */
  rows: TrackRow[];
  /** Present when more rows may follow. */
  next?: TrackCursor;
}

export interface OutboxInput {
  /** Idempotency key: enqueueing an id twice keeps the first. */
  id: string;
  /** Subscriber / endpoint the payload goes to. */
  target: string;
  payload: unknown;
  createdAt: EpochMs;
}

export interface OutboxItem extends OutboxInput {
  /** Claims so far, this one included. */
  attempts: number;
  nextAttemptAt: EpochMs;
  lastError?: string;
}

export interface ConfigChangeInput {
  at: EpochMs;
  actor: string;
  /** e.g. `resident`, `zone`, `site.rules`. */
  entity: string;
  entityId: string;
  before: unknown;
  after: unknown;
}

export interface ConfigChange extends ConfigChangeInput {
  id: string;
}

/**
 * A claimed outbox item is invisible to other claimers for this long; if the claimer dies before
 * `completeOutbox`/`failOutbox`, it is delivered again (at-least-once).
 */
export const OUTBOX_LEASE_MS = 60_000;

/** Webhooks, rosters, escalation rules, push subscriptions, deliveries: alarm-records.ts; sites, zones, residents, tags: config-records.ts. */
export interface Store extends AlarmRecordStore, ConfigRecordStore {
  readonly kind: StoreKind;
  /** Accounts, sessions and ingest keys (auth-records.ts). */
  readonly auth: AuthRecords;

  /** Insert or replace the whole alert, history included. */
  saveAlert(alert: Alert): Promise<void>;
  getAlert(id: string): Promise<Alert | null>;
  /** Newest `detectedAt` first. */
  listAlerts(query?: AlertQuery): Promise<Alert[]>;
  /** Alerts of the resident not yet resolved (open or acknowledged), newest first. */
  openAlertsFor(residentId: string): Promise<Alert[]>;

  appendAudit(entry: AuditInput): Promise<AuditEntry>;
  /** Newest first. */
  listAudit(query?: AuditQuery): Promise<AuditEntry[]>;

  /** Durable once the promise resolves (survives a crash of the process). */
  appendFixes(rows: readonly TrackRow[]): Promise<void>;
  /** Rows matching every given filter, by ts; follow `next` to page through all of them. */
  queryTrack(query: TrackQuery): Promise<TrackPage>;
  /** Retention: delete the site's rows with ts < `before`; returns how many. */
  deleteTracksBefore(siteId: string, before: EpochMs): Promise<number>;

  /** Returns false when the id was already there. */
  enqueueOutbox(item: OutboxInput): Promise<boolean>;
  /** Take up to `limit` items due at `now`, oldest due first, leasing them for `leaseMs`. */
  claimOutbox(limit: number, now: EpochMs, leaseMs?: number): Promise<OutboxItem[]>;
  /** Delivered: remove it. */
  completeOutbox(id: string): Promise<void>;
  /** Not delivered: try again at `nextAttemptAt`. */
  failOutbox(id: string, nextAttemptAt: EpochMs, error: string): Promise<void>;

  appendConfigChange(change: ConfigChangeInput): Promise<ConfigChange>;
  /** Newest first. */
  listConfigChanges(query?: { entity?: string; entityId?: string; limit?: number }): Promise<ConfigChange[]>;

  close(): Promise<void>;
}
