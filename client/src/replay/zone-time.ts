/**
 * Wall-clock times in a named time zone (the site's), for the window picker: a manager in another zone types the
 * times the ward lived through, as the replay shows them. Only Intl; no time-zone database is shipped.
 */

const formats = new Map<string, Intl.DateTimeFormat>();

function parts(ts: number, timeZone: string | undefined): Record<string, number> {
  const key = timeZone ?? '';
  let f = formats.get(key);
  if (!f) {
    const o: Intl.DateTimeFormatOptions = { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' };
    try {
      f = new Intl.DateTimeFormat('en-US', { ...o, timeZone });
    } catch {
      f = new Intl.DateTimeFormat('en-US', o);
    }
    formats.set(key, f);
  }
  const out: Record<string, number> = {};
  for (const p of f.formatToParts(ts)) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return out;
}

/** How far the zone's wall clock is ahead of UTC at `ts`, ms. */
export function zoneOffsetMs(ts: number, timeZone: string | undefined): number {
  const p = parts(ts, timeZone);
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return wall - Math.floor(ts / 1000) * 1000;
}

/** `YYYY-MM-DDTHH:mm`, as `<input type="datetime-local">` holds it, for `ts` on the zone's wall clock. */
export function toLocalInput(ts: number, timeZone: string | undefined): string {
  const p = parts(ts, timeZone);
  const d = (n: number) => String(n).padStart(2, '0');
  return `${p.year}-${d(p.month)}-${d(p.day)}T${d(p.hour)}:${d(p.minute)}`;
}

/** The instant a `datetime-local` value names on the zone's wall clock; NaN when it is not one. */
export function fromLocalInput(value: string, timeZone: string | undefined): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value);
  if (!m) return NaN;
  const wall = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] ?? 0));
  // the offset at the guess, then at the answer: right on both sides of a daylight-saving change
  const first = wall - zoneOffsetMs(wall, timeZone);
  return wall - zoneOffsetMs(first, timeZone);
}
