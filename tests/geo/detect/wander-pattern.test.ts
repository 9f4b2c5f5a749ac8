import { describe, expect, it } from 'vitest';
import { pointCount } from '../../../geo/detect/path-chunks';
import { wanderPattern } from '../../../geo/detect/wander-pattern';
import { at } from '../../fixtures/timelines/ward';
import { noise, play, stay, walk, type Moment } from './helpers';

type XY = readonly [number, number];

/** Walk through `points` (1 fix a second, 0.3 m noise) after standing 20 s at the first one. */
function route(points: XY[], speed = 0.7, seed = 4): { moments: Moment[]; end: number } {
  const w = walk(points, 20, speed, {}, 0.3, seed);
  return { moments: [...stay(points[0], 0, 19, 1, {}, 0.3, seed + 1), ...w.moments], end: w.end };
}

const RING: XY[] = [
  [9.25, 7.25],
  [42.75, 7.25],
  [42.75, 16.75],
  [9.25, 16.75],
];

function pacing(): XY[] {
  const out: XY[] = [];
  for (let i = 0; i < 8; i++) out.push(i % 2 ? [26, 7.25] : [17, 7.25]);
  return out;
}

function laps(n: number): XY[] {
  const out: XY[] = [];
  for (let i = 0; i <= 4 * n; i++) out.push(RING[i % 4]);
  return out;
}

function roaming(seed: number): XY[] {
  const g = noise(seed);
  const out: XY[] = [[4, 12]];
  while (out.length < 20) {
    const p: XY = [Math.min(7.3, Math.max(0.7, 4 + g() * 2)), Math.min(19.3, Math.max(4.7, 12 + g() * 4))];
    if (Math.hypot(p[0] - out[out.length - 1][0], p[1] - out[out.length - 1][1]) > 2.5) out.push(p);
  }
  return out;
}

const pattern = (detail?: string) => detail?.match(/restless: (\w+)/)?.[1];

describe('wandering patterns (Martino-Saltzman: direct, pacing, lapping, random)', () => {
  it('pacing back and forth along the corridor raises a low-severity restless alert naming pacing', () => {
    const { alerts } = play(wanderPattern, route(pacing()).moments);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ kind: 'wander_pattern', severity: 'low', zoneId: 'corridor' });
    expect(pattern(alerts[0].detail)).toBe('pacing');
  });

  it('lapping round the corridor ring raises one naming lapping', () => {
    const { alerts } = play(wanderPattern, route(laps(2)).moments);
    expect(alerts.map((a) => pattern(a.detail))).toEqual(['lapping']);
  });

  it('roaming haphazardly about the lounge raises one naming random', () => {
    const { alerts } = play(wanderPattern, route(roaming(11)).moments);
    expect(alerts.map((a) => pattern(a.detail))).toEqual(['random']);
  });

  it('a direct walk from bed to the lounge raises nothing', () => {
    const { moments, end } = route([at.bed, at.bedside, at.door, at.corridor, [9.25, 7.25], [9.25, 12], at.lounge]);
    expect(play(wanderPattern, [...moments, ...stay(at.lounge, Math.ceil(end), end + 120)]).alerts).toEqual([]);
  });

  it('walking to the lounge and straight back after a word with someone raises nothing', () => {
    const there: XY[] = [at.bed, at.bedside, at.door, at.corridor, [9.25, 7.25], [9.25, 12], at.lounge];
    const go = route(there);
    const back = walk([...there].reverse(), go.end + 20, 0.7, {}, 0.3, 8);
    const moments = [...go.moments, ...stay(at.lounge, Math.ceil(go.end), go.end + 19, 1, {}, 0.3), ...back.moments];
    expect(play(wanderPattern, moments).alerts).toEqual([]);
  });

  it('a nurse walking laps with the resident (escorted) raises nothing', () => {
    const moments = route(laps(2)).moments.map((m) => ('fix' in m ? { ...m, escorted: true } : m));
    expect(play(wanderPattern, moments).alerts).toEqual([]);
  });

  it('residents not at wander risk are not watched by default', () => {
    expect(play(wanderPattern, route(pacing()).moments, { resident: { wanderRisk: false } }).alerts).toEqual([]);
  });

  it('the state is plain JSON and bounded by the window', () => {
    const { state } = play(wanderPattern, route(laps(6)).moments);
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
    expect(pointCount(state.pts)).toBeLessThan(600 * 1.1);
  });
});
