/**
 * Everything that crosses between server and client: the Socket.IO event maps, the session user, and
 * the shapes REST answers with (alerts, track rows, zone transitions, response times). The client
 * imports only this module from server/ (type-only, so nothing of the server is bundled); the
 * server's own modules import these shapes from here too, so the two sides cannot drift apart.
 *
 * Domain types the client shares with the geo core (sites, floors, zones, alerts) come from geo/model
 * and are re-exported here.
 */
import type { Alert, AlertKind, AlertState, Fix } from '../geo/model';

export type { Alert, AlertKind, AlertState };

// ---- session ----

export interface SessionUser {
  username: string;
  role: 'nurse' | 'charge_nurse' | 'manager' | 'admin' | 'family' | 'regulator';
  displayName: string;
  siteIds: string[];
  wardIds: string[];
  residentIds: string[];
}

// ---- live positions ----

/** One resident's latest position inside a live-map frame. */
export interface FrameItem {
  /** resident id */
  r: string;
  x: number;
  y: number;
  /** ts of the fix */
  ts: number;
}

/** Positions on one floor that changed since the previous frame (or all of them, `full: true`). */
export interface FloorFrame {
  floorId: string;
  /** Server time the frame was cut. */
  t: number;
  full: boolean;
  items: FrameItem[];
  /** Residents that left this floor since the previous frame. */
  gone: string[];
}

/** One resident's latest position, in site metres and WGS84 (the family's city map). */
export interface LivePosition {
  residentId: string;
  siteId: string;
  floorId: string;
  x: number;
  y: number;
  lon: number;
  lat: number;
  /** ts of the fix */
  ts: number;
}

// ---- Socket.IO ----

export interface ServerToClientEvents {
  hello: (info: { user: SessionUser; serverTime: number }) => void;
  /** A new alert, or a change of state of one the user may see. */
  alert: (alert: Alert) => void;
  frame: (frame: FloorFrame) => void;
  /** A family member's relative, while a wandering, fall or SOS alert of theirs is open. */
  'resident:position': (p: LivePosition) => void;
  /** The session was revoked or expired; the socket closes next. */
  'session:ended': (info: { reason: string }) => void;
}

export type Ack<T> = (reply: { ok: true; data: T } | { ok: false; error: string }) => void;

export interface ClientToServerEvents {
  /** Start receiving `frame` for a floor; the reply carries a full frame at once. */
  'floor:subscribe': (req: { floorId: string }, ack: Ack<FloorFrame>) => void;
  'floor:unsubscribe': (req: { floorId: string }, ack?: Ack<null>) => void;
  /** The latest position of one resident, when `auth/scope` allows it now. */
  'resident:locate': (req: { residentId: string }, ack: Ack<LivePosition | null>) => void;
}

// ---- history and replay ----

/** One stored point of a resident's track; the recorder decides which fixes are worth keeping. */
export interface TrackRow extends Pick<Fix, 'tagId' | 'ts' | 'floorId' | 'x' | 'y' | 'z'> {
  siteId: string;
  residentId: string;
  zoneId?: string;
  /** `transition`: the fix where zone membership changed (kept by any compression). */
  kind: 'fix' | 'transition';
  detail?: string;
}

/** A change of zone membership (or of floor) in a resident's track. */
export interface Transition {
  ts: number;
  residentId: string;
  tagId: string;
  floorId: string;
  x: number;
  y: number;
  entered: string[];
  exited: string[];
  /** Set when the transition is a change of floor. */
  fromFloorId?: string;
}

/** How fast an alert was detected, acknowledged and resolved. */
export interface ResponseTimes {
  /** ts of the fix that caused the alert. */
  fixTs: number;
  raisedAt: number;
  acknowledgedAt: number | null;
  acknowledgedBy: string | null;
  resolvedAt: number | null;
  resolvedBy: string | null;
  /** raisedAt − fixTs */
  detectionMs: number;
  /** acknowledgedAt − raisedAt */
  toAcknowledgeMs: number | null;
  /** resolvedAt − raisedAt */
  toResolveMs: number | null;
}

/** `GET /api/v1/alerts/:id/replay` page; `alert`, `window`, `responseTimes` repeat on every page, `alerts` only on the first. */
export interface AlertReplayPage {
  alert: Alert;
  window: { since: number; until: number };
  responseTimes: ResponseTimes;
  rows: TrackRow[];
  transitions: Transition[];
  alerts: Alert[];
  next?: string;
}

/** `GET /api/v1/replay` page. */
export interface WindowReplayPage {
  since: number;
  until: number;
  rows: TrackRow[];
  transitions: Transition[];
  alerts: Alert[];
  next?: string;
}

// ---- Web Push ----

/** What a Web Push notification carries (server/alerts/web-push.ts sends it, client/src/push/sw.ts shows it). */
export interface PushMessage {
  alertId: string;
  kind: AlertKind;
  /** raised, updated (a repeat), acknowledged, resolved, escalated */
  change: string;
  residentId: string;
  residentName: string;
  room?: string;
  where?: string;
  photoUrl?: string;
  escalationLevel?: number;
  /** Opens the alert on the phone view. */
  url: string;
  /** The device chose to vibrate quietly rather than ring. */
  quiet: boolean;
  /** Epoch ms the alert was detected (push latency is measured from it). */
  detectedAt: number;
}

/** Tag counts of a site or ward in the manager's overview (`GET /api/v1/overview/devices`). */
export interface DeviceSummary {
  tags: number;
  ok: number;
  lowBattery: number;
  silent: number;
  neverSeen: number;
}
