import type { Fix } from '../../geo/model';
import { FLOOR, RING } from './floor';
import type { Rng } from '../../geo/rng';

export type P = [number, number];

interface Segment {
  t0: number;
  t1: number;
  a: P;
  b: P;
}

/** A person's true path: straight walks at given speeds and pauses, in time order. */
export class Track {
  private readonly segs: Segment[] = [];
  private at: P;
  private t: number;

  constructor(start: P, t0: number) {
    this.at = [...start];
    this.t = t0;
  }

  get end(): number {
    return this.t;
  }

  get position(): P {
    return [...this.at];
  }

  walk(to: P, speedMps: number): this {
    const d = Math.hypot(to[0] - this.at[0], to[1] - this.at[1]);
    if (d < 1e-6) return this;
    const dt = (d / speedMps) * 1000;
    this.segs.push({ t0: this.t, t1: this.t + dt, a: this.at, b: [...to] });
    this.at = [...to];
    this.t += dt;
    return this;
  }

  walkPath(points: readonly P[], speedMps: number): this {
    for (const p of points) this.walk(p, speedMps);
    return this;
  }

  pause(seconds: number): this {
    if (seconds <= 0) return this;
    this.segs.push({ t0: this.t, t1: this.t + seconds * 1000, a: this.at, b: this.at });
    this.t += seconds * 1000;
    return this;
  }

  pos(t: number): P {
    for (const s of this.segs) {
      if (t <= s.t1) {
        if (t <= s.t0) return [...s.a];
        const f = (t - s.t0) / (s.t1 - s.t0);
        return [s.a[0] + (s.b[0] - s.a[0]) * f, s.a[1] + (s.b[1] - s.a[1]) * f];
      }
    }
    return [...this.at];
  }

  /** How long the person has been standing still at t, ms (0 while walking). */
  stillFor(t: number): number {
    let since = Number.NEGATIVE_INFINITY;
    for (const s of this.segs) {
      if (s.t0 > t) break;
      const moving = s.a[0] !== s.b[0] || s.a[1] !== s.b[1];
      if (moving) {
        if (t <= s.t1) return 0;
        since = s.t1;
      }
    }
    return since === Number.NEGATIVE_INFINITY ? Number.POSITIVE_INFINITY : t - since;
  }

  /** When the person next starts walking after t, or +Infinity. */
  nextMoveAfter(t: number): number {
    for (const s of this.segs) {
      const moving = s.a[0] !== s.b[0] || s.a[1] !== s.b[1];
      if (moving && s.t0 >= t) return s.t0;
    }
    return Number.POSITIVE_INFINITY;
  }

  moving(t: number): boolean {
    for (const s of this.segs) if (t >= s.t0 && t <= s.t1) return s.a[0] !== s.b[0] || s.a[1] !== s.b[1];
    return false;
  }
}

export interface FixOptions {
  tagId?: string;
  /** Positioning noise, 1 sigma, metres. */
  sigma: number;
  /** Fix interval while moving and while still (motion-triggered tags report less once still for 10 s), seconds. */
  movingS: number;
  stillS: number;
  /** Chance of a multipath outlier (1.5–3 m off) per fix. */
  outlier?: number;
  z?: (t: number) => number | undefined;
  battery?: (t: number) => number | undefined;
}

/** Fixes sampled from a track between t0 and t1 with noise and realistic report intervals. */
export function sampleFixes(track: Track, t0: number, t1: number, rng: Rng, o: FixOptions): Fix[] {
  const fixes: Fix[] = [];
  let t = t0;
  while (t <= t1) {
    const [x, y] = track.pos(t);
    let nx = rng.gaussian() * o.sigma;
    let ny = rng.gaussian() * o.sigma;
    if (o.outlier && rng.chance(o.outlier)) {
      const a = rng.range(0, 2 * Math.PI);
      const d = rng.range(1.5, 3);
      nx += d * Math.cos(a);
      ny += d * Math.sin(a);
    }
    const fix: Fix = {
      tagId: o.tagId ?? 'T',
      ts: Math.round(t),
      floorId: FLOOR,
      x: x + nx,
      y: y + ny,
      accuracy: Math.max(0.1, o.sigma * 1.5),
    };
    const z = o.z?.(t);
    if (z !== undefined) fix.z = z;
    const b = o.battery?.(t);
    if (b !== undefined) fix.battery = b;
    fixes.push(fix);
    if (track.stillFor(t) > 10_000) {
      // Motion-triggered tags report slowly while still and wake up when the wearer moves.
      const wake = track.nextMoveAfter(t) + rng.range(200, 800);
      t = Math.min(t + o.stillS * 1000 * rng.range(0.9, 1.1), wake);
    } else t += o.movingS * 1000 * rng.range(0.9, 1.1);
  }
  return fixes;
}

/** Position along the corridor ring's perimeter (0 at the south-west corner, counter-clockwise). */
function ringParam(p: P): number {
  let s = 0;
  let best = Number.POSITIVE_INFINITY;
  let bestS = 0;
  for (let i = 0; i < RING.length; i++) {
    const a = RING[i];
    const b = RING[(i + 1) % RING.length];
    const len = Math.hypot(b[0] - a[0], b[1] - a[1]);
    const f = Math.max(0, Math.min(1, ((p[0] - a[0]) * (b[0] - a[0]) + (p[1] - a[1]) * (b[1] - a[1])) / (len * len)));
    const d = Math.hypot(a[0] + f * (b[0] - a[0]) - p[0], a[1] + f * (b[1] - a[1]) - p[1]);
    if (d < best) {
      best = d;
      bestS = s + f * len;
    }
    s += len;
  }
  return bestS;
}

export const RING_LENGTH = RING.reduce((acc, a, i) => {
  const b = RING[(i + 1) % RING.length];
  return acc + Math.hypot(b[0] - a[0], b[1] - a[1]);
}, 0);

function ringPoint(s: number): P {
  let r = ((s % RING_LENGTH) + RING_LENGTH) % RING_LENGTH;
  for (let i = 0; i < RING.length; i++) {
    const a = RING[i];
    const b = RING[(i + 1) % RING.length];
    const len = Math.hypot(b[0] - a[0], b[1] - a[1]);
    if (r <= len) return [a[0] + ((b[0] - a[0]) * r) / len, a[1] + ((b[1] - a[1]) * r) / len];
    r -= len;
  }
  return [...RING[0]];
}

/**
 * Waypoints along the corridor ring from one point on it to another, the shorter way or in a given sense,
 * optionally going round `extraLaps` more times.
 */
export function ringPath(from: P, to: P, sense: 'short' | 'ccw' | 'cw' = 'short', extraLaps = 0): P[] {
  const s0 = ringParam(from);
  const s1 = ringParam(to);
  let ccw = (((s1 - s0) % RING_LENGTH) + RING_LENGTH) % RING_LENGTH;
  const dir = sense === 'short' ? (ccw <= RING_LENGTH / 2 ? 1 : -1) : sense === 'ccw' ? 1 : -1;
  if (dir < 0) ccw = RING_LENGTH - ccw;
  const total = ccw + extraLaps * RING_LENGTH;
  // corner parameters
  const corners: number[] = [];
  let acc = 0;
  for (let i = 0; i < RING.length; i++) {
    corners.push(acc);
    const b = RING[(i + 1) % RING.length];
    acc += Math.hypot(b[0] - RING[i][0], b[1] - RING[i][1]);
  }
  const out: P[] = [];
  // walk the perimeter, emitting every corner passed
  const events: number[] = [];
  for (let lap = -1; lap <= extraLaps + 1; lap++) {
    for (const c of corners) {
      const d = dir > 0 ? c + lap * RING_LENGTH - s0 : s0 - (c + lap * RING_LENGTH);
      if (d > 1e-6 && d < total - 1e-6) events.push(d);
    }
  }
  events.sort((a, b) => a - b);
  for (const d of events) out.push(ringPoint(s0 + dir * d));
  out.push(ringPoint(s0 + dir * total));
  return out;
}
