import type { EpochMs, NightWindow } from './model';

/**
 * Wall-clock time in a site's time zone, through Intl (the runtime's tz database), so a window such as
 * 22:00–06:00 stays 22:00–06:00 local across daylight-saving changes. No Date.now(): time is passed in.
 */

/**
 * Per time zone: its formatter (constructing one costs tens of microseconds) and its UTC offsets by
 * 15-minute UTC bucket (transitions fall on quarter hours, so a bucket has one offset). Detectors ask for
 * the offset several times a fix, mostly for the bucket they asked for last, so that one is kept apart.
 */
interface ZoneClock {
  formatter: Intl.DateTimeFormat;
  offsets: Map<number, number>;
  lastBucket: number;
  lastOffset: number;
  /** The one before: a night's start lies in another bucket than the fix asking. */
  prevBucket: number;
  prevOffset: number;
}

const clocks = new Map<string, ZoneClock>();
const BUCKET_MS = 15 * 60_000;

function clock(timeZone: string): ZoneClock {
  let c = clocks.get(timeZone);
  if (!c) {
    const formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    c = { formatter, offsets: new Map(), lastBucket: Number.NaN, lastOffset: 0, prevBucket: Number.NaN, prevOffset: 0 };
    clocks.set(timeZone, c);
  }
  return c;
}

/** Offset of local wall time from UTC at `ts`, ms (e.g. +8 h for Asia/Shanghai). */
export function utcOffsetMs(ts: EpochMs, timeZone: string): number {
  const bucket = Math.floor(ts / BUCKET_MS);
  const c = clock(timeZone);
  if (bucket === c.lastBucket) return c.lastOffset;
  if (bucket === c.prevBucket) return c.prevOffset;
  let offset = c.offsets.get(bucket);
  if (offset === undefined) {
    const parts: Record<string, number> = {};
    for (const p of c.formatter.formatToParts(bucket * BUCKET_MS)) {
      if (p.type !== 'literal') parts[p.type] = Number(p.value);
    }
    const asUtc = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
    offset = asUtc - bucket * BUCKET_MS;
    if (c.offsets.size > 10_000) c.offsets.clear();
    c.offsets.set(bucket, offset);
  }
  c.prevBucket = c.lastBucket;
  c.prevOffset = c.lastOffset;
  c.lastBucket = bucket;
  c.lastOffset = offset;
  return offset;
}

/** Minutes since local midnight (fractional) at `ts` in `timeZone`. */
export function localMinutes(ts: EpochMs, timeZone: string): number {
  const local = ts + utcOffsetMs(ts, timeZone);
  const day = 86_400_000;
  return (((local % day) + day) % day) / 60_000;
}

const parsed = new Map<string, number>();

/** "HH:MM" -> minutes since midnight; NaN when malformed. */
export function parseHhMm(s: string): number {
  let v = parsed.get(s);
  if (v === undefined) {
    v = parseUncached(s);
    if (parsed.size > 1_000) parsed.clear();
    parsed.set(s, v);
  }
  return v;
}

function parseUncached(s: string): number {
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
  return within(localMinutes(ts, timeZone), start, end);
}

function within(m: number, start: number, end: number): boolean {
  return start < end ? m >= start && m < end : m >= start || m < end;
}

/**
 * The instant the window containing `ts` began, or null when `ts` is outside it. Wall-clock minutes since
 * the start are corrected by the change of UTC offset in between, so the night of a daylight-saving change
 * is as long as it really is (an hour shorter or longer), not as long as the clock face says.
 */
export function nightStartedAt(ts: EpochMs, timeZone: string, window: NightWindow): EpochMs | null {
  const start = parseHhMm(window.start);
  const end = parseHhMm(window.end);
  if (Number.isNaN(start) || Number.isNaN(end) || start === end) return null;
  const m = localMinutes(ts, timeZone);
  if (!within(m, start, end)) return null;
  const sinceStartMin = (((m - start) % 1440) + 1440) % 1440;
  const guess = ts - sinceStartMin * 60_000;
  return guess + (utcOffsetMs(ts, timeZone) - utcOffsetMs(guess, timeZone));
}
