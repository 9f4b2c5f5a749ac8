/**
 * Who an alert goes to. Duty rosters are data: shifts name staff, the wards they cover (none: every
 * ward), the days and the hours, in the site's own time zone (a night shift 22:00-06:00 belongs to the
 * day it starts on). An alert goes to the staff on duty for its ward; when nobody is, to every nurse
 * and charge nurse of the site. Escalation audiences are roles (`charge_nurse`, `manager`...) or
 * usernames.
 */
import type { Alert, EpochMs } from '../../geo/model';
import type { Store } from '../store';
import { RecordCache } from './record-cache';

export interface Shift {
  staff: string[];
  /** Wards covered; absent or empty: every ward of the site. */
  wardIds?: string[];
  /** Days the shift starts on, 0 = Sunday; absent: every day. */
  days?: number[];
  /** "HH:MM" local time; an end at or before the start runs past midnight. */
  start: string;
  end: string;
}

export interface Roster {
  siteId: string;
  shifts: Shift[];
  updatedAt: EpochMs;
  updatedBy: string;
}

export interface StaffMember {
  username: string;
  role: string;
  siteIds: string[];
  wardIds: string[];
}

export interface Route {
  staff: string[];
  /** `ward`: the ward's staff on duty; `site`: nobody was on duty there, so the whole site. */
  scope: 'ward' | 'site';
}

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
const WEEKDAY: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };
const formatters = new Map<string, Intl.DateTimeFormat>();

/** Day of week (0 = Sunday) and minute of the day at `t` in `timeZone`. */
export function localClock(t: EpochMs, timeZone: string): { day: number; minute: number } {
  let f = formatters.get(timeZone);
  if (!f) formatters.set(timeZone, (f = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })));
  const parts = Object.fromEntries(f.formatToParts(t).map((p) => [p.type, p.value]));
  return { day: WEEKDAY[parts.weekday], minute: Number(parts.hour) * 60 + Number(parts.minute) };
}

/** Is the shift running at this local day and minute? */
export function shiftCovers(s: Shift, day: number, minute: number): boolean {
  const start = minutes(s.start);
  const end = minutes(s.end);
  const startsOn = (d: number) => !s.days?.length || s.days.includes(d);
  if (end > start) return startsOn(day) && minute >= start && minute < end;
  // past midnight: the evening part today, or the morning part of a shift that started yesterday
  return (startsOn(day) && minute >= start) || (startsOn((day + 6) % 7) && minute < end);
}

export function onDuty(roster: Roster | undefined, wardId: string | null, t: EpochMs, timeZone: string): string[] {
  if (!roster) return [];
  const { day, minute } = localClock(t, timeZone);
  const out = new Set<string>();
  for (const s of roster.shifts) {
    const wardOk = !s.wardIds?.length || (wardId !== null && s.wardIds.includes(wardId));
    if (wardOk && shiftCovers(s, day, minute)) for (const u of s.staff) out.add(u);
  }
  return [...out];
}

export function routeAlert(alert: Pick<Alert, 'siteId' | 'wardId'>, roster: Roster | undefined, staff: readonly StaffMember[], t: EpochMs, timeZone: string): Route {
  const atSite = new Set(staff.filter((m) => m.siteIds.includes(alert.siteId)).map((m) => m.username));
  const duty = onDuty(roster, alert.wardId, t, timeZone).filter((u) => atSite.has(u));
  if (duty.length) return { staff: duty, scope: 'ward' };
  return { staff: staff.filter((m) => m.siteIds.includes(alert.siteId) && (m.role === 'nurse' || m.role === 'charge_nurse')).map((m) => m.username), scope: 'site' };
}

/** An escalation step's audience: everyone of the role at the site, or the named account. */
export function audienceOf(to: string, siteId: string, staff: readonly StaffMember[]): string[] {
  return staff.filter((m) => m.siteIds.includes(siteId) && (m.role === to || m.username === to)).map((m) => m.username);
}

/** The rosters of every site, kept in the store. */
export class Rosters extends RecordCache<Roster> {
  constructor(store: Store) {
    super(store, 'roster');
  }

  set(roster: Roster): Promise<void> {
    return this.write(roster.siteId, roster.siteId, roster, roster.updatedAt);
  }

  /** A site without a roster gets this one (the sample's demo nurse on every ward, all day). */
  async seed(roster: Roster): Promise<void> {
    if (!this.byId.has(roster.siteId)) await this.set(roster);
  }
}
