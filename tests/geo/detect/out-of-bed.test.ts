import { describe, expect, it } from 'vitest';
import { outOfBed } from '../../../geo/detect/out-of-bed';
import { at } from '../../fixtures/timelines/ward';
import { MIN, play, raised, cleared, stay, ticks, walk, type Moment } from './helpers';

/** In bed from 0 to `leave` s, then walk to `to`, stay there `outS` s, walk back to bed, stay 10 min. */
function night(leave: number, to: 'corridor' | 'bathroom' | 'lounge', outS: number, every = 10): { moments: Moment[]; exitAt: number; backAt: number } {
  const path = to === 'bathroom' ? [at.bed, at.bedside, [13, 2.3] as const, at.bathroom] : to === 'corridor' ? [at.bed, at.bedside, at.door, at.corridor] : [at.bed, at.bedside, at.door, at.corridor, [9.25, 7.25] as const, [9.25, 12] as const, at.lounge];
  const there = walk(path, leave, 0.8);
  const back = walk([...path].reverse(), there.end + outS, 0.8);
  const moments = [
    ...stay(at.bed, 0, leave - 1, every),
    ...there.moments,
    ...stay(path[path.length - 1], Math.ceil(there.end), there.end + outS - 1, every),
    ...back.moments,
    ...stay(at.bed, Math.ceil(back.end) + 1, back.end + 10 * MIN, every),
  ];
  const firstOut = there.moments.find((m) => 'fix' in m && m.fix.x! >= 11.8)!.at;
  const inBedAgain = back.moments.find((m) => 'fix' in m && m.fix.x! < 11.8 && m.fix.y! < 4.5)?.at ?? back.end;
  return { moments: [...moments, ...ticks(0, back.end + 10 * MIN)], exitAt: firstOut, backAt: inBedAgain };
}

describe('night: out of bed too long', () => {
  it('out of bed for 20 minutes at night raises a high alert from the ticks within 5 s of the threshold', () => {
    const { moments, exitAt } = night(120, 'corridor', 30 * MIN, 30);
    const alerts = raised(play(outOfBed, moments).alerts, 'out_of_bed');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ severity: 'high', zoneId: 'corridor' });
    expect(alerts[0].at - (exitAt + 20 * MIN)).toBeGreaterThanOrEqual(0);
    expect(alerts[0].at - (exitAt + 20 * MIN)).toBeLessThanOrEqual(5);
  });

  it('coming back to bed clears it, so the server can auto-resolve', () => {
    const { moments, backAt } = night(120, 'lounge', 25 * MIN);
    const { alerts } = play(outOfBed, moments);
    expect(raised(alerts, 'out_of_bed')).toHaveLength(1);
    const clears = cleared(alerts, 'out_of_bed');
    expect(clears).toHaveLength(1);
    expect(clears[0].at).toBeCloseTo(backAt, 3);
  });

  it('a bathroom visit of normal length raises nothing', () => {
    expect(play(outOfBed, night(300, 'bathroom', 7 * MIN).moments).alerts).toEqual([]);
  });

  it('a resident asleep in bed all night raises nothing', () => {
    expect(play(outOfBed, [...stay(at.bed, 0, 6 * 3600, 30, {}, 0.2), ...ticks(0, 6 * 3600, 5)]).alerts).toEqual([]);
  });

  it('by day the rule does not apply', () => {
    const t0 = Date.UTC(2025, 0, 15, 2, 0, 0); // 10:00 in Shanghai
    expect(play(outOfBed, night(120, 'lounge', 60 * MIN).moments, { t0 }).alerts).toEqual([]);
  });

  it('a resident who got up before the night began is counted from the start of the night', () => {
    const t0 = Date.UTC(2025, 0, 15, 13, 50, 0); // 21:50 in Shanghai
    const { moments } = night(60, 'lounge', 45 * MIN);
    const [a] = raised(play(outOfBed, moments, { t0 }).alerts, 'out_of_bed');
    expect(a.at).toBe(10 * MIN + 20 * MIN);
  });

  it('a resident never seen in bed (still in the lounge at 22:00) is not counted', () => {
    const t0 = Date.UTC(2025, 0, 15, 13, 50, 0);
    expect(play(outOfBed, [...stay(at.lounge, 0, 3600, 30), ...ticks(0, 3600)], { t0 }).alerts).toEqual([]);
  });

  it('in Europe/Berlin on the spring-forward night the threshold is 20 real minutes, not wall-clock minutes', () => {
    const t0 = Date.UTC(2025, 2, 30, 0, 40, 0); // 01:40 CET; at 01:00 UTC clocks jump to 03:00 CEST
    const { moments, exitAt } = night(120, 'corridor', 40 * MIN);
    const [a] = raised(play(outOfBed, moments, { t0, site: { timeZone: 'Europe/Berlin' } }).alerts, 'out_of_bed');
    expect(a.at - (exitAt + 20 * MIN)).toBeGreaterThanOrEqual(0);
    expect(a.at - (exitAt + 20 * MIN)).toBeLessThanOrEqual(5);
  });

  it('in Europe/Berlin the night ends at 06:00 local: out of bed from 05:50 CET raises nothing', () => {
    const t0 = Date.UTC(2025, 9, 26, 4, 48, 0); // 05:48 CET, the morning after the clocks went back
    expect(play(outOfBed, night(120, 'lounge', 40 * MIN).moments, { t0, site: { timeZone: 'Europe/Berlin' } }).alerts).toEqual([]);
  });

  it("a resident's own night window overrides the site's", () => {
    const t0 = Date.UTC(2025, 0, 15, 12, 30, 0); // 20:30 in Shanghai: day for the site
    const { moments } = night(60, 'lounge', 30 * MIN);
    expect(play(outOfBed, moments, { t0 }).alerts).toEqual([]);
    const own = play(outOfBed, moments, { t0, rules: { nightWindow: { start: '20:00', end: '07:00' } } });
    expect(raised(own.alerts, 'out_of_bed')).toHaveLength(1);
  });

  it('a tag left on its charger beside the bed (battery rising) does not count as the resident being up', () => {
    const charger = [12.7, 3.8] as const;
    const moments: Moment[] = [
      ...stay(at.bed, 0, 110, 10, { battery: 30 }),
      ...walk([at.bed, charger], 120, 0.5, { battery: 30 }).moments,
      ...Array.from({ length: 360 }, (_, i) => ({ at: 125 + i * 10, fix: { x: charger[0], y: charger[1], battery: Math.min(100, 30 + Math.floor(i / 6)) } })),
      ...ticks(0, 3800),
    ];
    expect(play(outOfBed, moments).alerts).toEqual([]);
  });
});
