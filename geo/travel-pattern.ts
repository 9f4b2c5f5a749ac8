/**
 * Travel patterns of dementia wandering (Martino-Saltzman et al., The Gerontologist 1991): direct (from one
 * place to another without diversion), pacing (back and forth within a limited area), lapping (circling
 * along a repeated route) and random (roundabout, haphazard travel to many places without a repeated
 * pattern). As in Vuong et al. (2011, 2014), an episode of travel is classified from its shape alone.
 *
 * Input is a path resampled by distance: consecutive points about `stepM` apart (a leash filter, so
 * positioning jitter while standing adds no path), oldest first.
 */

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
 * much the turning points wander along it (pacing turns back at the same two ends).
 */
function axisReversals(pts: readonly Pt[], h: number): { reversals: number; lateralM: number; endSpreadM: number } {
  const n = pts.length;
  if (n < 3) return { reversals: 0, lateralM: 0, endSpreadM: 0 };
  let mx = 0;
  let my = 0;
  for (const p of pts) {
    mx += p[0];
    my += p[1];
  }
  mx /= n;
  my /= n;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (const p of pts) {
    const dx = p[0] - mx;
    const dy = p[1] - my;
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
  const q0 = (pts[0][0] - mx) * ux + (pts[0][1] - my) * uy;
  let hi = q0;
  let lo = q0;
  for (let i = 1; i < n; i++) {
    const q = (pts[i][0] - mx) * ux + (pts[i][1] - my) * uy;
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

/** Indices of turns of at least `deg`, strongest first, none within `gap` of a stronger one. */
function turnEvents(turn: readonly number[], deg: number, gap: number): number[] {
  const cand: number[] = [];
  for (let i = 0; i < turn.length; i++) if (Math.abs(turn[i]) >= deg) cand.push(i);
  cand.sort((a, b) => Math.abs(turn[b]) - Math.abs(turn[a]));
  const kept: number[] = [];
  for (const i of cand) if (kept.every((k) => Math.abs(k - i) > gap)) kept.push(i);
  return kept;
}

export function travelFeatures(pts: readonly Pt[], o: TravelOptions): TravelFeatures {
  const n = pts.length;
  let pathM = 0;
  for (let i = 1; i < n; i++) pathM += Math.hypot(pts[i][0] - pts[i - 1][0], pts[i][1] - pts[i - 1][1]);
  const netM = n > 1 ? Math.hypot(pts[n - 1][0] - pts[0][0], pts[n - 1][1] - pts[0][1]) : 0;
  let x0 = Number.POSITIVE_INFINITY;
  let y0 = Number.POSITIVE_INFINITY;
  let x1 = Number.NEGATIVE_INFINITY;
  let y1 = Number.NEGATIVE_INFINITY;
  for (const p of pts) {
    x0 = Math.min(x0, p[0]);
    y0 = Math.min(y0, p[1]);
    x1 = Math.max(x1, p[0]);
    y1 = Math.max(y1, p[1]);
  }
  const extentM = n > 0 ? Math.hypot(x1 - x0, y1 - y0) : 0;
  // Turning over a baseline of two steps each side smooths the jitter of single points.
  const b = 2;
  const turn = new Array<number>(n).fill(0);
  for (let i = b; i < n - b; i++) {
    turn[i] = signedTurnDeg(
      pts[i][0] - pts[i - b][0],
      pts[i][1] - pts[i - b][1],
      pts[i + b][0] - pts[i][0],
      pts[i + b][1] - pts[i][1],
    );
  }
  const turns = turnEvents(turn, o.turnDeg, b);
  // Net turning: the sum of the changes of heading over two steps (it telescopes, so jitter cancels and
  // laps add up; the two-step baseline keeps a jittery point from flipping a heading).
  let netTurnDeg = 0;
  for (let i = 0; i + 3 < n; i++) {
    netTurnDeg += signedTurnDeg(
      pts[i + 2][0] - pts[i][0],
      pts[i + 2][1] - pts[i][1],
      pts[i + 3][0] - pts[i + 1][0],
      pts[i + 3][1] - pts[i + 1][1],
    );
  }
  const { reversals, lateralM, endSpreadM } = axisReversals(pts, o.reversalM);
  // Revisits: a point near the path walked at least 8 m before, split by the direction of the two passes.
  const gap = Math.max(2, Math.ceil(8 / o.stepM));
  const r2 = o.revisitM * o.revisitM;
  const dir = (i: number): [number, number] => {
    const a = pts[Math.max(0, i - 1)];
    const c = pts[Math.min(n - 1, i + 1)];
    return [c[0] - a[0], c[1] - a[1]];
  };
  let revisits = 0;
  let same = 0;
  let back = 0;
  // Points enter a grid of revisitM cells once they are `gap` steps old; a query looks at 3 × 3 cells.
  const cell = o.revisitM;
  const grid = new Map<number, number[]>();
  const key = (cx: number, cy: number) => cx * 1_000_003 + cy;
  for (let i = gap; i < n; i++) {
    const j0 = i - gap;
    const k0 = key(Math.floor(pts[j0][0] / cell), Math.floor(pts[j0][1] / cell));
    const list = grid.get(k0);
    if (list) list.push(j0);
    else grid.set(k0, [j0]);
    const cx = Math.floor(pts[i][0] / cell);
    const cy = Math.floor(pts[i][1] / cell);
    let hit = -1;
    let bestD = r2;
    for (let gx = cx - 1; gx <= cx + 1; gx++) {
      for (let gy = cy - 1; gy <= cy + 1; gy++) {
        const js = grid.get(key(gx, gy));
        if (!js) continue;
        for (const j of js) {
          const dx = pts[i][0] - pts[j][0];
          const dy = pts[i][1] - pts[j][1];
          const d = dx * dx + dy * dy;
          if (d <= bestD) {
            bestD = d;
            hit = j;
          }
        }
      }
    }
    if (hit < 0) continue;
    revisits++;
    const u = dir(i);
    const v = dir(hit);
    const c = (u[0] * v[0] + u[1] * v[1]) / (Math.hypot(u[0], u[1]) * Math.hypot(v[0], v[1]) || 1);
    if (c > 0.5) same++;
    else if (c < -0.5) back++;
  }
  return {
    pathM,
    netM,
    extentM,
    reversals,
    lateralM,
    endSpreadM,
    netTurnDeg,
    turns: turns.length,
    revisit: n > 0 ? revisits / n : 0,
    revisitSame: n > 0 ? same / n : 0,
    revisitBack: n > 0 ? back / n : 0,
    revisitCross: n > 0 ? (revisits - same - back) / n : 0,
  };
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
  const all = travelFeatures(pts, o);
  if (all.pathM < o.minPathM) return { pattern: 'none', features: all };
  const suffixes: TravelFeatures[] = [all];
  for (const len of [4 * o.minPathM, 2 * o.minPathM]) {
    if (all.pathM <= len * 1.2) continue;
    let acc = 0;
    let i = pts.length - 1;
    while (i > 0 && acc < len) {
      acc += Math.hypot(pts[i][0] - pts[i - 1][0], pts[i][1] - pts[i - 1][1]);
      i--;
    }
    suffixes.push(travelFeatures(pts.slice(i), o));
  }
  for (const f of suffixes) if (isPacing(f, o)) return { pattern: 'pacing', features: f };
  for (const f of suffixes) if (isLapping(f, o)) return { pattern: 'lapping', features: f };
  if (isRandom(all, o)) return { pattern: 'random', features: all };
  return { pattern: 'direct', features: all };
}
