import { describe, expect, it } from 'vitest';
import { fallHeight, type FallHeightState } from '../../../geo/detect/fall-height';
import type { Placement } from '../../../geo/detect/floor-level';
import type { Fix, Zone } from '../../../geo/model';
import { World } from '../../../geo/world';
import { floorEpisode, runFloorEpisode, type FloorEpisodeType } from '../../../bench/scenarios/uwb';
import { F, resident, site, zones } from '../../fixtures/timelines/ward';
import { noise, play, T0, type Moment } from './helpers';

const SEEDS = [1, 2, 3, 4, 5];

/** Seconds from the onset of an episode to its first alert, or null without one. */
function firstAlert(seed: number, type: FloorEpisodeType, tags: readonly Placement[]) {
  const e = floorEpisode(seed, type, tags);
  const alerts = runFloorEpisode(e);
  return { e, alerts, delay: alerts.length ? (alerts[0].fixTs - e.onset) / 1000 : null };
}

describe('on the floor, from noisy UWB heights (5–9 Hz per tag, ±0.3 m, offsets, outliers, drop-outs)', () => {
  for (const tags of [['chest'], ['belt'], ['pendant'], ['chest', 'belt']] as const) {
    it(`a fall then lying on the floor is alerted within 15 s, ${tags.join(' and ')} tag`, () => {
      for (const seed of SEEDS) {
        const { delay } = firstAlert(seed, 'fall then lying', tags);
        expect(delay).not.toBeNull();
        expect(delay!).toBeLessThanOrEqual(15);
      }
    });
  }

  for (const tags of [['chest'], ['belt'], ['pendant']] as const) {
    it(`a fall then sitting on the ground is alerted within 20 s (15 s unless barely past the line), ${tags[0]} tag`, () => {
      const delays = SEEDS.map((seed) => firstAlert(seed, 'fall then sitting on the ground', tags).delay);
      for (const d of delays) {
        expect(d).not.toBeNull();
        expect(d!).toBeLessThanOrEqual(20);
      }
      expect(delays.filter((d) => d! <= 15).length).toBeGreaterThanOrEqual(4);
    });
  }

  it('a chest tag tells lying from sitting on the ground', () => {
    for (const seed of SEEDS) {
      expect(firstAlert(seed, 'fall then lying', ['chest']).alerts[0].lying).toBe(true);
      expect(firstAlert(seed, 'fall then sitting on the ground', ['chest']).alerts[0].lying).toBe(false);
    }
  });

  it('a fall then crawling away is alerted: always with a chest tag, nearly always with a belt tag (it must travel first)', () => {
    for (const seed of SEEDS) expect(firstAlert(seed, 'fall then crawling', ['chest']).delay).not.toBeNull();
    expect(SEEDS.filter((seed) => firstAlert(seed, 'fall then crawling', ['belt']).delay !== null).length).toBeGreaterThanOrEqual(4);
  });

  const normal: FloorEpisodeType[] = [
    'lying down in bed',
    'sitting on a low chair',
    'sitting on a chair',
    'kneeling to pick something up',
    'brisk walk',
  ];
  for (const type of normal) {
    it(`${type} raises nothing, whichever tags are worn`, () => {
      for (const seed of SEEDS) {
        for (const tags of [['chest'], ['belt'], ['pendant'], ['wrist'], ['chest', 'belt']] as const) {
          expect(firstAlert(seed, type, tags).alerts).toEqual([]);
        }
      }
    });
  }

  it('an hour of turning over in bed at night raises nothing', () => {
    expect(firstAlert(7, 'a night in bed, turning over', ['chest', 'belt']).alerts).toEqual([]);
    expect(firstAlert(8, 'a night in bed, turning over', ['belt']).alerts).toEqual([]);
  });
});

/** A tag at 8 Hz in one place: z from `zAt(t)` (seconds from T0) plus the noise given. */
function tagAt(place: readonly [number, number], from: number, to: number, zAt: (t: number) => number, hz = 8): Moment[] {
  const out: Moment[] = [];
  for (let t = from; t <= to; t += 1 / hz) out.push({ at: Math.round(t * 1000) / 1000, fix: { x: place[0], y: place[1], z: zAt(t) } });
  return out;
}

/** Walking along the corridor at 1 m/s, 8 Hz, z from `zAt`. */
function walking(from: number, to: number, zAt: (t: number) => number): Moment[] {
  const out: Moment[] = [];
  for (let t = from; t <= to; t += 0.125) out.push({ at: t, fix: { x: 14 + ((t - from) % 26), y: 7.25, z: zAt(t) } });
  return out;
}

describe('the UWB noise model alone never raises a fall', () => {
  const g = noise(11);
  const u = noise(12);
  const spread = () => Math.max(-0.3, Math.min(0.3, g() * 0.12));

  it('outliers of metres, either way, in a standing tag: nothing', () => {
    let k = 0;
    const z = () => 1.2 + spread() + (++k % 13 === 0 ? (u() > 0 ? 1 : -1) * (1 + Math.abs(u()) * 1.5) : 0);
    const m = [...walking(0, 60, z), ...tagAt([20, 7.25], 61, 600, z)];
    expect(play(fallHeight, m).alerts).toEqual([]);
  });

  it('a whole second of negative heights, then standing again: nothing', () => {
    const z = (t: number) => (t >= 100 && t < 101 ? -0.6 + spread() : 1.2 + spread());
    expect(play(fallHeight, [...walking(0, 60, z), ...tagAt([20, 7.25], 61, 200, z)]).alerts).toEqual([]);
  });

  it('heights below the floor while lying in bed: nothing', () => {
    const z = (t: number) => (t < 60 ? 1.1 + spread() : -0.2 + spread());
    const m = [...walking(0, 50, z), ...tagAt([11, 3.3], 60, 900, z, 5)];
    expect(play(fallHeight, m).alerts).toEqual([]);
  });

  it('drop-outs between fixes of a standing tag: nothing', () => {
    const z = () => 1.2 + spread();
    const m = tagAt([20, 7.25], 0, 600, z).filter((q) => Math.floor(q.at / 7) % 3 !== 0);
    expect(play(fallHeight, m).alerts).toEqual([]);
  });
});

describe('heights relative to the tag: the real recording that motivated it', () => {
  const g = noise(21);
  const spread = () => Math.max(-0.3, Math.min(0.3, g() * 0.1));

  it('a chest tag reading 0.5–0.55 m on the floor, above a fixed 0.4 m line, is on the floor', () => {
    const z = (t: number) => (t < 61 ? 1.45 : 0.52) + spread();
    const m = [...walking(0, 60, z), ...tagAt([40, 7.25], 60.125, 120, z)];
    const { alerts } = play(fallHeight, m, { rules: { fallHeight: { placement: 'chest' } } });
    expect(alerts).toHaveLength(1);
    expect(alerts[0].at - 61).toBeLessThanOrEqual(15);
  });

  it('a belt tag reading 0.5–0.55 m on the floor, standing at 1.35 m, is on the floor', () => {
    const z = (t: number) => (t < 61 ? 1.35 : 0.53) + spread();
    const m = [...walking(0, 60, z), ...tagAt([40, 7.25], 60.125, 120, z)];
    expect(play(fallHeight, m, { rules: { fallHeight: { placement: 'belt' } } }).alerts).toHaveLength(1);
  });

  it('a chest tag sitting on the ground at 0.5–0.8 m, standing at 1.4 m, is on the floor within 15 s', () => {
    const h = noise(22);
    const z = (t: number) => (t < 61 ? 1.4 + spread() : 0.65 + Math.max(-0.15, Math.min(0.15, h() * 0.08)));
    const m = [...walking(0, 60, z), ...tagAt([40, 7.25], 60.125, 120, z)];
    const { alerts } = play(fallHeight, m, { rules: { fallHeight: { placement: 'chest' } } });
    expect(alerts).toHaveLength(1);
    expect(alerts[0].detail).toContain('sitting');
    expect(alerts[0].at - 61).toBeLessThanOrEqual(15);
  });

  it('the same chest tag on a chair (0.95–1.05 m) is not', () => {
    const z = (t: number) => (t < 61 ? 1.4 : 1.0) + spread();
    const m = [...walking(0, 60, z), ...tagAt([40, 7.25], 60.125, 400, z)];
    expect(play(fallHeight, m, { rules: { fallHeight: { placement: 'chest' } } }).alerts).toEqual([]);
  });
});

describe('seats and state', () => {
  it('sitting low on a sofa zone is normal, the same height beside it is not', () => {
    const sofa: Zone = { id: 'sofa', kind: 'room', name: 'Sofa', floorId: F, use: 'sofa', polygon: [[[2, 10], [5, 10], [5, 11], [2, 11], [2, 10]]] };
    const ctx = new World({ sites: [site()], zones: [...zones, sofa], residents: [resident()] }).context('R1')!;
    const run = (x: number, y: number) => {
      let s = fallHeight.init();
      let alerts = 0;
      for (let t = 0; t < 120; t += 0.125) {
        const fix: Fix = { tagId: 'T1', ts: T0 + t * 1000, floorId: F, x: t < 30 ? 14 + t : x, y: t < 30 ? 7.25 : y, z: t < 31 ? 1.05 : 0.15, accuracy: 0.3 };
        const inside = ctx.zones.containing(F, fix.x, fix.y);
        const r = fallHeight.step!(s, { fix, prev: null, inside, entered: [], exited: [], charging: false }, ctx);
        s = r.state;
        alerts += r.alerts.length;
      }
      return alerts;
    };
    expect(run(3.5, 10.5)).toBe(0);
    expect(run(3.5, 13)).toBe(1);
  });

  it('a tag\'s state stays plain JSON under 400 bytes after an hour of noisy fixes', () => {
    const g = noise(31);
    const m = tagAt([20, 7.25], 0, 3600, () => 1.2 + g() * 0.12);
    const { state } = play<FallHeightState>(fallHeight, m);
    const json = JSON.stringify(state);
    expect(JSON.parse(json)).toEqual(state);
    expect(json.length).toBeLessThan(400);
  });
});
