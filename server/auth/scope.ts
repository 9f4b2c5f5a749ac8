import type { Alert, Resident, Site, Zone } from '../../geo/model';
import type { Registry } from '../registry';
import type { SessionUser } from '../contract';

/**
 * Authorisation in one place. REST handlers, Socket.IO joins and events, and the live-position
 * stream all ask here; nothing else decides who sees what.
 *
 * Two layers: what a role may do at all (GRANTS: role x action), then which objects of that kind
 * the user may touch (site, ward, linked resident, open alert). A role-level refusal is a 403; an
 * object outside the user's scope is a 404, so nobody learns which residents or alerts exist
 * beyond their own.
 */
export type Role = SessionUser['role'];

export type Action =
  /** Floor plans and zones of a site (no residents). */
  | 'site.read'
  | 'resident.list'
  | 'resident.read'
  /** The live position (REST, socket request or the family stream). */
  | 'resident.position'
  /** Track history and replay (server/http/replay-api.ts), of the residents the user can see. */
  | 'resident.track'
  | 'resident.export'
  | 'resident.create'
  /** Import floor plans, change zones, wards and residents' settings (the setup screen). */
  | 'site.manage'
  | 'alert.list'
  | 'alert.read'
  | 'alert.handle'
  | 'floor.watch'
  /** Counts and response times, no names or positions. */
  | 'overview.read'
  | 'audit.read'
  | 'account.manage'
  | 'key.manage'
  | 'totp.enrol'
  /** Outgoing webhooks (server/http/alarm-api.ts). */
  | 'webhook.manage'
  /** Escalation steps and duty rosters of a site. */
  | 'alarm.configure'
  /** Web Push to one's own phone, and one's notification choices. */
  | 'push.subscribe';

const FRONTLINE: Action[] = ['site.read', 'resident.list', 'resident.read', 'resident.position', 'resident.track', 'alert.list', 'alert.read', 'alert.handle', 'floor.watch', 'push.subscribe'];

/** The role x action table. Anything not listed is refused. */
export const GRANTS: Readonly<Record<Role, ReadonlySet<Action>>> = {
  nurse: new Set(FRONTLINE),
  charge_nurse: new Set(FRONTLINE),
  manager: new Set([...FRONTLINE, 'overview.read', 'audit.read', 'totp.enrol', 'alarm.configure']),
  admin: new Set([...FRONTLINE, 'overview.read', 'audit.read', 'resident.export', 'resident.create', 'site.manage', 'account.manage', 'key.manage', 'totp.enrol', 'alarm.configure', 'webhook.manage']),
  // family: their relative, their alerts, the position only while an alert of theirs is open
  family: new Set(['site.read', 'resident.list', 'resident.read', 'resident.position', 'alert.list', 'alert.read', 'push.subscribe']),
  regulator: new Set(['site.read', 'overview.read']),
};

export type Decision = { ok: true } | { ok: false; status: 403 | 404; error: string };

const ALLOW: Decision = { ok: true };
const deny = (status: 403 | 404, error: string): Decision => ({ ok: false, status, error });

/** Alert kinds a family member is told about (SPEC §5: wandering, fall, SOS). */
export const FAMILY_KINDS: ReadonlySet<Alert['kind']> = new Set<Alert['kind']>(['exit_approach', 'left_safe_zone', 'left_area', 'forbidden_zone', 'fall', 'sos']);

export function may(user: SessionUser, action: Action): boolean {
  return GRANTS[user.role]?.has(action) === true;
}

/** Role level: may this role do this at all? */
export function authorize(user: SessionUser, action: Action): Decision {
  return may(user, action) ? ALLOW : deny(403, `the ${user.role} role may not ${ACTION_TEXT[action]}`);
}

const ACTION_TEXT: Record<Action, string> = {
  'site.read': 'read site plans',
  'resident.list': 'list residents',
  'resident.read': 'read residents',
  'resident.position': 'see live positions',
  'resident.track': 'read track history',
  'resident.export': "export a resident's data",
  'resident.create': 'create residents',
  'site.manage': 'set up sites',
  'alert.list': 'list alerts',
  'alert.read': 'read alerts',
  'alert.handle': 'acknowledge or resolve alerts',
  'floor.watch': 'watch live floor maps',
  'overview.read': 'read the overview',
  'audit.read': 'read the audit log',
  'account.manage': 'manage accounts',
  'key.manage': 'manage ingest keys',
  'totp.enrol': 'enrol TOTP',
  'webhook.manage': 'manage webhooks',
  'alarm.configure': 'configure escalation and duty rosters',
  'push.subscribe': 'receive push notifications',
};

/** Object level: is this resident inside the user's scope (site, ward, or linked relative)? */
export function canSeeResident(user: SessionUser, r: Pick<Resident, 'id' | 'siteId' | 'wardId'>): boolean {
  switch (user.role) {
    case 'admin':
    case 'manager':
      return user.siteIds.includes(r.siteId);
    case 'nurse':
    case 'charge_nurse':
      return user.siteIds.includes(r.siteId) && (r.wardId === null ? user.role === 'charge_nurse' : user.wardIds.includes(r.wardId));
    case 'family':
      return user.siteIds.includes(r.siteId) && user.residentIds.includes(r.id);
    case 'regulator':
      return false;
  }
}

/** An alert that opens the family's live view: of a family kind and not resolved yet. */
export function opensFamilyView(a: Pick<Alert, 'kind' | 'state'>): boolean {
  return FAMILY_KINDS.has(a.kind) && a.state !== 'resolved';
}

/**
 * The user may do `action` to this resident. `activeAlerts` (the resident's alerts that are not
 * resolved) matters only for a family member's live position: allowed while one of them is open.
 */
export function authorizeResident(
  user: SessionUser,
  action: Action,
  r: Pick<Resident, 'id' | 'siteId' | 'wardId'>,
  activeAlerts: readonly Pick<Alert, 'kind' | 'state' | 'residentId'>[] = [],
): Decision {
  const role = authorize(user, action);
  if (!role.ok) return role;
  if (!canSeeResident(user, r)) return deny(404, 'no such resident');
  if (user.role === 'family' && action === 'resident.position' && !activeAlerts.some((a) => a.residentId === r.id && opensFamilyView(a)))
    return deny(403, 'the live position is shown to family only while a wandering, fall or SOS alert is open');
  return ALLOW;
}

export function canSeeAlert(user: SessionUser, a: Alert): boolean {
  if (!may(user, 'alert.read')) return false;
  if (user.role === 'family' && !FAMILY_KINDS.has(a.kind)) return false;
  return canSeeResident(user, { id: a.residentId, siteId: a.siteId, wardId: a.wardId });
}

export function authorizeAlert(user: SessionUser, action: 'alert.read' | 'alert.handle', a: Alert): Decision {
  if (!may(user, 'alert.read')) return authorize(user, 'alert.read');
  if (!canSeeAlert(user, a)) return deny(404, 'no such alert');
  return authorize(user, action);
}

export function canHandleAlert(user: SessionUser, a: Alert): boolean {
  return authorizeAlert(user, 'alert.handle', a).ok;
}

/** Site-wide actions (overview, audit, keys, accounts, creating residents): the user's own sites only. */
export function authorizeSite(user: SessionUser, action: Action, siteId: string): Decision {
  const role = authorize(user, action);
  if (!role.ok) return role;
  return user.siteIds.includes(siteId) ? ALLOW : deny(404, `unknown site ${siteId}`);
}

/**
 * The part of a site's plan a user may read (`GET /api/v1/sites`): staff their sites whole; a family
 * member only the floors of their relative's ward and room (a community resident: no floor at all);
 * a regulator nothing (aggregates come from the overview). null: the site is not shown.
 */
export function sitePlanScope(user: SessionUser, registry: Registry, siteId: string): { floorIds: ReadonlySet<string> | 'all' } | null {
  if (!authorize(user, 'site.read').ok || !user.siteIds.includes(siteId)) return null;
  if (user.role === 'regulator') return null;
  if (user.role !== 'family') return { floorIds: 'all' };
  const site = registry.sites.get(siteId);
  const relatives = user.residentIds.map((id) => registry.residents.get(id)).filter((r): r is Resident => r?.siteId === siteId);
  if (!site || relatives.length === 0) return null;
  const floorIds = new Set<string>();
  for (const r of relatives) {
    for (const w of site.wards) if (w.id === r.wardId) for (const f of w.floorIds) floorIds.add(f);
    const room = r.roomZoneId ? registry.siteZones(siteId).find((z) => z.id === r.roomZoneId) : undefined;
    if (room) floorIds.add(room.floorId);
  }
  return { floorIds };
}

/** A site cut down to some of its floors: their buildings, the wards on them, their zones. */
export function planPart(site: Site, zones: Zone[], floorIds: ReadonlySet<string> | 'all'): { site: Site; zones: Zone[] } {
  if (floorIds === 'all') return { site, zones };
  const floors = site.floors.filter((f) => floorIds.has(f.id));
  const buildingIds = new Set(floors.map((f) => f.buildingId));
  return {
    site: {
      ...site,
      floors,
      buildings: site.buildings.filter((b) => buildingIds.has(b.id)),
      wards: site.wards.filter((w) => w.floorIds.some((f) => floorIds.has(f))).map((w) => ({ ...w, floorIds: w.floorIds.filter((f) => floorIds.has(f)) })),
    },
    zones: zones.filter((z) => floorIds.has(z.floorId)),
  };
}

/** Floors whose live map a user may watch. */
export function canWatchFloor(user: SessionUser, registry: Registry, floorId: string): boolean {
  return authorizeFloor(user, registry, floorId).ok;
}

export function authorizeFloor(user: SessionUser, registry: Registry, floorId: string): Decision {
  const role = authorize(user, 'floor.watch');
  if (!role.ok) return role;
  const ref = registry.floor(floorId);
  if (!ref || !user.siteIds.includes(ref.site.id)) return deny(404, `no such floor ${floorId}`);
  if (user.role === 'admin' || user.role === 'manager' || user.role === 'charge_nurse') return ALLOW;
  if (user.role === 'nurse' && ref.site.wards.some((w) => user.wardIds.includes(w.id) && w.floorIds.includes(floorId))) return ALLOW;
  // the grounds and the street belong to no ward: a nurse covering every ward of the site is its night watch
  if (user.role === 'nurse' && ref.floor.outdoor && ref.site.wards.length > 0 && ref.site.wards.every((w) => user.wardIds.includes(w.id))) return ALLOW;
  return deny(403, `floor ${floorId} is not on a ward you cover`);
}

/**
 * Socket.IO rooms a user's sockets join on connect: alerts reach them with no further request.
 * Ward rooms are qualified by site, so equal ward ids in two institutions never share a room.
 * Kept in step with `canSeeAlert` (tests/security checks both agree for every role).
 */
export function alertRoomsFor(user: SessionUser, registry: Registry): string[] {
  const wardRooms = () =>
    user.siteIds.flatMap((s) => (registry.sites.get(s)?.wards ?? []).filter((w) => user.wardIds.includes(w.id)).map((w) => `ward:${s}:${w.id}`));
  switch (user.role) {
    case 'admin':
    case 'manager':
      return user.siteIds.map((s) => `site:${s}`);
    case 'charge_nurse':
      return [...wardRooms(), ...user.siteIds.map((s) => `site-unwarded:${s}`)];
    case 'nurse':
      return wardRooms();
    case 'family':
      return user.residentIds.filter((r) => user.siteIds.includes(registry.residents.get(r)?.siteId ?? '')).map(familyRoomOf);
    case 'regulator':
      return [];
  }
}

/** Rooms an alert is sent to; Socket.IO delivers once per socket however many of them it is in. */
export function alertRoomsOf(a: Alert): string[] {
  const rooms = [`site:${a.siteId}`, a.wardId ? `ward:${a.siteId}:${a.wardId}` : `site-unwarded:${a.siteId}`];
  if (FAMILY_KINDS.has(a.kind)) rooms.push(familyRoomOf(a.residentId));
  return rooms;
}

/** The room a family member's live-position stream for their relative goes to. */
export function familyRoomOf(residentId: string): string {
  return `family:${residentId}`;
}

export function visibleResidents(user: SessionUser, registry: Registry): Resident[] {
  if (!may(user, 'resident.list')) return [];
  return [...registry.residents.values()].filter((r) => canSeeResident(user, r));
}

/** Audit entries an auditor may read: those of their sites; entries with no site (accounts, keys) to admins only. */
export function canReadAuditEntry(user: SessionUser, e: { siteId?: string }): boolean {
  if (!may(user, 'audit.read')) return false;
  return e.siteId === undefined ? user.role === 'admin' : user.siteIds.includes(e.siteId);
}
