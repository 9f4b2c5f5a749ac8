/**
 * What happened during a replay window, in order: alerts raised, acknowledged and resolved, zones entered and
 * left, floors changed. The timeline marks, the event list and the printed report are all read from here.
 */
import type { AlertState } from '../../../geo/model';
import type { Alert, ReplayData } from './types';

export type ReplayEvent =
  | { type: 'alert'; ts: number; alertId: string; residentId: string; main: boolean }
  | { type: 'acknowledged' | 'resolved'; ts: number; alertId: string; residentId: string; by: string; note?: string; main: boolean }
  | { type: 'enter' | 'exit'; ts: number; residentId: string; zoneId: string }
  | { type: 'floor'; ts: number; residentId: string; floorId: string; fromFloorId: string };

/** The alert's state at `t` as its history tells it; 'none' before its fix. */
export function alertStateAt(alert: Alert, t: number): AlertState | 'none' {
  if (t < alert.fixTs) return 'none';
  let state: AlertState = 'open';
  for (const step of alert.history) {
    // an escalation is not a change of state: the alert is still open
    if (step.at <= t) state = step.state === 'escalated' ? state : step.state;
    else break;
  }
  return state;
}

/** Every alert of the replay, the replayed one first, without duplicates. */
export function allAlerts(data: Pick<ReplayData, 'alert' | 'alerts'>): Alert[] {
  const out = data.alert ? [data.alert] : [];
  for (const a of data.alerts) if (!out.some((b) => b.id === a.id)) out.push(a);
  return out;
}

/**
 * Events in time order. `residentIds`, when given, keeps zone and floor changes of those residents only (a floor
 * replay has dozens of residents walking about; the report is about the ones involved).
 */
export function replayEvents(data: Pick<ReplayData, 'alert' | 'alerts' | 'transitions' | 'since' | 'until'>, residentIds?: ReadonlySet<string>): ReplayEvent[] {
  const out: ReplayEvent[] = [];
  const mainId = data.alert?.id ?? null;
  for (const a of allAlerts(data)) {
    const main = a.id === mainId;
    out.push({ type: 'alert', ts: a.fixTs, alertId: a.id, residentId: a.residentId, main });
    for (const step of a.history) {
      if (step.state === 'acknowledged' || step.state === 'resolved') {
        out.push({ type: step.state, ts: step.at, alertId: a.id, residentId: a.residentId, by: step.by, ...(step.note ? { note: step.note } : {}), main });
      }
    }
  }
  for (const tr of data.transitions) {
    if (residentIds && !residentIds.has(tr.residentId)) continue;
    if (tr.fromFloorId && tr.fromFloorId !== tr.floorId) {
      out.push({ type: 'floor', ts: tr.ts, residentId: tr.residentId, floorId: tr.floorId, fromFloorId: tr.fromFloorId });
    }
    for (const zoneId of tr.exited) out.push({ type: 'exit', ts: tr.ts, residentId: tr.residentId, zoneId });
    for (const zoneId of tr.entered) out.push({ type: 'enter', ts: tr.ts, residentId: tr.residentId, zoneId });
  }
  // stable: at one instant an alert comes before its handling, an exit before the entry it led to
  return out.sort((a, b) => a.ts - b.ts);
}

/** Whose tracks the report follows: the alert's resident, or the residents asked for. */
export function involvedResidents(data: Pick<ReplayData, 'alert' | 'source'>): Set<string> {
  if (data.alert) return new Set([data.alert.residentId]);
  return new Set(data.source.kind === 'window' ? data.source.residentIds : []);
}
