/** What the replay map shows at a moment: which floor, the residents on it and their state, the alert markers. */
import type { MarkerStatus, ResidentMarker } from '../state/selectors';
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
  const status = new Map<string, MarkerStatus>();
  for (const a of alerts) {
    const s = alertStateAt(a, t);
    if (s === 'open') status.set(a.residentId, 'alert');
    else if (s === 'acknowledged' && status.get(a.residentId) !== 'alert') status.set(a.residentId, 'acknowledged');
  }
  const order: Record<MarkerStatus, number> = { normal: 0, acknowledged: 1, alert: 2 };
  const out: ResidentMarker[] = [];
  for (const track of index.residents) {
    const p = positionAt(track, t);
    if (!p || p.floorId !== floorId) continue;
    const r = residentsById[track.residentId];
    out.push({
      id: track.residentId,
      name: r?.name ?? track.residentId,
      x: p.x,
      y: p.y,
      ts: p.ts,
      wanderRisk: r?.wanderRisk ?? false,
      fallRisk: r?.fallRisk ?? false,
      status: status.get(track.residentId) ?? 'normal',
    });
  }
  return out.sort((a, b) => order[a.status] - order[b.status] || (a.id < b.id ? -1 : 1));
}

/** One marker per alert raised on `floorId`, at the position of its causing fix. */
export function alertMarkers(alerts: readonly Alert[], mainId: string | null, floorId: string | null, label: (a: Alert) => string): AlertMarker[] {
  if (!floorId) return [];
  return alerts
    .filter((a) => (a.position?.floorId ?? a.floorId) === floorId && a.position)
    .map((a) => ({ id: a.id, x: a.position.x, y: a.position.y, label: label(a), main: a.id === mainId }))
    .sort((a, b) => Number(a.main) - Number(b.main)); // the replayed alert on top
}
