/** The replay API's answers (server/http/replay-api.ts) and what the client makes of them. Plain data. */
import type { Alert } from '../../../geo/model';
import type { ResponseTimes, Transition } from '../../../server/history/replay';
import type { TrackRow } from '../../../server/store/types';

export type { Alert, ResponseTimes, Transition, TrackRow };

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

/** What to replay: an alert (with minutes before and after it), or residents / a floor over a time window. */
export type ReplaySource =
  | { kind: 'alert'; alertId: string; beforeMs: number; afterMs: number }
  | { kind: 'window'; residentIds: string[]; floorId: string | null; since: number; until: number };

/** Every page of one replay, put together. */
export interface ReplayData {
  source: ReplaySource;
  /** The alert replayed (its live state at load time); null for a window replay. */
  alert: Alert | null;
  responseTimes: ResponseTimes | null;
  /** The window the server answered for. */
  since: number;
  until: number;
  rows: TrackRow[];
  transitions: Transition[];
  /** Alerts whose fix lies in the window, the replayed alert included. */
  alerts: Alert[];
  /** More rows than the client is willing to hold were on offer: the replay is cut short. */
  truncated: boolean;
}
