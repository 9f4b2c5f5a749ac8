/**
 * Plane geometry of polygons in one coordinate space (a site's local metres, or lon/lat over a building's
 * extent): point in ring / polygon, signed area, centroid, distance to segments. Rings are closed (first
 * point repeated last). The zone index keeps its rings back to back in one Float64Array; the `Flat`
 * variants read a ring there as coords[start..end) = x0, y0, x1, y1, ...
 */

/** A ring's points; readonly so a model `Ring` and a GeoJSON position list both fit. */
export type RingPoints = readonly (readonly number[])[];

/** Even-odd rule: whether a ray from the point towards +x crosses the ring an odd number of times. */
export function pointInRing(x: number, y: number, ring: RingPoints): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const xi = ring[i][0], yi = ring[i][1];
    const xj = ring[j][0], yj = ring[j][1];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Inside the outer ring (the first) and in none of its holes. */
export function pointInPolygon(x: number, y: number, polygon: readonly RingPoints[]): boolean {
  if (!polygon[0] || !pointInRing(x, y, polygon[0])) return false;
  for (let h = 1; h < polygon.length; h++) if (pointInRing(x, y, polygon[h])) return false;
  return true;
}

/** The even-odd rule over coords[start..end) (see pointInRing): XOR it over a zone's rings for holes. */
export function pointInFlatRing(c: Float64Array, start: number, end: number, x: number, y: number): boolean {
  let inside = false;
  for (let k = start, j = end - 2; k < end; j = k, k += 2) {
    const yi = c[k + 1], yj = c[j + 1];
    if (yi > y !== yj > y) {
      const xi = c[k], xj = c[j];
      if (x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    }
  }
  return inside;
}

/** Signed area of a closed ring: positive counter-clockwise (y up). */
export function ringArea(ring: RingPoints): number {
  let a = 0;
  for (let i = 0; i + 1 < ring.length; i++) a += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
  return a / 2;
}

/**
 * Area-weighted centroid of a ring, the vertex mean when its doubled area is below `degenerateBelow`
 * (a ring of collinear points). Computed relative to the first vertex: in raw lon/lat (~117 × ~32) the
 * products would cancel away the tiny area of a building.
 */
export function ringCentroid(ring: RingPoints, degenerateBelow = 1e-9): [number, number] {
  if (ring.length === 0) return [0, 0];
  const ox = ring[0][0], oy = ring[0][1];
  let a = 0;
  let cx = 0;
  let cy = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const x0 = ring[j][0] - ox, y0 = ring[j][1] - oy;
    const x1 = ring[i][0] - ox, y1 = ring[i][1] - oy;
    const cross = x0 * y1 - x1 * y0;
    a += cross;
    cx += (x0 + x1) * cross;
    cy += (y0 + y1) * cross;
  }
  if (Math.abs(a) < degenerateBelow) {
    let sx = 0, sy = 0;
    for (const p of ring) {
      sx += p[0];
      sy += p[1];
    }
    return [sx / ring.length, sy / ring.length];
  }
  return [ox + cx / (3 * a), oy + cy / (3 * a)];
}

/** Squared distance from (x, y) to the segment a–b. */
export function segmentDistance2(x: number, y: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax, dy = by - ay;
  const len2 = dx * dx + dy * dy;
  let t = len2 > 0 ? ((x - ax) * dx + (y - ay) * dy) / len2 : 0;
  if (t < 0) t = 0;
  else if (t > 1) t = 1;
  const px = ax + t * dx - x, py = ay + t * dy - y;
  return px * px + py * py;
}

/** Distance from (x, y) to the segment a–b. */
export function segmentDistance(x: number, y: number, ax: number, ay: number, bx: number, by: number): number {
  return Math.sqrt(segmentDistance2(x, y, ax, ay, bx, by));
}

/** Distance from (x, y) to the nearest edge of a ring (0 on it; inside or outside alike). */
export function distanceToRing(x: number, y: number, ring: RingPoints): number {
  let best2 = Infinity;
  for (let i = 0; i + 1 < ring.length; i++) {
    const d2 = segmentDistance2(x, y, ring[i][0], ring[i][1], ring[i + 1][0], ring[i + 1][1]);
    if (d2 < best2) best2 = d2;
  }
  return Math.sqrt(best2);
}

/** distanceToRing over coords[start..end). */
export function distanceToFlatRing(c: Float64Array, start: number, end: number, x: number, y: number): number {
  let best2 = Infinity;
  for (let k = start; k + 3 < end; k += 2) {
    const d2 = segmentDistance2(x, y, c[k], c[k + 1], c[k + 2], c[k + 3]);
    if (d2 < best2) best2 = d2;
  }
  return Math.sqrt(best2);
}
