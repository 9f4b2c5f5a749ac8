import { angleDeg, magnitude, resample } from '../accel';
import type { Fix } from '../model';
import { candidateAt, inBed, NO_ALERTS } from './candidate';
import { ruleReader } from './params';
import { placeOf } from './place';
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
  /** Impact needed while the tag is in the bed zone, g: rolling over (back to side) turns posture by ~90° too. */
  bedImpactG: number;
}

const rulesOf = ruleReader<FallAccelRules>('fallAccel');

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
  /**
   * The last preFromMs of samples at `hz`, oldest first: the last `n` samples of these chunks (one a fix,
   * each flat [x, y, z, x, y, z, ...]). A fix adds its samples as a new chunk and drops the chunks no longer
   * needed; the others are shared with the previous state, not copied.
   */
  buf: number[][];
  n: number;
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
 * `magnitudes`, when given, are those of `samples` (shared with other detectors of the same fix).
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
  magnitudes?: ArrayLike<number>,
): { state: FallAccelState; verdicts: AccelVerdict[] } {
  const hz = rules.rateHz;
  const period = 1000 / hz;
  // The newest sample's time as a plain number (a `number | null` variable would box every double stored).
  let seen = state.lastTs !== null;
  let lastTs = state.lastTs ?? 0;
  // Updated in place from here on: a copy, so the state passed in stays as it was.
  let pending: Pending | null = state.pending ? { ...state.pending } : null;
  let prev = state.hz === hz ? bufferOf(state) : NO_BUFFER;
  const verdicts: AccelVerdict[] = [];
  const n = samples.length;
  const firstTs = endTs - (n - 1) * period;
  // A gap in the stream breaks the timeline: forget what came before it.
  if (seen && firstTs - lastTs > 2.5 * period + 1000) {
    prev = NO_BUFFER;
    pending = null;
  }
  // The buffer is the last keepN samples of the previous buffer followed by this fix's new samples; it is
  // read only at an impact, so it is put together once at the end rather than pushed to and trimmed per sample.
  const keepN = Math.ceil((rules.preFromMs / 1000) * hz);
  const buf: PreBuffer = { prev, flat: null, samples, first: n, pushed: 0, keepN };
  for (let i = 0; i < n; i++) {
    const t = firstTs + i * period;
    if (seen && t <= lastTs + period / 2) continue; // overlapping windows: seen already
    if (buf.pushed === 0) buf.first = i;
    const s = samples[i];
    const m = magnitudes ? magnitudes[i] : magnitude(s);
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
    seen = true;
  }
  const kept = keptSamples(buf);
  return { state: { lastTs: seen ? lastTs : null, hz, buf: kept.chunks, n: kept.n, pending }, verdicts };
}

/** The previous buffer: its chunks and how many of their last samples it holds. */
interface Buffer {
  chunks: number[][];
  n: number;
}

const NO_BUFFER: Buffer = { chunks: [], n: 0 };

/** A state's buffer; a state stored before chunks (one flat array, no `n`) reads as one chunk. */
function bufferOf(state: FallAccelState): Buffer {
  const raw = state.buf as (number[] | number)[];
  const chunks = raw.length > 0 && typeof raw[0] === 'number' ? [raw as number[]] : (raw as number[][]);
  let n = state.n;
  if (n === undefined) {
    n = 0;
    for (const c of chunks) n += c.length / 3;
  }
  return { chunks, n };
}

/**
 * The samples buffer as it stands while a fix's samples are fed: the previous buffer (`prev.n` samples)
 * followed by `pushed` samples of this fix from index `first`, of which the last `keepN` are kept once any
 * was pushed (all of the previous buffer before that, as it was stored).
 */
interface PreBuffer {
  prev: Buffer;
  /** The previous buffer's samples flat, made at the first impact that needs them. */
  flat: number[] | null;
  samples: readonly (readonly number[])[];
  first: number;
  pushed: number;
  keepN: number;
}

function bufStart(b: PreBuffer): number {
  return b.pushed === 0 ? 0 : Math.max(0, b.prev.n + b.pushed - b.keepN);
}

/** Axis `a` of sample `k` of the previous buffer and this fix's samples, back to back. */
function bufAt(b: PreBuffer, k: number, a: number): number {
  if (k >= b.prev.n) return b.samples[b.first + k - b.prev.n][a];
  if (!b.flat) {
    // The last prev.n samples of the chunks.
    const all: number[] = [];
    for (const c of b.prev.chunks) for (const v of c) all.push(v);
    b.flat = all.slice(all.length - 3 * b.prev.n);
  }
  return b.flat[3 * k + a];
}

/** The buffer to store: this fix's samples as a new chunk after the chunks still needed. */
function keptSamples(b: PreBuffer): Buffer {
  const { prev } = b;
  if (b.pushed === 0) return prev;
  const n = Math.min(prev.n + b.pushed, b.keepN);
  const chunk = new Array<number>(3 * b.pushed);
  for (let k = 0; k < b.pushed; k++) {
    const s = b.samples[b.first + k];
    chunk[3 * k] = s[0];
    chunk[3 * k + 1] = s[1];
    chunk[3 * k + 2] = s[2];
  }
  // The previous chunks from the first that still holds one of the last n samples.
  let need = n - b.pushed;
  let from = prev.chunks.length;
  while (need > 0 && from > 0) need -= prev.chunks[--from].length / 3;
  const chunks = prev.chunks.slice(from);
  chunks.push(chunk);
  return { chunks, n };
}

/** Mean of the buffered samples from preFromMs to preToMs before now (the buffer's end). */
function preMean(b: PreBuffer, hz: number, rules: FallAccelRules): [number, number, number] {
  const lo = bufStart(b);
  const count = b.prev.n + b.pushed - lo;
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
  init: () => ({ lastTs: null, hz: 0, buf: [], n: 0, pending: null }),
  step(state, input, ctx): DetectorResult<FallAccelState> {
    const { fix } = input;
    if (!fix.accel) return { state, alerts: NO_ALERTS };
    const rules = rulesOf(ctx.rules);
    if (!rules.enabled) return { state, alerts: NO_ALERTS };
    const samples = samplesOf(fix, rules.rateHz);
    if (samples.length === 0) return { state, alerts: NO_ALERTS };
    // At the rule's rate the samples are the fix's own, whose magnitudes the pipeline works out once.
    const mags = samples === fix.accel.samples ? placeOf(input, ctx.zones).magnitudes() : undefined;
    const { state: next, verdicts } = feedSamples(state, samples, fix.ts, rules, mags);
    // Lying in bed, a turn onto the side is an impact of at most ~2 g and a 90° change: not a fall.
    const bed = verdicts.length > 0 && (inBed(input.inside, ctx) || inBed(placeOf(input, ctx.zones).here(), ctx));
    const fall = verdicts.find((v) => v.fall && (!bed || v.peak >= rules.bedImpactG));
    if (!fall) return { state: next, alerts: NO_ALERTS };
    const detail =
      `accelerometer: impact ${fall.peak.toFixed(1)} g, posture changed ${fall.postureDeg.toFixed(0)}°, ` +
      `then still`;
    return { state: next, alerts: [candidateAt('fall', 'critical', fix, input.inside, fix.ts, ctx, { detail })] };
  },
};
