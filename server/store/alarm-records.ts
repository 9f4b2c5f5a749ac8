/**
 * The alarm chain's records (server/alerts/): webhooks, escalation rules, duty rosters, push
 * subscriptions, notification choices and the VAPID key pair as JSON documents keyed by (kind, id),
 * plus the per-webhook delivery log (one row per logical message, updated on every attempt).
 * The store does not interpret the bodies; server/alerts/ gives them their types and rules.
 */
import type { EpochMs } from '../../geo/model';

export type AlarmRecordKind = 'webhook' | 'escalation' | 'roster' | 'push-subscription' | 'notify-prefs' | 'vapid';

export interface AlarmRecord {
  kind: AlarmRecordKind;
  id: string;
  /** The site the record belongs to; null for records above sites (accounts' choices, VAPID keys). */
  siteId: string | null;
  body: unknown;
  updatedAt: EpochMs;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/** One logical message to one webhook: the same `id` (the `webhook-id` header) on every attempt. */
export interface DeliveryRecord {
  id: string;
  webhookId: string;
  type: string;
  /** The alert the message is about, if any. */
  alertId?: string;
  createdAt: EpochMs;
  updatedAt: EpochMs;
  attempts: number;
  status: DeliveryStatus;
  /** HTTP status of the last attempt; absent after a timeout or a connection error. */
  lastStatus?: number;
  lastError?: string;
  deliveredAt?: EpochMs;
}

/** Newest deliveries kept per webhook; older rows are dropped (the outbox keeps what is pending). */
export const DELIVERIES_KEPT_PER_WEBHOOK = 500;

export interface AlarmRecordStore {
  /** Insert or replace. */
  putAlarmRecord(record: AlarmRecord): Promise<void>;
  /** Resolves false when there was no such record. */
  deleteAlarmRecord(kind: AlarmRecordKind, id: string): Promise<boolean>;
  /** In the order records were first written. */
  listAlarmRecords(kind: AlarmRecordKind, siteId?: string): Promise<AlarmRecord[]>;
  /** Insert or replace by id. */
  saveDelivery(d: DeliveryRecord): Promise<void>;
  /** Newest `createdAt` first; default 100, at most DELIVERIES_KEPT_PER_WEBHOOK. */
  listDeliveries(webhookId: string, limit?: number): Promise<DeliveryRecord[]>;
}

export const alarmKey = (kind: string, id: string) => `${kind}\u0000${id}`;
