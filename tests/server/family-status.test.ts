import { describe, expect, it } from 'vitest';
import type { Zone } from '../../geo/model';
import { relativeStatus, NO_SIGNAL_AFTER_MS } from '../../server/http/family-status';

const square = (id: string, kind: Zone['kind'], floorId: string, x0: number, y0: number, s: number): Zone => ({
  id,
  kind,
  name: id,
  floorId,
  polygon: [[[x0, y0], [x0 + s, y0], [x0 + s, y0 + s], [x0, y0 + s], [x0, y0]]],
});
const zones = new Map([['bed', square('bed', 'bed', 'f1', 0, 0, 2)], ['home', square('home', 'home', 'out', 100, 100, 20)]]);
const campus = [square('campus', 'campus', 'out', -50, -50, 100)];
const site = { timeZone: 'Asia/Shanghai', nightWindow: { start: '22:00', end: '06:00' }, floors: [{ id: 'f1', buildingId: 'b', ordinal: 0, name: '1F' }, { id: 'out', buildingId: null, ordinal: 0, name: 'Outdoor', outdoor: true }] } as never;
const noon = Date.UTC(2026, 0, 5, 4); // 12:00 in Shanghai
const night = Date.UTC(2026, 0, 5, 18); // 02:00 in Shanghai
const resident = { community: false, bedZoneId: 'bed', homeZoneId: null };
const at = (floorId: string, x: number, y: number, ts: number) => ({ floorId, x, y, ts });

describe('a relative’s state in words', () => {
  it('is in the home on an indoor floor by day', () => {
    expect(relativeStatus({ resident, site, zones, campus, position: at('f1', 1, 1, noon), now: noon })).toBe('in_home');
  });
  it('is asleep in their bed at night', () => {
    expect(relativeStatus({ resident, site, zones, campus, position: at('f1', 1, 1, night), now: night })).toBe('asleep');
  });
  it('is in the grounds inside the campus outline, and out beyond it', () => {
    expect(relativeStatus({ resident, site, zones, campus, position: at('out', 10, 10, noon), now: noon })).toBe('in_grounds');
    expect(relativeStatus({ resident, site, zones, campus, position: at('out', 500, 500, noon), now: noon })).toBe('out');
  });
  it('is at home or out for a community resident', () => {
    const c = { community: true, bedZoneId: null, homeZoneId: 'home' };
    expect(relativeStatus({ resident: c, site, zones, campus, position: at('out', 110, 110, noon), now: noon })).toBe('at_home');
    expect(relativeStatus({ resident: c, site, zones, campus, position: at('out', 300, 300, noon), now: noon })).toBe('out');
  });
  it('says there is no signal when the tag has been silent', () => {
    expect(relativeStatus({ resident, site, zones, campus, position: at('f1', 1, 1, noon), now: noon + NO_SIGNAL_AFTER_MS + 1 })).toBe('no_signal');
    expect(relativeStatus({ resident, site, zones, campus, position: null, now: noon })).toBe('no_signal');
  });
});
