import { describe, expect, it } from 'vitest';
import type { Fix } from '../../geo/model';
import { DEFAULT_RULES } from '../../geo/rules';
import { boundaryMargin, initialMembership, stepMembership, type MembershipState } from '../../geo/transition';
import { ZoneIndex } from '../../geo/zone-index';
import { mulberry32, Rng } from '../../geo/rng';
import { SMALL_ZONES } from '../fixtures/small-floor';

const index = new ZoneIndex(SMALL_ZONES);
const H = DEFAULT_RULES.hysteresis;
const HOUR = 3_600_000;

interface Event {
  t: number;
  zone: string;
  change: 'enter' | 'exit';
}

/** Feed fixes through the membership step; every enter and exit, with the fix time in seconds. */
function run(fixes: Iterable<Fix>, start: MembershipState = initialMembership()): { state: MembershipState; events: Event[] } {
  let state = start;
  const events: Event[] = [];
  for (const fix of fixes) {
    const r = stepMembership(state, fix, index, H);
    state = r.state;
    for (const zone of r.exited) events.push({ t: fix.ts / 1000, zone, change: 'exit' });
    for (const zone of r.entered) events.push({ t: fix.ts / 1000, zone, change: 'enter' });
  }
  return { state, events };
}

type Noise = (rnd: Rng) => number;
const uniformNoise = (half: number): Noise => (rnd) => (2 * rnd.next() - 1) * half;
const gaussianNoise = (sigma: number): Noise => (rnd) => rnd.gaussian(sigma);

/** A tag that stays put at (x, y) for `durationMs`, its fixes scattered by `noise` on both axes. */
function* heldAt(floorId: string, x: number, y: number, noise: Noise, accuracy: number, everyMs: number, durationMs: number, seed: number) {
  const rnd = new Rng(seed);
  for (let ts = 0; ts < durationMs; ts += everyMs) {
    yield { tagId: 't', ts, floorId, x: x + noise(rnd), y: y + noise(rnd), accuracy } satisfies Fix;
  }
}

/** A tag walking along x from x0 to x1 at `speed` m/s. */
function* walk(floorId: string, x0: number, x1: number, y: number, speed: number, noise: Noise, accuracy: number, everyMs: number, seed: number) {
  const rnd = new Rng(seed);
  const dir = Math.sign(x1 - x0);
  for (let ts = 0; ; ts += everyMs) {
    const x = x0 + (dir * speed * ts) / 1000;
    if (dir * (x - x1) > 0) return;
    yield { tagId: 't', ts, floorId, x: x + noise(rnd), y: y + noise(rnd), accuracy } satisfies Fix;
  }
}

const perZone = (events: Event[]) => {
  const n = new Map<string, number>();
  for (const e of events) n.set(e.zone, (n.get(e.zone) ?? 0) + 1);
  return n;
};

describe('zone membership with hysteresis', () => {
  describe('a tag held on a boundary for an hour changes membership at most once', () => {
    // Indoors on the ward's south wall (the only zone there); outdoors on the campus's west fence.
    const cases = [
      { where: 'indoors', noise: 'uniform ±0.5 m', n: uniformNoise(0.5), floor: 'f1', x: 25, y: 0, acc: 0.5, every: 1000 },
      { where: 'indoors', noise: 'Gaussian σ 0.5 m', n: gaussianNoise(0.5), floor: 'f1', x: 25, y: 0, acc: 0.5, every: 1000 },
      { where: 'outdoors', noise: 'uniform ±10 m', n: uniformNoise(10), floor: 'out', x: -50, y: 20, acc: 10, every: 1000 },
      { where: 'outdoors', noise: 'Gaussian σ 10 m', n: gaussianNoise(10), floor: 'out', x: -50, y: 20, acc: 10, every: 1000 },
      { where: 'outdoors', noise: 'uniform ±10 m', n: uniformNoise(10), floor: 'out', x: -50, y: 20, acc: 10, every: 10_000 },
      { where: 'outdoors', noise: 'Gaussian σ 10 m', n: gaussianNoise(10), floor: 'out', x: -50, y: 20, acc: 10, every: 10_000 },
    ];
    it.each(cases)('$where, $noise, accuracy $acc m, a fix every $every ms (three seeded hours)', (c) => {
      for (const seed of [11, 12, 13]) {
        const { events } = run(heldAt(c.floor, c.x, c.y, c.n, c.acc, c.every, HOUR, seed));
        expect(events.length, `seed ${seed}: ${JSON.stringify(events)}`).toBeLessThanOrEqual(1);
      }
    });

    it('on the wall between two rooms, Gaussian σ 0.5 m: each room changes at most once', () => {
      for (const seed of [21, 22, 23]) {
        const { events } = run(heldAt('f1', 6, 2, gaussianNoise(0.5), 0.5, 1000, HOUR, seed));
        for (const [zone, n] of perZone(events)) expect(n, `seed ${seed} ${zone}`).toBeLessThanOrEqual(1);
      }
    });
  });

  describe('a real crossing at 1 m/s is seen exactly once, within a bounded delay', () => {
    // Bound: the margin (2 × accuracy) plus 2σ of noise to walk off, then minFixes fixes to confirm:
    // (2·acc + 2σ) / speed + minFixes × interval. Indoors (acc 0.5, σ 0.5, 1 Hz): 5 s; outdoors
    // (acc 10, σ 10): 43 s at 1 Hz, 70 s at one fix every 10 s. Without noise the delay is exactly
    // margin / speed + minFixes intervals, less one when a fix lands right on the margin.
    const bound = (acc: number, sigma: number, every: number) => (2 * acc + 2 * sigma) / 1 + (H.minFixes * every) / 1000;

    it('walking out through the ward wall without noise: one exit, 4 s after the wall', () => {
      const { events } = run(walk('f1', 20, 55, 4, 1, () => 0, 0.5, 1000, 0));
      expect(events).toEqual([
        { t: 2, zone: 'f1-ward', change: 'enter' },
        { t: 24, zone: 'f1-ward', change: 'exit' }, // the wall at x 40 is crossed at t = 20
      ]);
    });

    it.each([31, 32, 33, 34, 35])('walking out through the ward wall with Gaussian σ 0.5 m noise (seed %i)', (seed) => {
      const { events } = run(walk('f1', 20, 55, 4, 1, gaussianNoise(0.5), 0.5, 1000, seed));
      const exits = events.filter((e) => e.change === 'exit');
      expect(exits).toHaveLength(1);
      expect(exits[0].zone).toBe('f1-ward');
      expect(exits[0].t - 20).toBeGreaterThan(0);
      expect(exits[0].t - 20).toBeLessThanOrEqual(bound(0.5, 0.5, 1000));
    });

    it.each([41, 42, 43])('walking through the wall from room 1 into room 2 with Gaussian σ 0.5 m noise (seed %i)', (seed) => {
      const from = run(heldAt('f1', 3, 2, () => 0, 0.5, 1000, 3000, 0)).state; // settled in room 1
      const { events } = run(
        [...walk('f1', 3, 13.5, 2, 1, gaussianNoise(0.5), 0.5, 1000, seed)].map((f) => ({ ...f, ts: f.ts + 3000 })),
        from,
      );
      expect(events.map((e) => `${e.change} ${e.zone}`).sort()).toEqual(['enter f1-r2', 'exit f1-r1']);
      for (const e of events) expect(e.t - 6).toBeLessThanOrEqual(bound(0.5, 0.5, 1000)); // the wall at x 6, reached at t = 6
    });

    it.each([
      { every: 1000, seed: 51 },
      { every: 1000, seed: 52 },
      { every: 10_000, seed: 53 },
      { every: 10_000, seed: 54 },
    ])('walking off the campus with Gaussian σ 10 m noise, accuracy 10 m, a fix every $every ms (seed $seed)', ({ every, seed }) => {
      const { events } = run(walk('out', 0, -200, 20, 1, gaussianNoise(10), 10, every, seed));
      expect(events.map((e) => `${e.change} ${e.zone}`)).toEqual(['enter campus', 'exit campus']);
      const delay = events[1].t - 50; // the fence at x -50, reached at t = 50
      expect(delay).toBeGreaterThan(0);
      expect(delay).toBeLessThanOrEqual(bound(10, 10, every));
    });
  });

  it('a 1×2.1 m bed can be entered and left, even with ±0.5 m noise at accuracy 0.5 m', () => {
    const rnd = mulberry32(61);
    const noise = () => (2 * rnd() - 1) * 0.5;
    const fixes: Fix[] = [];
    let ts = 0;
    const at = (x: number, y: number) => fixes.push({ tagId: 't', ts: (ts += 1000), floorId: 'f1', x: x + noise(), y: y + noise(), accuracy: 0.5 });
    for (let k = 0; k < 5; k++) at(4, 2); // standing in room 1
    for (let x = 3.5; x > 1.5; x -= 0.5) at(x, 2); // to the bed
    for (let k = 0; k < 60; k++) at(1.5, 2.05); // lying in it, a minute
    for (let x = 1.5; x <= 5; x += 0.5) at(x, 2); // getting up and away
    for (let k = 0; k < 10; k++) at(5, 2);
    const bed = run(fixes).events.filter((e) => e.zone === 'f1-r1-bed');
    expect(bed.map((e) => e.change)).toEqual(['enter', 'exit']);
    expect(bed[0].t).toBeLessThan(25); // in bed from t = 10
    expect(bed[1].t).toBeGreaterThan(70); // up at t = 70
  });

  it('caps the margin below the half-width of a small zone, so a bed keeps a core that can be entered', () => {
    expect(boundaryMargin(0.5, index.halfWidth('f1-r1-bed'), H)).toBeCloseTo(0.35, 9); // 0.7 × 0.5 m
    expect(boundaryMargin(0.5, index.halfWidth('f1-ward'), H)).toBe(1); // 2 × accuracy
    expect(boundaryMargin(50, index.halfWidth('campus'), H)).toBe(H.maxMarginM);
    expect(boundaryMargin(0.1, index.halfWidth('f1-ward'), H)).toBe(H.minMarginM);
  });

  it('enters a zone only after minFixes fixes clearly inside spanning dwellMs', () => {
    const fix = (s: number): Fix => ({ tagId: 't', ts: s * 1000, floorId: 'f1', x: 20, y: 4, accuracy: 0.3 });
    const { events } = run([fix(0), fix(1), fix(2), fix(3)]);
    expect(events).toEqual([{ t: 2, zone: 'f1-ward', change: 'enter' }]);
    const fast = run([fix(0), fix(0.5), fix(1), fix(1.5), fix(2)]).events;
    expect(fast).toEqual([{ t: 2, zone: 'f1-ward', change: 'enter' }]); // five fixes, but 2 s are needed
  });

  it('a fix on the old side of the boundary, even within the margin, cancels a pending change', () => {
    // settled in the ward, then two fixes clearly outside the east wall, one just inside, then outside again
    const xs = [38, 38, 38, 41.5, 41.5, 39.8, 41.5, 41.5, 41.5];
    const { events } = run(xs.map((x, s) => ({ tagId: 't', ts: s * 1000, floorId: 'f1', x, y: 4, accuracy: 0.5 })));
    expect(events.filter((e) => e.zone === 'f1-ward')).toEqual([
      { t: 2, zone: 'f1-ward', change: 'enter' },
      { t: 8, zone: 'f1-ward', change: 'exit' }, // counted afresh from t = 6
    ]);
  });

  it('a fix within the margin on the new side neither confirms nor cancels', () => {
    const xs = [38, 38, 38, 41.5, 40.5, 41.5, 40.5, 41.5];
    const { events } = run(xs.map((x, s) => ({ tagId: 't', ts: s * 1000, floorId: 'f1', x, y: 4, accuracy: 0.5 })));
    expect(events.filter((e) => e.zone === 'f1-ward').map((e) => [e.change, e.t])).toEqual([
      ['enter', 2],
      ['exit', 7], // the third fix beyond the 1 m margin
    ]);
  });

  it("a floor change exits the old floor's zones at once and enters the new floor's after the usual dwell", () => {
    const on = (floorId: string, s: number): Fix => ({ tagId: 't', ts: s * 1000, floorId, x: 3, y: 2, accuracy: 0.3 });
    const settled = run([on('f1', 0), on('f1', 1), on('f1', 2)]);
    expect(settled.state.inside.sort()).toEqual(['f1-r1', 'f1-ward']);
    const step = stepMembership(settled.state, on('f2', 3), index, H);
    expect(step.exited.sort()).toEqual(['f1-r1', 'f1-ward']);
    expect(step.entered).toEqual([]);
    expect(step.state).toMatchObject({ floorId: 'f2', inside: [] });
    const upstairs = run([on('f2', 4), on('f2', 5)], step.state);
    expect(upstairs.events.map((e) => `${e.change} ${e.zone} ${e.t}`).sort()).toEqual(['enter f2-r1 5', 'enter f2-ward 5']);
  });

  it('keeps its state as plain JSON', () => {
    const { state } = run(heldAt('f1', 25, 0.6, gaussianNoise(0.5), 0.5, 1000, 20_000, 71));
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
  });
});
