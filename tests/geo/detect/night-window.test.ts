import { describe, expect, it } from 'vitest';
import { inNightWindow, localMinutes, nightStartedAt, parseHhMm } from '../../../geo/night-window';

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

  it('local minutes count from local midnight', () => {
    expect(localMinutes(iso('2025-01-15T16:30:00Z'), 'Asia/Shanghai')).toBe(30);
    expect(localMinutes(iso('2025-07-01T10:15:00Z'), 'Europe/Berlin')).toBe(12 * 60 + 15);
  });
});
