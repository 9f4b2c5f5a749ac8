import type { EpochMs, NightWindow } from './model';

/**
 * Wall-clock time in a site's time zone, through Intl (the runtime's tz database), so a window such as
 * 22:00–06:00 stays 22:00–06:00 local across daylight-saving changes. No Date.now(): time is passed in.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();
/** UTC offsets by (zone, 15-minute UTC bucket): transitions fall on quarter hours, so a bucket has one offset. */
const offsets = new Map<string, number>();
const BUCKET_MS = 15 * 60_000;

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Offset of local wall time from UTC at `ts`, ms (e.g. +8 h for Asia/Shanghai). */
export function utcOffsetMs(ts: EpochMs, timeZone: string): number {
  const bucket = Math.floor(ts / BUCKET_MS);
  const key = `${timeZone}|${bucket}`;
  const hit = offsets.get(key);
  if (hit !== undefined) return hit;
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(bucket * BUCKET_MS)) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const asUtc = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  const offset = asUtc - bucket * BUCKET_MS;
  if (offsets.size > 10_000) offsets.clear();
  offsets.set(key, offset);
  return offset;
}

/** Minutes since local midnight (fractional) at `ts` in `timeZone`. */
export function localMinutes(ts: EpochMs, timeZone: string): number {
  const local = ts + utcOffsetMs(ts, timeZone);
  const day = 86_400_000;
  return (((local % day) + day) % day) / 60_000;
}

/** "HH:MM" -> minutes since midnight; NaN when malformed. */
export function parseHhMm(s: string): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(s.trim());
  if (!m) return Number.NaN;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (h > 24 || min > 59) return Number.NaN;
  return h * 60 + min;
}

/**
 * Whether `ts` falls in the window, local time. A window whose start is after its end wraps midnight
 * (22:00–06:00); start == end, or a malformed window, is empty.
 */
export function inNightWindow(ts: EpochMs, timeZone: string, window: NightWindow): boolean {
  const start = parseHhMm(window.start);
  const end = parseHhMm(window.end);
  if (Number.isNaN(start) || Number.isNaN(end) || start === end) return false;
  const m = localMinutes(ts, timeZone);
  return start < end ? m >= start && m < end : m >= start || m < end;
}

/**
 * The instant the window containing `ts` began, or null when `ts` is outside it. Wall-clock minutes since
 * the start are corrected by the change of UTC offset in between, so the night of a daylight-saving change
 * is as long as it really is (an hour shorter or longer), not as long as the clock face says.
 */
export function nightStartedAt(ts: EpochMs, timeZone: string, window: NightWindow): EpochMs | null {
  if (!inNightWindow(ts, timeZone, window)) return null;
  const start = parseHhMm(window.start);
  const sinceStartMin = (((localMinutes(ts, timeZone) - start) % 1440) + 1440) % 1440;
  const guess = ts - sinceStartMin * 60_000;
  return guess + (utcOffsetMs(ts, timeZone) - utcOffsetMs(guess, timeZone));
}
