/**
 * The Socket.IO event maps, shared by server and client (type-only: the client imports these
 * with `import type`, so nothing of the server is bundled).
 */
import type { Alert } from '../../geo/model';

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

export interface SessionUser {
  username: string;
  role: 'nurse' | 'charge_nurse' | 'manager' | 'admin' | 'family' | 'regulator';
  displayName: string;
  siteIds: string[];
  wardIds: string[];
  residentIds: string[];
}

export interface ServerToClientEvents {
  hello: (info: { user: SessionUser; serverTime: number }) => void;
  alert: (alert: Alert) => void;
  frame: (frame: FloorFrame) => void;
}

export type Ack<T> = (reply: { ok: true; data: T } | { ok: false; error: string }) => void;

export interface ClientToServerEvents {
  /** Start receiving `frame` for a floor; the reply carries a full frame at once. */
  'floor:subscribe': (req: { floorId: string }, ack: Ack<FloorFrame>) => void;
  'floor:unsubscribe': (req: { floorId: string }, ack?: Ack<null>) => void;
}
