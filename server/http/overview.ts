import type { Alert, AlertKind, Site } from '../../geo/model';
import type { AlertService } from '../alerts/alert-service';
import type { Store } from '../store';

/** Counts and response times of one site or ward: no resident, no name, no position. */
export interface OverviewStats {
  alerts: number;
  open: number;
  acknowledged: number;
  resolved: number;
  byKind: Partial<Record<AlertKind, number>>;
  /** Detection to the first person acknowledging or resolving it, over the alerts someone answered. */
  responseMs: ResponseTimes & { byShift: Record<Shift, ResponseTimes> };
  /** Cleared by the system before anyone answered (a tag that spoke again, a battery charged). */
  selfCleared: number;
}

export interface OverviewWard extends OverviewStats {
  /** null: community residents living at home (no ward). */
  wardId: string | null;
  name: string;
  nameZh?: string;
}

export interface OverviewSite extends OverviewStats {
  siteId: string;
  name: string;
  nameZh?: string;
  region: string[];
  wards: OverviewWard[];
}

export interface Overview {
  since: number;
  until: number;
  sites: OverviewSite[];
}

export interface ResponseTimes {
  answered: number;
  median: number | null;
  p90: number | null;
  worst: number | null;
}

/** Care-home shifts in the site's local time: early 07-15, late 15-23, night 23-07. */
export type Shift = 'early' | 'late' | 'night';
export const SHIFTS: readonly Shift[] = ['early', 'late', 'night'];

const hourFormats = new Map<string, Intl.DateTimeFormat>();
export function shiftOf(ts: number, timeZone: string): Shift {
  let f = hourFormats.get(timeZone);
  if (!f) hourFormats.set(timeZone, (f = new Intl.DateTimeFormat('en-GB', { hour: 'numeric', hourCycle: 'h23', timeZone })));
  const hour = Number(f.format(ts)) % 24;
  return hour >= 7 && hour < 15 ? 'early' : hour >= 15 && hour < 23 ? 'late' : 'night';
}

function responseTimes(sortedMs: number[]): ResponseTimes {
  return { answered: sortedMs.length, median: percentile(sortedMs, 50), p90: percentile(sortedMs, 90), worst: sortedMs.length ? sortedMs[sortedMs.length - 1] : null };
}

/** When a person first answered the alert (ack or resolve by someone other than the system). */
export function responseMs(a: Alert): number | null {
  const step = a.history.find((h) => (h.state === 'acknowledged' || h.state === 'resolved') && h.by !== 'system');
  return step ? Math.max(0, step.at - a.detectedAt) : null;
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function stats(alerts: Alert[], timeZone = 'UTC'): OverviewStats {
  const byKind: Partial<Record<AlertKind, number>> = {};
  const answered: number[] = [];
  const byShift: Record<Shift, number[]> = { early: [], late: [], night: [] };
  let open = 0;
  let acknowledged = 0;
  let resolved = 0;
  let selfCleared = 0;
  for (const a of alerts) {
    byKind[a.kind] = (byKind[a.kind] ?? 0) + 1;
    if (a.state === 'open') open++;
    else if (a.state === 'acknowledged') acknowledged++;
    else resolved++;
    const ms = responseMs(a);
    if (ms !== null) {
      answered.push(ms);
      byShift[shiftOf(a.detectedAt, timeZone)].push(ms);
    } else if (a.state === 'resolved') selfCleared++;
  }
  const ascending = (x: number, y: number) => x - y;
  answered.sort(ascending);
  for (const s of SHIFTS) byShift[s].sort(ascending);
  return {
    alerts: alerts.length,
    open,
    acknowledged,
    resolved,
    byKind,
    responseMs: { ...responseTimes(answered), byShift: { early: responseTimes(byShift.early), late: responseTimes(byShift.late), night: responseTimes(byShift.night) } },
    selfCleared,
  };
}

/** Aggregate alerts per site and ward. Pure: the caller picks the alerts and the sites. */
export function buildOverview(alerts: Alert[], sites: Site[], since: number, until: number): Overview {
  return {
    since,
    until,
    sites: sites.map((s) => {
      const mine = alerts.filter((a) => a.siteId === s.id);
      const wardIds: (string | null)[] = [...s.wards.map((w) => w.id), ...(mine.some((a) => a.wardId === null) ? [null] : [])];
      return {
        siteId: s.id,
        name: s.name,
        ...(s.nameZh ? { nameZh: s.nameZh } : {}),
        region: s.region,
        ...stats(mine, s.timeZone),
        wards: wardIds.map((w) => ({
          wardId: w,
          name: w === null ? 'Community (at home)' : (s.wards.find((x) => x.id === w)?.name ?? w),
          ...(w !== null && s.wards.find((x) => x.id === w)?.nameZh ? { nameZh: s.wards.find((x) => x.id === w)!.nameZh } : {}),
          ...stats(mine.filter((a) => a.wardId === w), s.timeZone),
        })),
      };
    }),
  };
}

/**
 * Every alert of the sites detected in [since, until): the store pages 1000 at a time (newest
 * first), merged with the live ones not yet flushed.
 */
export async function alertsForOverview(store: Store, live: AlertService, siteIds: string[], since: number, until: number): Promise<Alert[]> {
  await live.flushed();
  const byId = new Map<string, Alert>();
  for (const siteId of siteIds) {
    let upper = until;
    for (let guard = 0; guard < 1000; guard++) {
      const page = await store.listAlerts({ siteId, since, until: upper, limit: 1000 });
      let fresh = 0;
      for (const a of page) if (!byId.has(a.id)) (byId.set(a.id, a), fresh++);
      if (page.length < 1000 || fresh === 0) break;
      // `until` is exclusive: step to the oldest one seen, inclusive of its millisecond
      upper = page[page.length - 1].detectedAt + 1;
    }
  }
  for (const a of live.list()) if (siteIds.includes(a.siteId) && a.detectedAt >= since && a.detectedAt < until) byId.set(a.id, a);
  return [...byId.values()];
}
