import { initCharging, updateCharging } from '../../../geo/detect/charging';
import type { Detector, DetectorContext } from '../../../geo/detect/types';
import type { AlertCandidate, Fix, Resident, RuleOverrides, Site } from '../../../geo/model';
import { World } from '../../../geo/world';
import { F, resident, site, zones } from '../../fixtures/timelines/ward';

/** 2025-01-15 23:00 in Asia/Shanghai (15:00 UTC): a night, one hour in. Timelines count seconds from here. */
export const T0 = Date.UTC(2025, 0, 15, 15, 0, 0);
export const MIN = 60;

export interface Options {
  resident?: Partial<Resident>;
  /** Resident-level rule overrides. */
  rules?: RuleOverrides;
  site?: Partial<Site>;
  /** Epoch ms that `at` counts from (default T0). */
  t0?: number;
}

export function context(o: Options = {}): DetectorContext {
  const s = { ...site(), ...o.site };
  const r = resident({ ...o.resident, rules: o.rules });
  return new World({ sites: [s], zones, residents: [r] }).context(r.id)!;
}

/** One moment of a timeline: a fix (seconds after t0), or a tick. */
export type Moment =
  | { at: number; fix: Partial<Fix>; escorted?: boolean; inside?: string[] }
  | { at: number; tick: true };

export interface Played<S> {
  alerts: (AlertCandidate & { at: number })[];
  state: S;
  ctx: DetectorContext;
}

/**
 * Play a timeline through one detector. `inside` is the zones containing the fix (no hysteresis: these are
 * unit timelines; the scenario suite in bench/ plays through the real pipeline), unless a moment gives it.
 */
export function play<S>(d: Detector<S>, moments: Moment[], o: Options = {}): Played<S> {
  const ctx = context(o);
  const t0 = o.t0 ?? T0;
  let state = d.init();
  let prev: Fix | null = null;
  let inside: readonly string[] = [];
  // as the pipeline does: charging inferred once per fix, handed to the detector
  let charging = initCharging();
  const alerts: (AlertCandidate & { at: number })[] = [];
  const sorted = [...moments].sort((a, b) => a.at - b.at || ('tick' in a ? 1 : 0) - ('tick' in b ? 1 : 0));
  for (const m of sorted) {
    if ('tick' in m) {
      if (!d.tick) continue;
      const r = d.tick(state, { now: t0 + m.at * 1000, lastFix: prev, inside }, ctx);
      state = r.state;
      alerts.push(...r.alerts.map((a) => ({ ...a, at: (a.fixTs - t0) / 1000 })));
      continue;
    }
    const fix: Fix = { tagId: 'T1', floorId: F, x: 0, y: 0, accuracy: 0.3, ...m.fix, ts: t0 + m.at * 1000 };
    const now = m.inside ?? ctx.zones.containing(fix.floorId, fix.x, fix.y);
    const entered = now.filter((z) => !inside.includes(z));
    const exited = inside.filter((z) => !now.includes(z));
    inside = now;
    charging = updateCharging(charging, fix);
    if (d.step) {
      const r = d.step(state, { fix, prev, inside, entered, exited, escorted: m.escorted, charging: charging.charging }, ctx);
      state = r.state;
      alerts.push(...r.alerts.map((a) => ({ ...a, at: (a.fixTs - t0) / 1000 })));
    }
    prev = fix;
  }
  return { alerts, state, ctx };
}

/** A small deterministic noise source (mulberry32 + Box-Muller), so timelines are reproducible. */
export function noise(seed: number): () => number {
  let s = seed >>> 0;
  const u = () => {
    let t = (s = (s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(Math.max(1e-12, u()))) * Math.cos(2 * Math.PI * u());
}

type XY = readonly [number, number];

/** Fixes every `every` s from `from` to `to` (inclusive) at a place, with optional noise and extra fields. */
export function stay(place: XY, from: number, to: number, every = 1, extra: Partial<Fix> = {}, sigma = 0, seed = 1): Moment[] {
  const g = noise(seed);
  const out: Moment[] = [];
  for (let t = from; t <= to + 1e-9; t += every) out.push({ at: t, fix: { x: place[0] + g() * sigma, y: place[1] + g() * sigma, ...extra } });
  return out;
}

/** Fixes every second walking through `points` at `speed` m/s from `from`; returns the moments and the arrival time. */
export function walk(points: readonly XY[], from: number, speed = 0.8, extra: Partial<Fix> = {}, sigma = 0, seed = 2): { moments: Moment[]; end: number } {
  const g = noise(seed);
  const legs: { a: XY; b: XY; t0: number; t1: number }[] = [];
  let t = from;
  for (let i = 1; i < points.length; i++) {
    const d = Math.hypot(points[i][0] - points[i - 1][0], points[i][1] - points[i - 1][1]);
    legs.push({ a: points[i - 1], b: points[i], t0: t, t1: t + d / speed });
    t += d / speed;
  }
  const moments: Moment[] = [];
  for (let s = from; s <= t; s += 1) {
    const leg = legs.find((l) => s <= l.t1) ?? legs[legs.length - 1];
    const f = leg.t1 > leg.t0 ? Math.min(1, (s - leg.t0) / (leg.t1 - leg.t0)) : 1;
    moments.push({
      at: s,
      fix: { x: leg.a[0] + (leg.b[0] - leg.a[0]) * f + g() * sigma, y: leg.a[1] + (leg.b[1] - leg.a[1]) * f + g() * sigma, ...extra },
    });
  }
  return { moments, end: t };
}

/** A tick every second from `from` to `to`. */
export function ticks(from: number, to: number, every = 1): Moment[] {
  const out: Moment[] = [];
  for (let t = from; t <= to; t += every) out.push({ at: t, tick: true });
  return out;
}

/** Only the alerts of one kind, raised (not cleared). */
export function raised<T extends AlertCandidate>(alerts: T[], kind: AlertCandidate['kind']): T[] {
  return alerts.filter((a) => a.kind === kind && !a.clear);
}

export function cleared<T extends AlertCandidate>(alerts: T[], kind: AlertCandidate['kind']): T[] {
  return alerts.filter((a) => a.kind === kind && a.clear);
}
