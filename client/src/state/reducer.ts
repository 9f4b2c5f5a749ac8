/**
 * The client state as a pure function of what happened: REST answers, socket events and user actions.
 * No I/O, no clock: time arrives inside actions.
 */
import type { Alert } from '../../../geo/model';
import { buildCatalog } from './catalog';
import type { Action, ClientState, Locale, Positions, Theme } from './types';

/** Resolved alerts kept as tombstones against late snapshots; the oldest beyond this are dropped. */
const MAX_RESOLVED_KEPT = 200;

const EMPTY_POSITIONS: Positions = { floorId: null, complete: false, t: 0, byResident: {} };

export function initialState(opts: { locale: Locale; soundOn?: boolean; theme?: Theme }): ClientState {
  return {
    seq: 0,
    user: null,
    catalog: null,
    alerts: {},
    alertSeenAt: {},
    selectedFloorId: null,
    positions: EMPTY_POSITIONS,
    connection: 'offline',
    clockOffsetMs: 0,
    focus: null,
    pending: {},
    actionErrors: {},
    locale: opts.locale,
    soundOn: opts.soundOn ?? true,
    audioUnlocked: false,
    theme: opts.theme ?? 'dark',
  };
}

export function reducer(prev: ClientState, action: Action): ClientState {
  const state = { ...prev, seq: prev.seq + 1 };
  switch (action.type) {
    case 'session/started':
      return { ...state, user: action.user, connection: 'connecting' };

    case 'session/ended':
      return {
        ...initialState({ locale: state.locale, soundOn: state.soundOn, theme: state.theme }),
        seq: state.seq,
        audioUnlocked: state.audioUnlocked,
      };

    case 'data/loaded':
      return { ...state, catalog: buildCatalog(action.sites, action.residents) };

    case 'hello':
      return { ...state, user: action.user, clockOffsetMs: action.serverTime - action.clientTime };

    case 'connection':
      return { ...state, connection: action.status };

    case 'alert/received':
      return withFocusCheck(upsertAlerts(state, [action.alert]));

    case 'alerts/snapshot': {
      const next = upsertAlerts(state, action.alerts);
      const listed = new Set(action.alerts.map((a) => a.id));
      // An alert we hold as unresolved but the server no longer lists was resolved while we were not
      // listening, unless the socket told us about it after the request went out.
      let alerts = next.alerts;
      for (const [id, a] of Object.entries(next.alerts)) {
        if (a.state === 'resolved' || listed.has(id)) continue;
        if ((next.alertSeenAt[id] ?? 0) > action.requestedAtSeq) continue;
        if (alerts === next.alerts) alerts = { ...alerts };
        delete alerts[id];
      }
      return withFocusCheck({ ...next, alerts });
    }

    case 'floor/selected': {
      if (action.floorId === state.selectedFloorId) return state;
      const focus = state.focus && state.focus.floorId === action.floorId ? state.focus : null;
      return { ...state, selectedFloorId: action.floorId, positions: EMPTY_POSITIONS, focus };
    }

    case 'frame': {
      const { frame } = action;
      // Frames of a floor we just left can still be in flight.
      if (frame.floorId !== state.selectedFloorId) return state;
      const cur = state.positions;
      if (frame.full) {
        const byResident: Positions['byResident'] = {};
        for (const item of frame.items) byResident[item.r] = item;
        return { ...state, positions: { floorId: frame.floorId, complete: true, t: frame.t, byResident } };
      }
      // A delta before the full frame of this floor has nothing to apply to; the full frame will carry it.
      if (cur.floorId !== frame.floorId || !cur.complete) return state;
      const byResident = { ...cur.byResident };
      for (const id of frame.gone) delete byResident[id];
      for (const item of frame.items) {
        const old = byResident[item.r];
        if (!old || old.ts <= item.ts) byResident[item.r] = item;
      }
      return { ...state, positions: { ...cur, t: Math.max(cur.t, frame.t), byResident } };
    }

    case 'alert/focused': {
      const alert = state.alerts[action.alertId];
      if (!alert) return state;
      const floorId = alert.position?.floorId ?? alert.floorId;
      const switching = floorId !== state.selectedFloorId;
      return {
        ...state,
        selectedFloorId: floorId,
        positions: switching ? EMPTY_POSITIONS : state.positions,
        focus: { alertId: alert.id, floorId, x: alert.position.x, y: alert.position.y },
      };
    }

    case 'focus/cleared':
      return { ...state, focus: null };

    case 'alert/action-started': {
      const actionErrors = { ...state.actionErrors };
      delete actionErrors[action.alertId];
      return { ...state, pending: { ...state.pending, [action.alertId]: action.action }, actionErrors };
    }

    case 'alert/action-finished': {
      const pending = { ...state.pending };
      delete pending[action.alertId];
      let next: ClientState = { ...state, pending };
      if (action.error) next = { ...next, actionErrors: { ...next.actionErrors, [action.alertId]: action.error } };
      if (action.alert) next = withFocusCheck(upsertAlerts(next, [action.alert]));
      return next;
    }

    case 'locale':
      return { ...state, locale: action.locale };

    case 'theme':
      return { ...state, theme: action.theme };

    case 'sound':
      return { ...state, soundOn: action.on };

    case 'audio/unlocked':
      return state.audioUnlocked ? prev : { ...state, audioUnlocked: true };
  }
}

/**
 * Insert or replace alerts by id. The socket and the REST answer to our own acknowledge race each other,
 * so an older version (smaller `updatedAt`) never replaces a newer one.
 */
function upsertAlerts(state: ClientState, incoming: Alert[]): ClientState {
  if (!incoming.length) return state;
  const alerts = { ...state.alerts };
  const alertSeenAt = { ...state.alertSeenAt };
  for (const alert of incoming) {
    const old = alerts[alert.id];
    if (old && isOlder(alert, old)) continue;
    alerts[alert.id] = alert;
    alertSeenAt[alert.id] = state.seq;
  }
  pruneResolved(alerts, alertSeenAt);
  return { ...state, alerts, alertSeenAt };
}

function isOlder(a: Alert, b: Alert): boolean {
  if (a.updatedAt !== b.updatedAt) return a.updatedAt < b.updatedAt;
  // Same timestamp: the later state in the lifecycle wins.
  return STATE_RANK[a.state] < STATE_RANK[b.state];
}

const STATE_RANK = { open: 0, acknowledged: 1, resolved: 2 } as const;

function pruneResolved(alerts: Record<string, Alert>, seen: Record<string, number>): void {
  const resolved = Object.values(alerts).filter((a) => a.state === 'resolved');
  if (resolved.length <= MAX_RESOLVED_KEPT) return;
  resolved.sort((a, b) => a.updatedAt - b.updatedAt);
  for (const a of resolved.slice(0, resolved.length - MAX_RESOLVED_KEPT)) {
    delete alerts[a.id];
    delete seen[a.id];
  }
}

/** A highlight of an alert that is gone or resolved has nothing left to point at. */
function withFocusCheck(state: ClientState): ClientState {
  if (!state.focus) return state;
  const a = state.alerts[state.focus.alertId];
  return a && a.state !== 'resolved' ? state : { ...state, focus: null };
}
