/**
 * How purposeful a stretch of walking looks, from the wander detector's path records (chunks of flat
 * [t, x, y, ...], points a leash step apart): the walking speed (stops left out), how straight the legs
 * between stops are, and how many stops (dwells at a destination) it made. A brisk round — striding from
 * place to place and stopping at each — is fast, straight and stops; random wandering meanders.
 */
export interface WalkPurpose {
  speedMps: number;
  /** Net distance over path length of the legs between stops, path-weighted (1: dead straight). */
  straightness: number;
  stops: number;
}

export function walkPurpose(records: readonly (readonly number[])[], stopMs: number): WalkPurpose {
  let movingM = 0;
  let movingMs = 0;
  let stops = 0;
  let netSum = 0;
  let legM = 0;
  let legX = Number.NaN;
  let legY = Number.NaN;
  let pt = Number.NaN;
  let px = 0;
  let py = 0;
  const closeLeg = () => {
    if (legM > 0) netSum += Math.hypot(px - legX, py - legY);
    legM = 0;
    legX = px;
    legY = py;
  };
  for (const c of records) {
    for (let i = 0; i + 2 < c.length; i += 3) {
      const [t, x, y] = [c[i], c[i + 1], c[i + 2]];
      if (Number.isNaN(pt)) {
        [pt, px, py, legX, legY] = [t, x, y, x, y];
        continue;
      }
      const d = Math.hypot(x - px, y - py);
      if (t - pt > stopMs) {
        stops++;
        closeLeg();
        // The next leg starts where the walking starts again, not where the last one stopped.
        [legX, legY] = [x, y];
      } else {
        movingM += d;
        movingMs += t - pt;
        legM += d;
      }
      [pt, px, py] = [t, x, y];
    }
  }
  closeLeg();
  return { speedMps: movingMs > 0 ? (movingM * 1000) / movingMs : 0, straightness: movingM > 0 ? netSum / movingM : 0, stops };
}
