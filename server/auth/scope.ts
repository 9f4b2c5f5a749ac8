import type { Alert, Resident } from '../../geo/model';
import type { Registry } from '../registry';
import type { SessionUser } from '../realtime/events';

/** Alert kinds a family member is told about (SPEC §5). */
const FAMILY_KINDS = new Set<Alert['kind']>(['exit_approach', 'left_safe_zone', 'left_area', 'forbidden_zone', 'fall', 'sos']);

/** Authorisation in one place: REST handlers and socket joins both ask here. */
export function canSeeResident(user: SessionUser, r: Pick<Resident, 'id' | 'siteId' | 'wardId'>): boolean {
  switch (user.role) {
    case 'admin':
    case 'manager':
      return user.siteIds.includes(r.siteId);
    case 'nurse':
    case 'charge_nurse':
      return user.siteIds.includes(r.siteId) && (r.wardId === null ? user.role === 'charge_nurse' : user.wardIds.includes(r.wardId));
    case 'family':
      return user.residentIds.includes(r.id);
    case 'regulator':
      return false;
  }
}

export function canSeeAlert(user: SessionUser, a: Alert): boolean {
  if (user.role === 'family' && !FAMILY_KINDS.has(a.kind)) return false;
  return canSeeResident(user, { id: a.residentId, siteId: a.siteId, wardId: a.wardId });
}

export function canHandleAlert(user: SessionUser, a: Alert): boolean {
  return user.role !== 'family' && user.role !== 'regulator' && canSeeAlert(user, a);
}

/** Floors whose live map a user may watch. */
export function canWatchFloor(user: SessionUser, registry: Registry, floorId: string): boolean {
  const ref = registry.floor(floorId);
  if (!ref || !user.siteIds.includes(ref.site.id)) return false;
  if (user.role === 'admin' || user.role === 'manager' || user.role === 'charge_nurse') return true;
  if (user.role === 'nurse') return ref.site.wards.some((w) => user.wardIds.includes(w.id) && w.floorIds.includes(floorId));
  return false;
}

/** Socket.IO rooms a user's sockets join on connect: alerts reach them with no further request. */
export function alertRoomsFor(user: SessionUser): string[] {
  switch (user.role) {
    case 'admin':
    case 'manager':
      return user.siteIds.map((s) => `site:${s}`);
    case 'charge_nurse':
      return [...user.wardIds.map((w) => `ward:${w}`), ...user.siteIds.map((s) => `site-unwarded:${s}`)];
    case 'nurse':
      return user.wardIds.map((w) => `ward:${w}`);
    case 'family':
      return user.residentIds.map((r) => `family:${r}`);
    case 'regulator':
      return [];
  }
}

/** Rooms an alert is sent to; Socket.IO delivers once per socket however many of them it is in. */
export function alertRoomsOf(a: Alert): string[] {
  const rooms = [`site:${a.siteId}`, a.wardId ? `ward:${a.wardId}` : `site-unwarded:${a.siteId}`];
  if (FAMILY_KINDS.has(a.kind)) rooms.push(`family:${a.residentId}`);
  return rooms;
}

export function visibleResidents(user: SessionUser, registry: Registry): Resident[] {
  return [...registry.residents.values()].filter((r) => canSeeResident(user, r));
}
