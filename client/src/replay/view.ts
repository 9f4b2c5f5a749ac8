/** What the replay map shows at a moment: which floor, the residents on it and their state, the alert markers. */
import { byMarkerOrder, markerStatuses, residentMarker, type ResidentMarker } from '../state/selectors';
import type { ResidentDto } from '../state/types';
import { alertStateAt } from './events';
import type { AlertMarker } from './layers';
import { floorAt, positionAt, type TrackIndex } from './tracks';
import type { Alert } from './types';

/**
 * The floor to draw: the one the user picked, else the floor the followed (or involved) resident is on at `t`,
 * else the alert's floor, else the first floor with rows.
 */
export function shownFloor(opts: {
  picked: string | null;
  index: TrackIndex;
  residentId: string | null;
  time: number;
  alert: Alert | null;
}): string | null {
  if (opts.picked) return opts.picked;
  const fromTrack = opts.residentId ? floorAt(opts.index.byId[opts.residentId], opts.time) : null;
  return fromTrack ?? opts.alert?.position?.floorId ?? opts.alert?.floorId ?? opts.index.floors[0] ?? null;
}

/** Residents on `floorId` at `t`, coloured by the state their alerts were in at that moment (as the nurse saw it). */
export function markersAt(
  index: TrackIndex,
  floorId: string | null,
  t: number,
  residentsById: Record<string, ResidentDto>,
  alerts: readonly Alert[],
): ResidentMarker[] {
  if (!floorId) return [];
  const status = markerStatuses(alerts.map((a) => [a.residentId, alertStateAt(a, t)] as const));
  const out: ResidentMarker[] = [];
  for (const track of index.residents) {
    const p = positionAt(track, t);
    if (p && p.floorId === floorId) out.push(residentMarker(track.residentId, residentsById[track.residentId], p, status));
  }
  return out.sort(byMarkerOrder);
}

/** One marker per alert raised on `floorId`, at the position of its causing fix. */
export function alertMarkers(alerts: readonly Alert[], mainId: string | null, floorId: string | null, label: (a: Alert) => string): AlertMarker[] {
  if (!floorId) return [];
  return alerts
    .filter((a) => (a.position?.floorId ?? a.floorId) === floorId && a.position)
    .map((a) => ({ id: a.id, x: a.position.x, y: a.position.y, label: label(a), main: a.id === mainId }))
    .sort((a, b) => Number(a.main) - Number(b.main)); // the replayed alert on top
}
