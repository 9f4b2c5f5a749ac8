import { describe, expect, it } from 'vitest';
import { inactivity } from '../../../geo/detect/inactivity';
import { at } from '../../fixtures/timelines/ward';
import { MIN, play, raised, stay, ticks, walk, type Moment } from './helpers';

/** Walk from bed to `place`, then lie still there (fixes every `every` s with noise) for `stillS`. */
function collapse(place: readonly [number, number], stillS: number, every = 30, extra: Moment[] = []): { moments: Moment[]; stopAt: number } {
  const w = walk([at.bed, at.bedside, at.door, at.corridor, place], 60, 0.7);
  const moments = [...stay(at.bed, 0, 59, 30), ...w.moments, ...stay(place, Math.ceil(w.end), w.end + stillS, every, {}, 0.3, 9), ...extra, ...ticks(0, w.end + stillS)];
  return { moments, stopAt: w.end };
}

describe('inactivity', () => {
  it('no movement for 20 minutes outside the bed at night fires from the ticks, within 5 s of the threshold', () => {
    const { moments, stopAt } = collapse([20, 7.25], 30 * MIN);
    const alerts = raised(play(inactivity, moments).alerts, 'inactivity');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ severity: 'high', zoneId: 'corridor' });
    // stillness counts from the first fix that moved off: up to a couple of seconds early, never late
    expect(alerts[0].at - (stopAt + 20 * MIN)).toBeGreaterThanOrEqual(-5);
    expect(alerts[0].at - (stopAt + 20 * MIN)).toBeLessThanOrEqual(5);
  });

  it('positioning noise and a multipath outlier are not movement', () => {
    const outliers: Moment[] = [{ at: 700, fix: { x: 23, y: 7.25 } }];
    const { moments, stopAt } = collapse([20, 7.25], 30 * MIN, 10, outliers);
    const [a] = raised(play(inactivity, moments).alerts, 'inactivity');
    expect(a.at - (stopAt + 20 * MIN)).toBeLessThanOrEqual(5);
  });

  it('a community resident lying still at home all night never raises it (the tracker cannot see a bed)', () => {
    const home = { resident: { homeZoneId: 'lounge', bedZoneId: null, community: true } };
    expect(raised(play(inactivity, [...stay(at.lounge, 0, 6 * 3600, 30, {}, 0.2), ...ticks(0, 6 * 3600, 5)], home).alerts, 'inactivity')).toEqual([]);
    // the same stillness outside the home area still fires
    const { moments } = collapse([20, 7.25], 30 * MIN);
    expect(raised(play(inactivity, moments, home).alerts, 'inactivity')).toHaveLength(1);
  });

  it('a resident asleep in bed all night never raises it', () => {
    expect(play(inactivity, [...stay(at.bed, 0, 6 * 3600, 30, {}, 0.2), ...ticks(0, 6 * 3600, 5)]).alerts).toEqual([]);
  });

  it('sitting still for less than the threshold, then walking on, raises nothing', () => {
    const { moments } = collapse(at.lounge, 15 * MIN);
    const w = walk([at.lounge, [9.25, 12]], 15 * MIN + 200, 0.7).moments;
    expect(play(inactivity, [...moments, ...w]).alerts).toEqual([]);
  });

  it('accelerometer activity counts as movement even when the position does not change', () => {
    const shaking = (t: number) => ({ hz: 10, samples: Array.from({ length: 10 }, (_, i) => [0, -1 + 0.2 * Math.sin(i + t), 0] as [number, number, number]) });
    const moments: Moment[] = [...Array.from({ length: 200 }, (_, i) => ({ at: i * 10, fix: { x: 4, y: 12, accel: shaking(i) } })), ...ticks(0, 2000)];
    expect(play(inactivity, moments).alerts).toEqual([]);
  });

  it('by day it applies to fall-risk residents only, after 60 minutes', () => {
    const t0 = Date.UTC(2025, 0, 15, 2, 0, 0); // 10:00 in Shanghai
    const { moments, stopAt } = collapse(at.lounge, 70 * MIN);
    expect(play(inactivity, moments, { t0 }).alerts).toEqual([]);
    const [a] = raised(play(inactivity, moments, { t0, resident: { fallRisk: true } }).alerts, 'inactivity');
    expect(a.at - (stopAt + 60 * MIN)).toBeLessThanOrEqual(5);
    expect(a.at - (stopAt + 60 * MIN)).toBeGreaterThanOrEqual(-5);
  });

  it('a tag on its charger (battery rising, not moving, no accelerometer) raises nothing', () => {
    const charger = [12.7, 3.8] as const;
    const moments: Moment[] = [
      ...stay(at.bed, 0, 110, 10, { battery: 30 }),
      ...walk([at.bed, charger], 120, 0.5, { battery: 30 }).moments,
      ...Array.from({ length: 480 }, (_, i) => ({ at: 125 + i * 10, fix: { x: charger[0] + ((i * 7) % 5) * 0.1, y: charger[1], battery: Math.min(100, 30 + Math.floor(i / 6)) } })),
      ...ticks(0, 5000),
    ];
    expect(play(inactivity, moments).alerts).toEqual([]);
  });

  it('moving again re-arms it: a second long stillness raises a second alert', () => {
    const first = collapse([20, 7.25], 25 * MIN);
    const t = first.stopAt + 25 * MIN + 10;
    const w = walk([[20, 7.25], [30, 7.25]], t, 0.7);
    const still = [...stay([30, 7.25], Math.ceil(w.end), w.end + 25 * MIN, 30), ...ticks(Math.ceil(t), w.end + 25 * MIN)];
    expect(raised(play(inactivity, [...first.moments, ...w.moments, ...still]).alerts, 'inactivity')).toHaveLength(2);
  });
});
