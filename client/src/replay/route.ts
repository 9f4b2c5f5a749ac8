/**
 * The URL hash names the screen, so a manager can open an incident from a link or a bookmark:
 *   #/live                                   the live floor map (also the empty hash)
 *   #/replay                                 the replay screen with nothing chosen yet
 *   #/replay/<alertId>?before=&after=        an alert, with ms before and after its fix
 *   #/replay?residents=a,b&floor=&since=&until=   residents and/or a floor over a window (epoch ms)
 */
import type { ReplaySource } from './types';

export const DEFAULT_BEFORE_MS = 120_000;
export const DEFAULT_AFTER_MS = 300_000;
/** The server's limit for the window around an alert (each side). */
export const MAX_AROUND_MS = 6 * 3_600_000;

export type Route = { screen: 'live' } | { screen: 'replay'; source: ReplaySource | null };

export function parseHash(hash: string): Route {
  const h = hash.replace(/^#/, '');
  const [path, query = ''] = h.split('?', 2);
  const parts = path.split('/').filter(Boolean);
  if (parts[0] !== 'replay') return { screen: 'live' };
  const q = new URLSearchParams(query);
  const ms = (name: string, fallback: number) => {
    const v = Number(q.get(name));
    return q.has(name) && Number.isFinite(v) && v >= 0 ? Math.min(Math.round(v), MAX_AROUND_MS) : fallback;
  };
  if (parts[1]) {
    let alertId: string;
    try {
      alertId = decodeURIComponent(parts[1]);
    } catch {
      return { screen: 'replay', source: null };
    }
    return { screen: 'replay', source: { kind: 'alert', alertId, beforeMs: ms('before', DEFAULT_BEFORE_MS), afterMs: ms('after', DEFAULT_AFTER_MS) } };
  }
  const residentIds = (q.get('residents') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const floorId = q.get('floor') || null;
  const since = Number(q.get('since'));
  const until = Number(q.get('until'));
  if ((residentIds.length || floorId) && Number.isFinite(since) && Number.isFinite(until) && since > 0 && until > since) {
    return { screen: 'replay', source: { kind: 'window', residentIds, floorId, since, until } };
  }
  return { screen: 'replay', source: null };
}

export function formatRoute(route: Route): string {
  if (route.screen === 'live') return '#/live';
  const s = route.source;
  if (!s) return '#/replay';
  if (s.kind === 'alert') {
    const q = new URLSearchParams();
    if (s.beforeMs !== DEFAULT_BEFORE_MS) q.set('before', String(s.beforeMs));
    if (s.afterMs !== DEFAULT_AFTER_MS) q.set('after', String(s.afterMs));
    const qs = q.toString();
    return `#/replay/${encodeURIComponent(s.alertId)}${qs ? `?${qs}` : ''}`;
  }
  const q = new URLSearchParams();
  if (s.residentIds.length) q.set('residents', s.residentIds.join(','));
  if (s.floorId) q.set('floor', s.floorId);
  q.set('since', String(s.since));
  q.set('until', String(s.until));
  return `#/replay?${q.toString()}`;
}

/** Same source, so a hash change to it needs no reload. */
export function sameSource(a: ReplaySource | null, b: ReplaySource | null): boolean {
  return formatRoute({ screen: 'replay', source: a }) === formatRoute({ screen: 'replay', source: b });
}

/** Roles the server lets read track history (`resident.track` in server/auth/scope.ts). */
const REPLAY_ROLES: ReadonlySet<string> = new Set(['nurse', 'charge_nurse', 'manager', 'admin']);

export function canReplay(user: { role: string } | null | undefined): boolean {
  return !!user && REPLAY_ROLES.has(user.role);
}
