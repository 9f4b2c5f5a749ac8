import { angleDeg, magnitude, resample } from '../accel';
import type { Fix } from '../model';
import { candidateAt } from './candidate';
import { ruleSection } from './params';
import type { Detector, DetectorResult } from './types';

/** Rule section `fallAccel`. */
export interface FallAccelRules {
  enabled: boolean;
  /** The rate the thresholds are set for; samples at another rate are resampled to it, Hz. */
  rateHz: number;
  /** Acceleration magnitude that counts as an impact, g (1 g at rest). */
  impactG: number;
  /** Angle between the gravity direction before and after the impact, degrees: upright -> lying is ~90. */
  postureChangeDeg: number;
  /** Standard deviation of the magnitude after the impact below which the wearer is still, g. */
  stillSdG: number;
  /** The "before" posture is the mean over [impact - preFromMs, impact - preToMs]. */
  preFromMs: number;
  preToMs: number;
  /** The "after" posture and stillness over [last impact + postStartMs, last impact + postEndMs]. */
  postStartMs: number;
  postEndMs: number;
  /** The "before" posture is taken before the earliest impact at most this long before the last one, ms. */
  maxClusterMs: number;
}

interface Pending {
  /** Impacts of this cluster within `maxClusterMs` of the last: [t, pre x, pre y, pre z]. */
  impacts: [number, number, number, number][];
  /** Time of the last impact, ms. */
  last: number;
  peak: number;
  /** Sums over the post window: n, Σm, Σm², Σx, Σy, Σz. */
  n: number;
  sm: number;
  sm2: number;
  sx: number;
  sy: number;
  sz: number;
}

export interface FallAccelState {
  /** Time of the newest sample, ms; null before any. */
  lastTs: number | null;
  hz: number;
  /** The last preFromMs of samples, flat [x, y, z, x, y, z, ...], oldest first, at `hz`. */
  buf: number[];
  pending: Pending | null;
}

export interface AccelVerdict {
  fall: boolean;
  peak: number;
  postureDeg: number;
  sd: number;
  /** Time of the first impact judged, ms. */
  at: number;
}

/**
 * Feed samples (already at `rules.rateHz`, the newest at `endTs`) through the impact -> posture change ->
 * stillness state machine. Exposed for the evaluation, which streams recorded trials through it.
 *
 * Impacts cluster: every impact restarts the wait for the "after" window, so a fall is judged only once
 * `postEndMs` have passed without another impact (a knee then the hip; jogging never settles, so is never
 * judged until it stops). The "before" posture is taken before the earliest impact within `maxClusterMs`
 * of the last one, so a long run of steps does not reach back too far.
 */
export function feedSamples(
  state: FallAccelState,
  samples: readonly (readonly number[])[],
  endTs: number,
  rules: FallAccelRules,
): { state: FallAccelState; verdicts: AccelVerdict[] } {
  const hz = rules.rateHz;
  const period = 1000 / hz;
  let lastTs = state.lastTs;
  // Updated in place from here on: a copy, so the state passed in stays as it was.
  let pending: Pending | null = state.pending ? { ...state.pending } : null;
  let prev = state.hz === hz ? state.buf : [];
  const verdicts: AccelVerdict[] = [];
  const n = samples.length;
  const firstTs = endTs - (n - 1) * period;
  // A gap in the stream breaks the timeline: forget what came before it.
  if (lastTs !== null && firstTs - lastTs > 2.5 * period + 1000) {
    prev = [];
    pending = null;
  }
  // The buffer is the last keepN samples of the previous buffer followed by this fix's new samples; it is
  // read only at an impact, so it is built once at the end rather than pushed to and trimmed per sample.
  const keepN = Math.ceil((rules.preFromMs / 1000) * hz);
  const buf: PreBuffer = { prev, p: prev.length / 3, samples, first: n, pushed: 0, keepN };
  for (let i = 0; i < n; i++) {
    const t = firstTs + i * period;
    if (lastTs !== null && t <= lastTs + period / 2) continue; // overlapping windows: seen already
    if (buf.pushed === 0) buf.first = i;
    const s = samples[i];
    const m = magnitude(s);
    if (m >= rules.impactG) {
      const pre = preMean(buf, hz, rules);
      const impacts = (pending?.impacts ?? []).filter(([ti]) => ti >= t - rules.maxClusterMs);
      impacts.push([t, pre[0], pre[1], pre[2]]);
      pending = { impacts, last: t, peak: Math.max(pending?.peak ?? 0, m), n: 0, sm: 0, sm2: 0, sx: 0, sy: 0, sz: 0 };
    } else if (pending && t >= pending.last + rules.postStartMs) {
      pending.n += 1;
      pending.sm += m;
      pending.sm2 += m * m;
      pending.sx += s[0];
      pending.sy += s[1];
      pending.sz += s[2];
      if (t >= pending.last + rules.postEndMs) {
        verdicts.push(judge(pending, rules));
        pending = null;
      }
    }
    buf.pushed++;
    lastTs = t;
  }
  return { state: { lastTs, hz, buf: keptSamples(buf), pending }, verdicts };
}

/**
 * The samples buffer as it stands while a fix's samples are fed: the previous buffer (`p` samples,
 * flat) followed by `pushed` samples of this fix from index `first`, of which the last `keepN` are kept
 * once any was pushed (all of the previous buffer before that, as it was stored).
 */
interface PreBuffer {
  prev: readonly number[];
  p: number;
  samples: readonly (readonly number[])[];
  first: number;
  pushed: number;
  keepN: number;
}

function bufStart(b: PreBuffer): number {
  return b.pushed === 0 ? 0 : Math.max(0, b.p + b.pushed - b.keepN);
}

/** Axis `a` of sample `k` of the previous buffer and this fix's samples, back to back. */
function bufAt(b: PreBuffer, k: number, a: number): number {
  return k < b.p ? b.prev[3 * k + a] : b.samples[b.first + k - b.p][a];
}

/** The buffer to store: the kept samples, flat [x, y, z, ...], oldest first. */
function keptSamples(b: PreBuffer): number[] {
  if (b.pushed === 0) return b.prev as number[];
  const lo = bufStart(b);
  const out = lo < b.p ? b.prev.slice(3 * lo) : [];
  for (let k = Math.max(lo, b.p), hi = b.p + b.pushed; k < hi; k++) {
    const s = b.samples[b.first + k - b.p];
    out.push(s[0], s[1], s[2]);
  }
  return out;
}

/** Mean of the buffered samples from preFromMs to preToMs before now (the buffer's end). */
function preMean(b: PreBuffer, hz: number, rules: FallAccelRules): [number, number, number] {
  const lo = bufStart(b);
  const count = b.p + b.pushed - lo;
  const from = Math.max(0, count - Math.round((rules.preFromMs / 1000) * hz));
  const to = Math.max(from, count - Math.round((rules.preToMs / 1000) * hz));
  let x = 0;
  let y = 0;
  let z = 0;
  for (let i = from; i < to; i++) {
    x += bufAt(b, lo + i, 0);
    y += bufAt(b, lo + i, 1);
    z += bufAt(b, lo + i, 2);
  }
  const k = to - from;
  return k > 0 ? [x / k, y / k, z / k] : [0, 0, 0];
}

function judge(p: Pending, rules: FallAccelRules): AccelVerdict {
  const mean = p.n > 0 ? p.sm / p.n : 0;
  const sd = p.n > 0 ? Math.sqrt(Math.max(0, p.sm2 / p.n - mean * mean)) : Number.POSITIVE_INFINITY;
  const post: [number, number, number] = p.n > 0 ? [p.sx / p.n, p.sy / p.n, p.sz / p.n] : [0, 0, 0];
  const [at, px, py, pz] = p.impacts[0];
  const pre: [number, number, number] = [px, py, pz];
  // Without a "before" posture (the stream just started) the change cannot be measured: no fall.
  const postureDeg = magnitude(pre) > 0 ? angleDeg(pre, post) : 0;
  const fall = postureDeg >= rules.postureChangeDeg && sd <= rules.stillSdG;
  return { fall, peak: p.peak, postureDeg, sd, at };
}

/** Samples of a fix, at the rule's rate. */
function samplesOf(fix: Fix, rateHz: number): number[][] {
  const a = fix.accel;
  if (!a || a.samples.length === 0 || !(a.hz > 0)) return [];
  return a.hz === rateHz ? a.samples : resample(a.samples, a.hz, rateHz);
}

/**
 * Fall, path (b): the accelerometer samples fixes carry. An impact (magnitude over `impactG`), then a changed
 * posture (the gravity direction turned by `postureChangeDeg`: upright -> lying) and stillness. Magnitude
 * and the angle between gravity directions do not depend on how the tag is worn. One fall's samples may
 * span two fixes, so the state keeps the last seconds of samples and the impact being judged.
 */
export const fallAccel: Detector<FallAccelState> = {
  name: 'fall-accel',
  init: () => ({ lastTs: null, hz: 0, buf: [], pending: null }),
  step(state, input, ctx): DetectorResult<FallAccelState> {
    const { fix } = input;
    if (!fix.accel) return { state, alerts: [] };
    const rules = ruleSection<FallAccelRules>(ctx.rules, 'fallAccel');
    if (!rules.enabled) return { state, alerts: [] };
    const samples = samplesOf(fix, rules.rateHz);
    if (samples.length === 0) return { state, alerts: [] };
    const { state: next, verdicts } = feedSamples(state, samples, fix.ts, rules);
    const fall = verdicts.find((v) => v.fall);
    if (!fall) return { state: next, alerts: [] };
    const detail =
      `accelerometer: impact ${fall.peak.toFixed(1)} g, posture changed ${fall.postureDeg.toFixed(0)}°, ` +
      `then still`;
    return { state: next, alerts: [candidateAt('fall', 'critical', fix, input.inside, fix.ts, ctx, { detail })] };
  },
};
