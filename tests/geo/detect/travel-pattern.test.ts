import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES } from '../../../geo/rules';
import { classifyTravel, classifyTravelRecords, travelFeatures, type TravelOptions } from '../../../geo/travel-pattern';
import { noise } from './helpers';

const O = DEFAULT_RULES.wanderPattern as unknown as TravelOptions;
type Pt = [number, number];

/** Resample a polyline every metre (as the detector's leash filter does), with jitter. */
function path(points: Pt[], sigma = 0.1, seed = 1): Pt[] {
  const g = noise(seed);
  const out: Pt[] = [];
  for (let i = 1; i < points.length; i++) {
    const [a, b] = [points[i - 1], points[i]];
    const d = Math.hypot(b[0] - a[0], b[1] - a[1]);
    for (let s = 0; s < d; s += 1) out.push([a[0] + ((b[0] - a[0]) * s) / d + g() * sigma, a[1] + ((b[1] - a[1]) * s) / d + g() * sigma]);
  }
  return out;
}

describe('classifying a path of travel', () => {
  it('back and forth between two ends is pacing', () => {
    const p: Pt[] = Array.from({ length: 8 }, (_, i) => (i % 2 ? [10, 0] : [0, 0]));
    expect(classifyTravel(path(p), O).pattern).toBe('pacing');
  });

  it('circuits round a loop are lapping, in either sense', () => {
    const ring: Pt[] = [[0, 0], [20, 0], [20, 8], [0, 8]];
    const ccw = Array.from({ length: 9 }, (_, i) => ring[i % 4]);
    expect(classifyTravel(path(ccw), O).pattern).toBe('lapping');
    expect(classifyTravel(path([...ccw].reverse()), O).pattern).toBe('lapping');
  });

  it('straight there by the corridors is direct; too short a path is not classified', () => {
    expect(classifyTravel(path([[0, 0], [0, 6], [30, 6], [30, 12]]), O).pattern).toBe('direct');
    expect(classifyTravel(path([[0, 0], [5, 0]]), O).pattern).toBe('none');
  });

  it('haphazard roaming over a room is random', () => {
    const g = noise(7);
    const p: Pt[] = [[4, 8]];
    while (p.length < 18) {
      const q: Pt = [4 + g() * 2.5, 8 + g() * 4];
      if (Math.hypot(q[0] - p[p.length - 1][0], q[1] - p[p.length - 1][1]) > 3) p.push(q);
    }
    expect(classifyTravel(path(p), O).pattern).toBe('random');
  });

  it('the same path in another place, rotated or walked backwards, is the same pattern', () => {
    const p: Pt[] = Array.from({ length: 8 }, (_, i) => (i % 2 ? [10, 0] : [0, 0]));
    const moved = p.map(([x, y]) => [100 + x * Math.cos(1) - y * Math.sin(1), -50 + x * Math.sin(1) + y * Math.cos(1)] as Pt);
    expect(classifyTravel(path(moved), O).pattern).toBe('pacing');
  });

  it('pacing after walking there is still pacing (the recent part is looked at too)', () => {
    const approach: Pt[] = [[-30, 20], [-30, 0], [0, 0]];
    const pace: Pt[] = Array.from({ length: 6 }, (_, i) => (i % 2 ? [0, 0] : [8, 0]));
    expect(classifyTravel(path([...approach, ...pace]), O).pattern).toBe('pacing');
  });

  it('the detector\'s form (timed records in chunks) gives the same pattern, and the features of a restless one', () => {
    const g = noise(3);
    const shapes: Pt[][] = [
      Array.from({ length: 8 }, (_, i) => (i % 2 ? [10, 0] : [0, 0])), // pacing
      [[0, 0], [12, 0], [12, 8], [0, 8], [0, 0], [12, 0], [12, 8], [0, 8], [0, 0]], // lapping
      [[0, 0], [0, 30], [40, 30]], // direct
      [[0, 0], [5, 0]], // none
      Array.from({ length: 24 }, () => [g() * 3, g() * 3] as Pt), // random
    ];
    const found: string[] = [];
    for (const shape of shapes) {
      const pts = path(shape);
      const flat = pts.flatMap(([x, y], i) => [i * 1000, x, y]);
      const chunks = [flat.slice(0, 30), flat.slice(30, 99), flat.slice(99)].filter((c) => c.length > 0);
      const expected = classifyTravel(pts, O);
      const got = classifyTravelRecords(chunks, O);
      expect(got.pattern).toBe(expected.pattern);
      expect(got.features).toEqual(['pacing', 'lapping', 'random'].includes(expected.pattern) ? expected.features : null);
      found.push(got.pattern);
    }
    expect(found).toEqual(['pacing', 'lapping', 'direct', 'none', 'random']);
    expect(travelFeatures(path(shapes[0]), O)).toEqual(classifyTravel(path(shapes[0]), O).features);
  });
});
