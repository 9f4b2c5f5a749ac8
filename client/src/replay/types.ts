/** The replay API's answers (server/http/replay-api.ts) and what the client makes of them. Plain data. */
import type { Alert, AlertReplayPage, ResponseTimes, Transition, TrackRow, WindowReplayPage } from '../../../server/contract';

export type { Alert, AlertReplayPage, ResponseTimes, Transition, TrackRow, WindowReplayPage };

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
