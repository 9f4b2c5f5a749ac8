/**
 * Door and lift linkage (门禁系统联动): a wander-risk resident approaching an exit whose zone names a
 * controller sends `door.lock` for it, naming every wander-risk resident with an open exit-approach
 * alert at that exit (one slipping out behind another is the classic miss of door-only systems); the
 * last of those alerts resolved sends `door.unlock`. Both go out as webhooks to the access-control
 * system. Escorted residents raise no exit-approach alert in the first place (the detector).
 */
import type { Alert } from '../../geo/model';
import type { Registry } from '../registry';

export interface DoorEvent {
  type: 'door.lock' | 'door.unlock';
  /** Makes the webhook message once per event (see webhooks.ts). */
  key: string;
  data: {
    door: NonNullable<import('../../geo/model').Zone['controller']>;
    zone: { id: string; name: string; floorId: string };
    cameras: NonNullable<Alert['cameras']>;
    /** Every wander-risk resident at this exit now (lock), or the one whose alert closed (unlock). */
    residents: Array<{ id: string; name: string; alertId: string }>;
    alert: Alert;
  };
}

export function doorEvents(alert: Alert, change: string, registry: Registry, unresolved: () => readonly Alert[]): DoorEvent[] {
  if (alert.kind !== 'exit_approach' || !alert.zoneId) return [];
  const zone = registry.zones.get(alert.zoneId);
  const resident = registry.residents.get(alert.residentId);
  if (!zone?.controller || zone.kind !== 'exit' || !resident?.wanderRisk) return [];
  const atExit = unresolved().filter((a) => a.kind === 'exit_approach' && a.zoneId === zone.id && a.state !== 'resolved' && registry.residents.get(a.residentId)?.wanderRisk);
  const base = { door: zone.controller, zone: { id: zone.id, name: zone.name, floorId: zone.floorId }, cameras: zone.cameras ?? [] };
  const named = (as: readonly Alert[]) => as.map((a) => ({ id: a.residentId, name: a.residentName, alertId: a.id }));
  if (change === 'raised') {
    const residents = named(atExit.some((a) => a.id === alert.id) ? atExit : [...atExit, alert]);
    return [{ type: 'door.lock', key: `door.lock:${zone.id}:${alert.id}`, data: { ...base, residents, alert } }];
  }
  if (change === 'resolved' && !atExit.some((a) => a.id !== alert.id)) {
    return [{ type: 'door.unlock', key: `door.unlock:${zone.id}:${alert.id}`, data: { ...base, residents: named([alert]), alert } }];
  }
  return [];
}
