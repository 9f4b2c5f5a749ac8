import { describe, expect, it } from 'vitest';
import { resample, type Vec3 } from '../../../geo/accel';
import { fallAccel } from '../../../geo/detect/fall-accel';
import type { Moment } from './helpers';
import { noise, play } from './helpers';

const HZ = 50;

/** Samples of a body: `g` is where gravity points in the tag's frame, with a little sensor noise. */
function hold(g: Vec3, seconds: number, hz = HZ, jitter = 0.01, seed = 3): Vec3[] {
  const n = noise(seed);
  return Array.from({ length: Math.round(seconds * hz) }, () => [g[0] + n() * jitter, g[1] + n() * jitter, g[2] + n() * jitter] as Vec3);
}

/** Walking: the magnitude swings ±0.3 g around upright at 2 steps a second. */
function walking(seconds: number, hz = HZ): Vec3[] {
  return Array.from({ length: Math.round(seconds * hz) }, (_, i) => {
    const s = Math.sin((2 * Math.PI * 2 * i) / hz) * 0.3;
    return [0.05 * s, -1 - s, 0.1 * s] as Vec3;
  });
}

/** An impact: a few samples of `peak` g along `dir`. */
function impact(peak: number, dir: Vec3, hz = HZ): Vec3[] {
  const n = Math.max(2, Math.round(hz * 0.06));
  const m = Math.hypot(...dir);
  return Array.from({ length: n }, () => dir.map((v) => (v / m) * peak) as Vec3);
}

/** A falling phase: near free fall while the body turns from `from` to `to`. */
function falling(from: Vec3, to: Vec3, seconds = 0.5, hz = HZ): Vec3[] {
  const k = Math.round(seconds * hz);
  return Array.from({ length: k }, (_, i) => {
    const f = i / k;
    return from.map((v, j) => (v * (1 - f) + to[j] * f) * 0.35) as Vec3;
  });
}

const UPRIGHT: Vec3 = [0, -1, 0];
const LYING: Vec3 = [0, 0, -1];

/** Fixes every `perFix` seconds carrying the samples that end at their ts. */
function fixesOf(samples: Vec3[], hz = HZ, perFix = 1, startS = 0): Moment[] {
  const per = Math.round(hz * perFix);
  const out: Moment[] = [];
  for (let i = 0; i < samples.length; i += per) {
    const chunk = samples.slice(i, i + per);
    out.push({ at: startS + (i + chunk.length) / hz, fix: { x: 20, y: 7.25, accel: { hz, samples: chunk } } });
  }
  return out;
}

function rotate(samples: Vec3[], axis: Vec3, deg: number): Vec3[] {
  const [ux, uy, uz] = axis.map((v) => v / Math.hypot(...axis));
  const c = Math.cos((deg * Math.PI) / 180);
  const s = Math.sin((deg * Math.PI) / 180);
  const r = [
    [c + ux * ux * (1 - c), ux * uy * (1 - c) - uz * s, ux * uz * (1 - c) + uy * s],
    [uy * ux * (1 - c) + uz * s, c + uy * uy * (1 - c), uy * uz * (1 - c) - ux * s],
    [uz * ux * (1 - c) - uy * s, uz * uy * (1 - c) + ux * s, c + uz * uz * (1 - c)],
  ];
  return samples.map((v) => r.map((row) => row[0] * v[0] + row[1] * v[1] + row[2] * v[2]) as Vec3);
}

const fall = (): Vec3[] => [...walking(4), ...falling(UPRIGHT, LYING), ...impact(3.2, [0.5, 0.2, -1]), ...hold(LYING, 6)];

describe('fall from accelerometer samples', () => {
  it('an impact, then lying still in a changed posture, raises a critical fall alert a few seconds later', () => {
    const { alerts } = play(fallAccel, fixesOf(fall()));
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ kind: 'fall', severity: 'critical', zoneId: 'corridor', position: { x: 20, y: 7.25 } });
    // impact at ~4.5 s; judged 2.5 s after it, on the fix that carries that moment
    expect(alerts[0].at).toBeGreaterThanOrEqual(7);
    expect(alerts[0].at).toBeLessThanOrEqual(8);
  });

  it('an impact whose samples are split across two fixes is still detected', () => {
    const s = fall();
    const impactAt = 4 * HZ + 25 + 1; // the middle of the impact samples
    const first = s.slice(0, impactAt);
    const rest = s.slice(impactAt);
    const moments: Moment[] = [
      { at: first.length / HZ, fix: { x: 20, y: 7.25, accel: { hz: HZ, samples: first } } },
      ...fixesOf(rest, HZ, 1, first.length / HZ),
    ];
    expect(play(fallAccel, moments).alerts.map((a) => a.kind)).toEqual(['fall']);
  });

  it('the same fall is detected however the tag is worn (upside down, sideways, tilted)', () => {
    for (const [axis, deg] of [[[1, 0, 0], 180], [[0, 0, 1], 90], [[1, 1, 0], 45], [[0.3, -0.5, 0.8], 130]] as [Vec3, number][]) {
      expect(play(fallAccel, fixesOf(rotate(fall(), axis, deg))).alerts).toHaveLength(1);
    }
  });

  it('samples at 200 Hz are resampled to the rule rate and detected the same way', () => {
    const at200 = fall().flatMap((v) => [v, v, v, v]);
    expect(play(fallAccel, fixesOf(at200, 200)).alerts).toHaveLength(1);
    expect(resample(at200, 200, 50)).toHaveLength(at200.length / 4);
  });

  it('sitting down hard (an impact, but the trunk stays upright) does not alert', () => {
    const sitting: Vec3 = [0, -0.94, 0.34]; // leaning back 20°
    const s = [...walking(4), ...falling(UPRIGHT, sitting, 0.3), ...impact(3.0, [0, -1, 0.2]), ...hold(sitting, 6)];
    expect(play(fallAccel, fixesOf(s)).alerts).toEqual([]);
  });

  it('lying down in bed (a posture change without an impact) does not alert', () => {
    const s = [...hold([0, -0.9, 0.43], 4), ...falling([0, -0.9, 0.43], LYING, 1.5).map((v) => v.map((x) => x / 0.35) as Vec3), ...hold(LYING, 8)];
    expect(play(fallAccel, fixesOf(s)).alerts).toEqual([]);
  });

  it('a stumble (an impact, then walking on upright) does not alert', () => {
    const s = [...walking(4), ...impact(3.5, [0.3, -1, 0.2]), ...walking(6)];
    expect(play(fallAccel, fixesOf(s)).alerts).toEqual([]);
  });

  it('a fall followed by moving about (getting up at once) does not alert', () => {
    const s = [...walking(4), ...falling(UPRIGHT, LYING), ...impact(3.2, [0.5, 0.2, -1]), ...walking(6).map((v) => [v[0], v[2], v[1]] as Vec3)];
    expect(play(fallAccel, fixesOf(s)).alerts).toEqual([]);
  });

  it('fixes without samples (a tag on its charger) never raise a fall', () => {
    const moments: Moment[] = Array.from({ length: 30 }, (_, i) => ({ at: i * 10, fix: { x: 12.7, y: 3.8, battery: 40 + i } }));
    expect(play(fallAccel, moments).alerts).toEqual([]);
  });

  it('the state stays small plain JSON: a few seconds of samples', () => {
    const { state } = play(fallAccel, fixesOf(walking(60)));
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
    // three seconds at 50 Hz: the buffer holds 150 samples, stored in chunks of whole fixes
    expect(state.n).toBeLessThanOrEqual(3 * 50);
    expect(state.buf.reduce((k, c) => k + c.length, 0)).toBeLessThanOrEqual(3 * 50 * 3);
  });
});

describe('turning over in bed (SisFall D14: back to side)', () => {
  const SIDE: Vec3 = [1, 0, 0];
  /** Lying on the back, a firm turn onto the side (a 2.3 g bump), then still on the side. */
  const turn = [...hold(LYING, 4), ...falling(LYING, SIDE, 0.4).map((v) => v.map((x) => x / 0.35) as Vec3), ...impact(2.3, SIDE), ...hold(SIDE, 5)];
  const inBed = (m: Moment[]) => m.map((q) => ('fix' in q ? { ...q, fix: { ...q.fix, x: 11, y: 3.3 } } : q));

  it('in the bed zone it is not a fall', () => {
    expect(play(fallAccel, inBed(fixesOf(turn))).alerts).toEqual([]);
  });

  it('a hard impact in the bed zone (out of bed onto the floor beside it) still is', () => {
    const outOfBed = [...hold(LYING, 4), ...falling(LYING, SIDE, 0.4), ...impact(4, SIDE), ...hold(SIDE, 5)];
    expect(play(fallAccel, inBed(fixesOf(outOfBed))).alerts).toHaveLength(1);
  });

  it('the same turn is judged alike whichever way the tag is worn', () => {
    for (const [axis, deg] of [[[1, 0, 0], 180], [[0, 1, 0], 90], [[0, 0, 1], 90]] as [Vec3, number][]) {
      expect(play(fallAccel, inBed(fixesOf(rotate(turn, axis, deg)))).alerts).toEqual([]);
    }
  });
});
