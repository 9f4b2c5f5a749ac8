/**
 * Travel patterns of dementia wandering (Martino-Saltzman et al., The Gerontologist 1991): direct (from one
 * place to another without diversion), pacing (back and forth within a limited area), lapping (circling
 * along a repeated route) and random (roundabout, haphazard travel to many places without a repeated
 * pattern). As in Vuong et al. (2011, 2014), an episode of travel is classified from its shape alone.
 *
 * Input is a path resampled by distance: consecutive points about `stepM` apart (a leash filter, so
 * positioning jitter while standing adds no path), oldest first.
 */

import { hypot2 } from './hypot';
import { revisitsOf } from './travel-revisits';

export type TravelPattern = 'none' | 'direct' | 'pacing' | 'lapping' | 'random';

export interface TravelOptions {
  /** Spacing of the resampled path, metres. */
  stepM: number;
  /** Shorter paths are not classified ('none'), metres. */
  minPathM: number;
  /** A turn of at least this much over ±2 steps is a change of direction, degrees. */
  turnDeg: number;
  /** Pacing: the walk, projected on its main axis, turns back at least this many times... */
  minReversals: number;
  /** ...each time after going at least this far (hysteresis against jitter), metres... */
  reversalM: number;
  /** ...along a line: its spread across the main axis (standard deviation) is at most this, metres... */
  maxLateralM: number;
  /** ...turning back at the same two ends: their positions vary by at most this (standard deviation), metres. */
  maxEndSpreadM: number;
  /** Lapping: net turning in one sense of at least this much (one and a quarter laps = 450°), degrees... */
  lapTurnDeg: number;
  /** ...retracing its route the same way: at least this fraction of points... */
  lapRevisit: number;
  /** ...and of the revisits at least this share go the same way (laps are not walked back and forth). */
  lapSameShare: number;
  /** A point within this distance of the path walked at least 8 m earlier revisits it, metres. */
  revisitM: number;
  /** Random needs more evidence than a pattern: at least this much path, metres... */
  randomMinPathM: number;
  /** ...at least this fraction of points revisiting the earlier path other than by walking straight back,
   *  or a path at least this many times the diagonal of the area it covers (roaming over and over it)... */
  randomRevisit: number;
  randomExtentRatio: number;
  /** ...and not a trip there and back: at most this share of the revisits walk the earlier path backwards. */
  maxRetraceShare: number;
  /** ...with at least this many changes of direction per 10 m. */
  randomTurnsPer10M: number;
}

export interface TravelFeatures {
  pathM: number;
  /** Distance between first and last point, and the diagonal of the area covered, metres. */
  netM: number;
  extentM: number;
  /** Turn-backs along the main axis, the spread across it, and of the turning points along it, metres. */
  reversals: number;
  lateralM: number;
  endSpreadM: number;
  /** Turning in one sense (360 per lap), degrees. */
  netTurnDeg: number;
  /** Changes of direction. */
  turns: number;
  /** Fractions of points revisiting the earlier path: any, going the same way, going back, crossing. */
  revisit: number;
  revisitSame: number;
  revisitBack: number;
  revisitCross: number;
}

type Pt = readonly [number, number];

/**
 * A path as flat coordinates, with the terms of single points computed once for the whole path and
 * shared by the suffixes classified after it: the length of each step, the turn over ±2 steps and the
 * change of heading between two two-step baselines. The arrays are reused from one classification to
 * the next (classification is synchronous), so classifying allocates almost nothing.
 */
interface FlatPath {
  n: number;
  x: Float64Array;
  y: Float64Array;
  /** seg[i]: length of the step from point i - 1 to i (seg[0] = 0). */
  seg: Float64Array;
  /** turn[i]: the turn at i over a baseline of B steps each side; 0 within B of either end. */
  turn: Float64Array;
  /** head[i]: change of heading from (i -> i + 2) to (i + 1 -> i + 3), for i + 3 < n. */
  head: Float64Array;
  /** Whether turn and head are filled in (they are worked out when a feature first needs them). */
  turned: boolean;
}

/** Turning over a baseline of two steps each side smooths the jitter of single points. */
const B = 2;

const scratch: FlatPath = {
  n: 0,
  x: new Float64Array(0),
  y: new Float64Array(0),
  seg: new Float64Array(0),
  turn: new Float64Array(0),
  head: new Float64Array(0),
  turned: false,
};

/** The scratch path sized for `n` points (its arrays grow, never shrink). */
function scratchPath(n: number): FlatPath {
  if (scratch.x.length < n) {
    const cap = Math.max(n, 2 * scratch.x.length, 256);
    scratch.x = new Float64Array(cap);
    scratch.y = new Float64Array(cap);
    scratch.seg = new Float64Array(cap);
    scratch.turn = new Float64Array(cap);
    scratch.head = new Float64Array(cap);
  }
  scratch.n = n;
  scratch.turned = false;
  return scratch;
}

/** Step lengths, once the coordinates are in place. */
function prepareSteps(p: FlatPath): FlatPath {
  const { n, x, y, seg } = p;
  seg[0] = 0;
  for (let i = 1; i < n; i++) seg[i] = hypot2(x[i] - x[i - 1], y[i] - y[i - 1]);
  return p;
}

/** Turns and changes of heading, once the steps are in (once). */
function prepareTurns(p: FlatPath): FlatPath {
  if (p.turned) return p;
  p.turned = true;
  const { n, x, y, turn, head } = p;
  for (let i = 0; i < n; i++) {
    turn[i] = i >= B && i < n - B ? signedTurnDeg(x[i] - x[i - B], y[i] - y[i - B], x[i + B] - x[i], y[i + B] - y[i]) : 0;
  }
  for (let i = 0; i + 3 < n; i++) head[i] = signedTurnDeg(x[i + 2] - x[i], y[i + 2] - y[i], x[i + 3] - x[i + 1], y[i + 3] - y[i + 1]);
  return p;
}

function pathOfPoints(pts: readonly Pt[]): FlatPath {
  const p = scratchPath(pts.length);
  for (let i = 0; i < pts.length; i++) {
    p.x[i] = pts[i][0];
    p.y[i] = pts[i][1];
  }
  return prepareSteps(p);
}

/** A path from flat [t, x, y, t, x, y, ...] records in one or more chunks, oldest first (the wander detector's state): steps only. */
function pathOfRecords(chunks: readonly (readonly number[])[]): FlatPath {
  let n = 0;
  for (const c of chunks) n += Math.floor(c.length / 3);
  const p = scratchPath(n);
  let i = 0;
  for (const c of chunks) {
    for (let k = 0; k + 2 < c.length; k += 3) {
      p.x[i] = c[k + 1];
      p.y[i] = c[k + 2];
      i++;
    }
  }
  return prepareSteps(p);
}

function signedTurnDeg(ax: number, ay: number, bx: number, by: number): number {
  const a = Math.atan2(ax * by - ay * bx, ax * bx + ay * by);
  return (a * 180) / Math.PI;
}

function sd(v: readonly number[]): number {
  if (v.length < 2) return 0;
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
}

/**
 * Turn-backs of the path projected on its main axis (hysteresis `h`), the spread across that axis, and how
 * much the turning points wander along it (pacing turns back at the same two ends). Points [s, e) of `p`.
 */
function axisReversals(p: FlatPath, s: number, e: number, h: number): { reversals: number; lateralM: number; endSpreadM: number } {
  const n = e - s;
  if (n < 3) return { reversals: 0, lateralM: 0, endSpreadM: 0 };
  const { x, y } = p;
  let mx = 0;
  let my = 0;
  for (let i = s; i < e; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let i = s; i < e; i++) {
    const dx = x[i] - mx;
    const dy = y[i] - my;
    sxx += dx * dx;
    syy += dy * dy;
    sxy += dx * dy;
  }
  sxx /= n;
  syy /= n;
  sxy /= n;
  const tr = sxx + syy;
  const det = sxx * syy - sxy * sxy;
  const disc = Math.sqrt(Math.max(0, (tr * tr) / 4 - det));
  const minor = Math.max(0, tr / 2 - disc);
  const theta = 0.5 * Math.atan2(2 * sxy, sxx - syy);
  const ux = Math.cos(theta);
  const uy = Math.sin(theta);
  let reversals = 0;
  const highs: number[] = [];
  const lows: number[] = [];
  let dir = 0;
  const q0 = (x[s] - mx) * ux + (y[s] - my) * uy;
  let hi = q0;
  let lo = q0;
  for (let i = s + 1; i < e; i++) {
    const q = (x[i] - mx) * ux + (y[i] - my) * uy;
    if (dir === 0) {
      hi = Math.max(hi, q);
      lo = Math.min(lo, q);
      if (q > lo + h) {
        dir = 1;
        hi = q;
      } else if (q < hi - h) {
        dir = -1;
        lo = q;
      }
    } else if (dir > 0) {
      hi = Math.max(hi, q);
      if (q < hi - h) {
        reversals++;
        highs.push(hi);
        dir = -1;
        lo = q;
      }
    } else {
      lo = Math.min(lo, q);
      if (q > lo + h) {
        reversals++;
        lows.push(lo);
        dir = 1;
        hi = q;
      }
    }
  }
  return { reversals, lateralM: Math.sqrt(minor), endSpreadM: Math.max(sd(highs), sd(lows)) };
}

/**
 * How many turns of at least `deg` remain when they are taken strongest first (earlier first among equals)
 * and a turn within `gap` points of one taken is dropped. Points [s, e) of `p`, whose turns within B of the
 * range's ends count as none.
 */
function turnEvents(p: FlatPath, s: number, e: number, deg: number, gap: number): number {
  const n = e - s;
  // |turn| at each point of the range, in scratch (indices are relative to s)
  const mag = magScratch(n);
  let k = 0;
  for (let i = 0; i < n; i++) {
    mag[i] = i >= B && i < n - B ? Math.abs(p.turn[s + i]) : 0;
    if (mag[i] >= deg) candBuf[k++] = i;
  }
  if (k === 0) return 0;
  const cand = sortStrongestFirst(mag, k);
  // A point is blocked once a turn within `gap` of it is taken.
  const blocked = blockedScratch(n);
  let kept = 0;
  for (let c = 0; c < k; c++) {
    const i = cand[c];
    if (blocked[i]) continue;
    kept++;
    for (let j = Math.max(0, i - gap), end = Math.min(n - 1, i + gap); j <= end; j++) blocked[j] = 1;
  }
  return kept;
}

let magBuf = new Float64Array(256);
let candBuf = new Int32Array(256);
let mergeBuf = new Int32Array(256);
function magScratch(n: number): Float64Array {
  if (magBuf.length < n) {
    magBuf = new Float64Array(Math.max(n, 2 * magBuf.length));
    candBuf = new Int32Array(magBuf.length);
    mergeBuf = new Int32Array(magBuf.length);
  }
  return magBuf;
}

/**
 * candBuf[0..k) (ascending point indices) sorted by mag descending, equal magnitudes keeping their order:
 * a bottom-up merge sort (stable), as the builtin sort with a comparator would order them, without a call
 * per comparison. Returns the array holding the result (candBuf or mergeBuf).
 */
function sortStrongestFirst(mag: Float64Array, k: number): Int32Array {
  let from = candBuf;
  let to = mergeBuf;
  for (let width = 1; width < k; width *= 2) {
    for (let lo = 0; lo < k; lo += 2 * width) {
      const mid = Math.min(lo + width, k);
      const hi = Math.min(lo + 2 * width, k);
      let a = lo;
      let b = mid;
      let o = lo;
      while (a < mid && b < hi) to[o++] = mag[from[b]] > mag[from[a]] ? from[b++] : from[a++];
      while (a < mid) to[o++] = from[a++];
      while (b < hi) to[o++] = from[b++];
    }
    const t = from;
    from = to;
    to = t;
  }
  return from;
}

let blockedBuf = new Uint8Array(256);
function blockedScratch(n: number): Uint8Array {
  if (blockedBuf.length < n) blockedBuf = new Uint8Array(Math.max(n, 2 * blockedBuf.length));
  blockedBuf.fill(0, 0, n);
  return blockedBuf;
}

export function travelFeatures(pts: readonly Pt[], o: TravelOptions): TravelFeatures {
  const p = pathOfPoints(pts);
  return new RangeFeatures(p, 0, p.n, o).plain();
}

/**
 * The features of points [s, e) of a path, each worked out when first asked for: deciding that a path is
 * not a pattern mostly fails on a cheap feature first (too few turn-backs, too little net turning), so
 * the costly ones (revisits) are often never needed. Every value is the one `travelFeatures` gives.
 */
class RangeFeatures implements TravelFeatures {
  readonly pathM: number;
  private axis: { reversals: number; lateralM: number; endSpreadM: number } | null = null;
  private box: [number, number, number, number] | null = null;
  private counts: { revisits: number; same: number; back: number } | null = null;
  private turnCount = -1;
  private net = 0;
  private netDone = false;

  constructor(
    private readonly p: FlatPath,
    private readonly s: number,
    private readonly e: number,
    private readonly o: TravelOptions,
  ) {
    let pathM = 0;
    for (let i = s + 1; i < e; i++) pathM += p.seg[i];
    this.pathM = pathM;
  }

  get netM(): number {
    const { p, s, e } = this;
    return e - s > 1 ? hypot2(p.x[e - 1] - p.x[s], p.y[e - 1] - p.y[s]) : 0;
  }

  get extentM(): number {
    const [x0, y0, x1, y1] = this.bbox();
    return this.e - this.s > 0 ? hypot2(x1 - x0, y1 - y0) : 0;
  }

  get reversals(): number {
    return this.axisOf().reversals;
  }

  get lateralM(): number {
    return this.axisOf().lateralM;
  }

  get endSpreadM(): number {
    return this.axisOf().endSpreadM;
  }

  /** Net turning: the sum of the changes of heading over two steps (it telescopes, so jitter cancels and
   *  laps add up; the two-step baseline keeps a jittery point from flipping a heading). */
  get netTurnDeg(): number {
    if (!this.netDone) {
      const head = prepareTurns(this.p).head;
      let net = 0;
      for (let i = this.s; i + 3 < this.e; i++) net += head[i];
      this.net = net;
      this.netDone = true;
    }
    return this.net;
  }

  get turns(): number {
    if (this.turnCount < 0) this.turnCount = turnEvents(prepareTurns(this.p), this.s, this.e, this.o.turnDeg, B);
    return this.turnCount;
  }

  get revisit(): number {
    const n = this.e - this.s;
    return n > 0 ? this.revisitCounts().revisits / n : 0;
  }

  get revisitSame(): number {
    const n = this.e - this.s;
    return n > 0 ? this.revisitCounts().same / n : 0;
  }

  get revisitBack(): number {
    const n = this.e - this.s;
    return n > 0 ? this.revisitCounts().back / n : 0;
  }

  get revisitCross(): number {
    const n = this.e - this.s;
    const c = this.revisitCounts();
    return n > 0 ? (c.revisits - c.same - c.back) / n : 0;
  }

  /** Every feature, as a plain object. */
  plain(): TravelFeatures {
    return {
      pathM: this.pathM,
      netM: this.netM,
      extentM: this.extentM,
      reversals: this.reversals,
      lateralM: this.lateralM,
      endSpreadM: this.endSpreadM,
      netTurnDeg: this.netTurnDeg,
      turns: this.turns,
      revisit: this.revisit,
      revisitSame: this.revisitSame,
      revisitBack: this.revisitBack,
      revisitCross: this.revisitCross,
    };
  }

  private axisOf(): { reversals: number; lateralM: number; endSpreadM: number } {
    return (this.axis ??= axisReversals(this.p, this.s, this.e, this.o.reversalM));
  }

  private bbox(): [number, number, number, number] {
    if (!this.box) {
      const { x, y } = this.p;
      let x0 = Number.POSITIVE_INFINITY;
      let y0 = Number.POSITIVE_INFINITY;
      let x1 = Number.NEGATIVE_INFINITY;
      let y1 = Number.NEGATIVE_INFINITY;
      for (let i = this.s; i < this.e; i++) {
        x0 = Math.min(x0, x[i]);
        y0 = Math.min(y0, y[i]);
        x1 = Math.max(x1, x[i]);
        y1 = Math.max(y1, y[i]);
      }
      this.box = [x0, y0, x1, y1];
    }
    return this.box;
  }

  private revisitCounts(): { revisits: number; same: number; back: number } {
    if (!this.counts) {
      const [x0, y0, x1, y1] = this.bbox();
      this.counts = revisitsOf(this.p, this.s, this.e, x0, y0, x1, y1, this.o.stepM, this.o.revisitM);
    }
    return this.counts;
  }
}

function isPacing(f: TravelFeatures, o: TravelOptions): boolean {
  return f.pathM >= o.minPathM && f.reversals >= o.minReversals && f.lateralM <= o.maxLateralM && f.endSpreadM <= o.maxEndSpreadM;
}

function isLapping(f: TravelFeatures, o: TravelOptions): boolean {
  return (
    f.pathM >= o.minPathM &&
    Math.abs(f.netTurnDeg) >= o.lapTurnDeg &&
    f.revisitSame >= o.lapRevisit &&
    f.revisitSame >= o.lapSameShare * f.revisit
  );
}

/**
 * Haphazard: many changes of direction, going over the same area again and again without a pattern: crossing
 * the earlier path or covering a small area with a long path, but not just retracing it (a trip there and back).
 */
function isRandom(f: TravelFeatures, o: TravelOptions): boolean {
  return (
    f.pathM >= o.randomMinPathM &&
    (f.turns * 10) / f.pathM >= o.randomTurnsPer10M &&
    f.revisitBack <= o.maxRetraceShare * f.revisit &&
    (f.revisitSame + f.revisitCross >= o.randomRevisit || f.pathM >= o.randomExtentRatio * f.extentM)
  );
}

/**
 * Classify a path. Pacing and lapping are looked for in the whole window and in its recent part (the last
 * 2× and 4× minPathM metres), so walking to the place where someone then paces does not hide the pacing.
 */
export function classifyTravel(pts: readonly Pt[], o: TravelOptions): { pattern: TravelPattern; features: TravelFeatures } {
  const { pattern, features } = classifyPath(pathOfPoints(pts), o);
  return { pattern, features: features.plain() };
}

/**
 * `classifyTravel` of the points of flat [t, x, y, ...] records in chunks, oldest first (no copy into pairs:
 * the wander detector keeps its path so), for alerting: the features come only with a restless pattern
 * (pacing, lapping, random), and a path shorter than minPathM is 'none' without more ado.
 */
export function classifyTravelRecords(
  records: readonly (readonly number[])[],
  o: TravelOptions,
): { pattern: 'none' | 'direct'; features: null } | { pattern: 'pacing' | 'lapping' | 'random'; features: TravelFeatures } {
  const p = pathOfRecords(records);
  let pathM = 0;
  for (let i = 1; i < p.n; i++) pathM += p.seg[i];
  if (pathM < o.minPathM) return { pattern: 'none', features: null };
  const { pattern, features } = classifyPath(p, o);
  if (pattern === 'none' || pattern === 'direct') return { pattern, features: null };
  return { pattern, features: features.plain() };
}

function classifyPath(p: FlatPath, o: TravelOptions): { pattern: TravelPattern; features: RangeFeatures } {
  const n = p.n;
  const all = new RangeFeatures(p, 0, n, o);
  if (all.pathM < o.minPathM) return { pattern: 'none', features: all };
  const suffixes: RangeFeatures[] = [all];
  for (const len of [4 * o.minPathM, 2 * o.minPathM]) {
    if (all.pathM <= len * 1.2) continue;
    let acc = 0;
    let i = n - 1;
    while (i > 0 && acc < len) {
      acc += p.seg[i];
      i--;
    }
    suffixes.push(new RangeFeatures(p, i, n, o));
  }
  for (const f of suffixes) if (isPacing(f, o)) return { pattern: 'pacing', features: f };
  for (const f of suffixes) if (isLapping(f, o)) return { pattern: 'lapping', features: f };
  if (isRandom(all, o)) return { pattern: 'random', features: all };
  return { pattern: 'direct', features: all };
}
