import { describe, expect, it } from 'vitest';
import { inNightWindow, localMinutes, nightStartedAt, parseHhMm, utcOffsetMs } from '../../../geo/night-window';
import { mulberry32 } from '../../../geo/rng';

const W = { start: '22:00', end: '06:00' };
const iso = (s: string) => Date.parse(s);

describe('night window in the site time zone', () => {
  it('22:00–06:00 in Asia/Shanghai is 14:00–22:00 UTC', () => {
    expect(inNightWindow(iso('2025-01-15T13:59:00Z'), 'Asia/Shanghai', W)).toBe(false);
    expect(inNightWindow(iso('2025-01-15T14:00:00Z'), 'Asia/Shanghai', W)).toBe(true);
    expect(inNightWindow(iso('2025-01-15T21:59:00Z'), 'Asia/Shanghai', W)).toBe(true);
    expect(inNightWindow(iso('2025-01-15T22:00:00Z'), 'Asia/Shanghai', W)).toBe(false);
  });

  it('in Europe/Berlin the window follows the wall clock across both daylight-saving changes', () => {
    // spring: 22:00 CET = 21:00 UTC, 06:00 CEST = 04:00 UTC
    expect(inNightWindow(iso('2025-03-29T21:00:00Z'), 'Europe/Berlin', W)).toBe(true);
    expect(inNightWindow(iso('2025-03-30T03:59:00Z'), 'Europe/Berlin', W)).toBe(true);
    expect(inNightWindow(iso('2025-03-30T04:00:00Z'), 'Europe/Berlin', W)).toBe(false);
    // autumn: 22:00 CEST = 20:00 UTC, 06:00 CET = 05:00 UTC
    expect(inNightWindow(iso('2025-10-25T19:59:00Z'), 'Europe/Berlin', W)).toBe(false);
    expect(inNightWindow(iso('2025-10-25T20:00:00Z'), 'Europe/Berlin', W)).toBe(true);
    expect(inNightWindow(iso('2025-10-26T04:59:00Z'), 'Europe/Berlin', W)).toBe(true);
    expect(inNightWindow(iso('2025-10-26T05:00:00Z'), 'Europe/Berlin', W)).toBe(false);
  });

  it('the start of the current night is the real instant, an hour shorter or longer on a change night', () => {
    expect(nightStartedAt(iso('2025-03-30T03:00:00Z'), 'Europe/Berlin', W)).toBe(iso('2025-03-29T21:00:00Z'));
    expect(nightStartedAt(iso('2025-10-26T04:00:00Z'), 'Europe/Berlin', W)).toBe(iso('2025-10-25T20:00:00Z'));
    expect(nightStartedAt(iso('2025-01-15T20:00:00Z'), 'Asia/Shanghai', W)).toBe(iso('2025-01-15T14:00:00Z'));
    expect(nightStartedAt(iso('2025-01-15T06:00:00Z'), 'Asia/Shanghai', W)).toBeNull();
  });

  it('a window that does not wrap midnight, an empty one and a malformed one', () => {
    expect(inNightWindow(iso('2025-01-15T17:00:00Z'), 'Asia/Shanghai', { start: '00:30', end: '05:00' })).toBe(true);
    expect(inNightWindow(iso('2025-01-15T15:00:00Z'), 'Asia/Shanghai', { start: '00:30', end: '05:00' })).toBe(false);
    expect(inNightWindow(iso('2025-01-15T17:00:00Z'), 'Asia/Shanghai', { start: '22:00', end: '22:00' })).toBe(false);
    expect(inNightWindow(iso('2025-01-15T17:00:00Z'), 'Asia/Shanghai', { start: '25:00', end: 'x' })).toBe(false);
    expect(parseHhMm('7:05')).toBe(425);
  });

  it('the offsets it remembers are the time zone database\'s, asked for in any order across the changes', () => {
    const offsetAt = (ts: number, timeZone: string) => {
      const parts = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' }).formatToParts(ts);
      const m = /GMT(?:([+-])(\d{2}):(\d{2}))?/.exec(parts.find((p) => p.type === 'timeZoneName')!.value)!;
      return m[1] ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) * 60_000 : 0;
    };
    const rnd = mulberry32(4);
    const zones = ['Europe/Berlin', 'America/New_York', 'Asia/Shanghai', 'Australia/Adelaide'];
    const from = iso('2025-01-01T00:00:00Z'), to = iso('2026-01-01T00:00:00Z');
    for (let k = 0; k < 3000; k++) {
      const tz = zones[k % zones.length];
      // whole quarter hours, where an offset can change, and now and then the instant before one
      const ts = Math.floor((from + rnd() * (to - from)) / 900_000) * 900_000 - (k % 5 === 0 ? 1 : 0);
      expect(utcOffsetMs(ts, tz), `${tz} ${new Date(ts).toISOString()}`).toBe(offsetAt(ts, tz));
    }
  });

  it('local minutes count from local midnight', () => {
    expect(localMinutes(iso('2025-01-15T16:30:00Z'), 'Asia/Shanghai')).toBe(30);
    expect(localMinutes(iso('2025-07-01T10:15:00Z'), 'Europe/Berlin')).toBe(12 * 60 + 15);
  });
});
