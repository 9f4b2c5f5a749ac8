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
  /** A turn of at least this much over ±2 steps is a reversal (turning back), degrees. */
  reversalDeg: number;
  /** A turn of at least this much over ±2 steps is a change of direction, degrees. */
  turnDeg: number;
  /** Pacing: at least this many reversals... */
  minReversals: number;
  /** ...turning back at the same few places: reversals within this distance of another one count as repeated, metres. */
  repeatM: number;
  /** Lapping: net turning in one sense of at least this much (1.5 laps = 540°), degrees. */
  lapTurnDeg: number;
  /** Lapping also retraces its route the same way: at least this fraction of points. */
  lapRevisit: number;
  /** A point within this distance of the path walked at least 8 m earlier revisits it, metres. */
  revisitM: number;
  /** Random: at least this fraction of points revisit... */
  randomRevisit: number;
  /** ...with at least this many changes of direction per 10 m. */
  randomTurnsPer10M: number;
}

export interface TravelFeatures {
  pathM: number;
  /** Distance between first and last point, metres. */
  netM: number;
  reversals: number;
  /** Fraction of reversals with another non-adjacent reversal nearby (turning back at the same ends). */
  reversalRepeat: number;
  /** Turning in one sense, excluding reversals (360 per lap), degrees. */
  netTurnDeg: number;
  turns: number;
  /** Fraction of points revisiting the earlier path, and of those going the same way. */
  revisit: number;
  revisitSame: number;
}

type Pt = readonly [number, number];

function signedTurnDeg(ax: number, ay: number, bx: number, by: number): number {
  const a = Math.atan2(ax * by - ay * bx, ax * bx + ay * by);
  return (a * 180) / Math.PI;
}

/** Group vertex indices closer than `gap` into events; each event keeps its vertex with the largest |turn|. */
function events(idx: number[], turn: number[], gap: number): number[] {
  const out: number[] = [];
  let best = -1;
  let lastIdx = Number.NEGATIVE_INFINITY;
  for (const i of idx) {
    if (i - lastIdx > gap) {
      if (best >= 0) out.push(best);
      best = i;
    } else if (Math.abs(turn[i]) > Math.abs(turn[best])) best = i;
    lastIdx = i;
  }
  if (best >= 0) out.push(best);
  return out;
}

export function travelFeatures(pts: readonly Pt[], o: TravelOptions): TravelFeatures {
  const n = pts.length;
  let pathM = 0;
  for (let i = 1; i < n; i++) pathM += Math.hypot(pts[i][0] - pts[i - 1][0], pts[i][1] - pts[i - 1][1]);
  const netM = n > 1 ? Math.hypot(pts[n - 1][0] - pts[0][0], pts[n - 1][1] - pts[0][1]) : 0;
  // Turning over a baseline of two steps each side smooths the jitter of single points.
  const b = 2;
  const turn = new Array<number>(n).fill(0);
  const revIdx: number[] = [];
  const turnIdx: number[] = [];
  for (let i = b; i < n - b; i++) {
    const t = signedTurnDeg(
      pts[i][0] - pts[i - b][0],
      pts[i][1] - pts[i - b][1],
      pts[i + b][0] - pts[i][0],
      pts[i + b][1] - pts[i][1],
    );
    turn[i] = t;
    if (Math.abs(t) >= o.reversalDeg) revIdx.push(i);
    if (Math.abs(t) >= o.turnDeg) turnIdx.push(i);
  }
  const reversals = events(revIdx, turn, b + 1);
  const turns = events(turnIdx, turn, b + 1);
  // Net turning from step-to-step headings, leaving out the vertices around reversals (their sign is noise).
  const skip = new Uint8Array(n);
  for (const r of reversals) for (let k = r - b - 1; k <= r + b + 1; k++) if (k >= 0 && k < n) skip[k] = 1;
  let netTurnDeg = 0;
  for (let i = 1; i < n - 1; i++) {
    if (skip[i]) continue;
    const t = signedTurnDeg(
      pts[i][0] - pts[i - 1][0],
      pts[i][1] - pts[i - 1][1],
      pts[i + 1][0] - pts[i][0],
      pts[i + 1][1] - pts[i][1],
    );
    netTurnDeg += t;
  }
  let repeated = 0;
  for (let k = 0; k < reversals.length; k++) {
    const p = pts[reversals[k]];
    for (let j = 0; j < reversals.length; j++) {
      if (Math.abs(j - k) < 2) continue;
      const q = pts[reversals[j]];
      if (Math.hypot(p[0] - q[0], p[1] - q[1]) <= o.repeatM) {
        repeated++;
        break;
      }
    }
  }
  // Revisits: a point near the path walked at least 8 m before; split by whether it goes the same way
  // (laps retrace a route in one direction, pacing in both).
  const gap = Math.max(2, Math.ceil(8 / o.stepM));
  const r2 = o.revisitM * o.revisitM;
  const dir = (i: number): [number, number] => {
    const a = pts[Math.max(0, i - 1)];
    const c = pts[Math.min(n - 1, i + 1)];
    return [c[0] - a[0], c[1] - a[1]];
  };
  let revisits = 0;
  let same = 0;
  for (let i = gap; i < n; i++) {
    let hit = -1;
    let bestD = r2;
    for (let j = 0; j <= i - gap; j++) {
      const dx = pts[i][0] - pts[j][0];
      const dy = pts[i][1] - pts[j][1];
      const d = dx * dx + dy * dy;
      if (d <= bestD) {
        bestD = d;
        hit = j;
      }
    }
    if (hit < 0) continue;
    revisits++;
    const u = dir(i);
    const v = dir(hit);
    if (u[0] * v[0] + u[1] * v[1] > 0) same++;
  }
  return {
    pathM,
    netM,
    reversals: reversals.length,
    reversalRepeat: reversals.length > 0 ? repeated / reversals.length : 0,
    netTurnDeg,
    turns: turns.length,
    revisit: n > 0 ? revisits / n : 0,
    revisitSame: n > 0 ? same / n : 0,
  };
}

export function classifyFeatures(f: TravelFeatures, o: TravelOptions): TravelPattern {
  if (f.pathM < o.minPathM) return 'none';
  if (Math.abs(f.netTurnDeg) >= o.lapTurnDeg && f.reversals <= 1 && f.revisitSame >= o.lapRevisit) {
    return 'lapping';
  }
  if (f.reversals >= o.minReversals && f.reversalRepeat >= 0.5) return 'pacing';
  if (f.revisit >= o.randomRevisit && (f.turns * 10) / f.pathM >= o.randomTurnsPer10M) return 'random';
  return 'direct';
}

export function classifyTravel(pts: readonly Pt[], o: TravelOptions): { pattern: TravelPattern; features: TravelFeatures } {
  const features = travelFeatures(pts, o);
  return { pattern: classifyFeatures(features, o), features };
}
