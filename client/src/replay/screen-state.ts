/**
 * The replay screen's state and its reducer: what is replayed and how far it has loaded, the playback clock, and
 * which floor and resident the map shows. Pure: the screen dispatches what the user and the loader did, and draws
 * what comes back (ui/replay-screen.ts).
 */
import { allAlerts, involvedResidents } from './events';
import { initialPlayback, playback as stepPlayback, type Playback, type PlaybackAction } from './playback';
import { buildTracks, type TrackIndex } from './tracks';
import type { Alert, ReplayData, ReplaySource } from './types';

export type ReplayStatus = 'idle' | 'loading' | 'ready' | 'error';

export interface ReplayScreenState {
  /** What is replayed; null: the picker. */
  source: ReplaySource | null;
  status: ReplayStatus;
  error: string;
  /** Track rows loaded so far (the loading message counts them). */
  loadedRows: number;
  data: ReplayData | null;
  index: TrackIndex | null;
  /** Every alert in the replay, the replayed one included. */
  alerts: Alert[];
  playback: Playback | null;
  /** Keep the map centred on `followId`. */
  follow: boolean;
  /** The resident the map follows and whose floor it shows. */
  followId: string | null;
  /** A floor the user chose; null: the floor follows the resident or the alert. */
  pickedFloor: string | null;
  /** The floor on the map now (set by the screen once it has drawn it). */
  shownFloorId: string | null;
  /** The playback to return to while the report's snapshot is being drawn (the clock is held meanwhile). */
  snapshotting: Playback | null;
}

export type ReplayAction =
  | { type: 'open'; source: ReplaySource | null }
  | { type: 'progress'; rows: number }
  | { type: 'loaded'; data: ReplayData; now: number }
  | { type: 'failed'; error: string }
  | { type: 'playback'; action: PlaybackAction }
  /** Pause and move to the replayed alert's fix, on the floor it happened. */
  | { type: 'jumpToAlert' }
  /** Pause and move to a moment (an event in the list). */
  | { type: 'jumpTo'; time: number }
  | { type: 'follow'; on: boolean }
  | { type: 'followWho'; residentId: string | null }
  | { type: 'pickFloor'; floorId: string | null }
  /** The user dragged the map: it stops following. */
  | { type: 'userPan' }
  | { type: 'shown'; floorId: string | null }
  /** Hold the clock at `at` while the report's map is drawn; `snapshotDone` resumes. */
  | { type: 'snapshot'; at: number }
  | { type: 'snapshotDone' };

export const initialReplayState: ReplayScreenState = {
  source: null,
  status: 'idle',
  error: '',
  loadedRows: 0,
  data: null,
  index: null,
  alerts: [],
  playback: null,
  follow: false,
  followId: null,
  pickedFloor: null,
  shownFloorId: null,
  snapshotting: null,
};

/** The next state; the same object when the action changes nothing. */
export function replayReducer(s: ReplayScreenState, action: ReplayAction): ReplayScreenState {
  switch (action.type) {
    case 'open':
      return {
        ...initialReplayState,
        source: action.source,
        status: action.source ? 'loading' : 'idle',
        followId: s.followId,
      };
    case 'progress':
      return { ...s, loadedRows: action.rows };
    case 'failed':
      return { ...s, status: 'error', error: action.error };
    case 'loaded':
      return loaded(s, action.data, action.now);
    case 'playback':
      return withPlayback(s, action.action);
    case 'jumpToAlert': {
      const a = s.data?.alert;
      if (!a || !s.playback) return s;
      const paused = withPlayback({ ...s, pickedFloor: null }, { type: 'pause' });
      return withPlayback(paused, { type: 'seek', time: a.fixTs });
    }
    case 'jumpTo':
      return withPlayback(withPlayback(s, { type: 'pause' }), { type: 'seek', time: action.time });
    case 'follow':
      return { ...s, follow: action.on, pickedFloor: action.on ? null : s.pickedFloor };
    case 'followWho':
      return { ...s, followId: action.residentId, pickedFloor: null };
    case 'pickFloor':
      return { ...s, pickedFloor: action.floorId, follow: action.floorId ? false : s.follow };
    case 'userPan':
      return s.follow ? { ...s, follow: false } : s;
    case 'shown':
      return action.floorId === s.shownFloorId ? s : { ...s, shownFloorId: action.floorId };
    case 'snapshot': {
      const p = s.playback;
      if (!p || s.snapshotting) return s;
      return { ...s, snapshotting: { ...p, playing: false }, playback: { ...p, time: action.at, playing: false } };
    }
    case 'snapshotDone':
      return s.snapshotting ? { ...s, playback: s.snapshotting, snapshotting: null } : s;
  }
}

/** Playback actions are ignored before the data is there and while a snapshot holds the clock. */
function withPlayback(s: ReplayScreenState, action: PlaybackAction): ReplayScreenState {
  if (!s.playback || s.snapshotting) return s;
  const next = stepPlayback(s.playback, action);
  return next === s.playback ? s : { ...s, playback: next };
}

function loaded(s: ReplayScreenState, data: ReplayData, now: number): ReplayScreenState {
  const index = buildTracks(data.rows);
  // A recent alert's window reaches into the future: play up to now (or the last row, if the clocks differ).
  const end = Math.min(data.until - 1, Math.max(index.lastTs ?? data.since, now));
  const first = index.firstTs ?? data.since;
  const involved = [...involvedResidents(data)];
  const single = !data.alert && data.source.kind === 'window' && data.source.residentIds.length === 1;
  return {
    ...s,
    status: 'ready',
    data,
    index,
    alerts: allAlerts(data),
    playback: initialPlayback(data.since, Math.max(end, data.since + 1000), Math.max(data.since, first)),
    followId: involved.find((id) => index.byId[id]) ?? involved[0] ?? index.residents[0]?.residentId ?? null,
    follow: single ? false : s.follow,
  };
}
