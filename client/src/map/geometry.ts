/** Plane geometry in a site's local metres, for drawing: bounds, hatching, view fitting (label anchors: geo/geometry). */
import type { ZoneShape } from '../state/types';

export interface Bounds {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

export function boundsOf(shapes: readonly ZoneShape[]): Bounds | null {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const s of shapes) {
    for (const [x, y] of s.rings[0] ?? []) {
      if (x < minX) minX = x;
      if (y < minY) minY = y;
      if (x > maxX) maxX = x;
      if (y > maxY) maxY = y;
    }
  }
  return minX <= maxX ? { minX, minY, maxX, maxY } : null;
}

/**
 * Diagonal hatch lines (45°, every `spacing` metres) clipped to a polygon with holes, as 2-point paths.
 * Drawn as a PathLayer so forbidden zones read as "no entry" without a texture atlas.
 */
export function hatchLines(rings: readonly (readonly [number, number][])[], spacing: number): [number, number][][] {
  const outer = rings[0];
  if (!outer || outer.length < 3 || !(spacing > 0)) return [];
  // Lines x - y = c: rotate by -45° so each line is a horizontal scanline v = const in (u, v).
  const s = Math.SQRT1_2;
  const toUV = ([x, y]: readonly [number, number]): [number, number] => [(x + y) * s, (y - x) * s];
  const fromUV = (u: number, v: number): [number, number] => [(u - v) * s, (u + v) * s];
  const uvRings = rings.map((r) => r.map(toUV));
  let vMin = Infinity;
  let vMax = -Infinity;
  for (const [, v] of uvRings[0]) {
    vMin = Math.min(vMin, v);
    vMax = Math.max(vMax, v);
  }
  const out: [number, number][][] = [];
  for (let v = Math.ceil(vMin / spacing) * spacing; v <= vMax; v += spacing) {
    const us: number[] = [];
    for (const ring of uvRings) {
      for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        const [u0, v0] = ring[j];
        const [u1, v1] = ring[i];
        // half-open rule so a vertex on the scanline counts once
        if (v0 <= v !== v1 <= v) us.push(u0 + ((v - v0) / (v1 - v0)) * (u1 - u0));
      }
    }
    us.sort((a, b) => a - b);
    for (let k = 0; k + 1 < us.length; k += 2) {
      if (us[k + 1] - us[k] > 1e-6) out.push([fromUV(us[k], v), fromUV(us[k + 1], v)]);
    }
  }
  return out;
}

export interface OrthoView {
  target: [number, number, number];
  zoom: number;
}

/** The orthographic view that shows `bounds` whole inside a `width` x `height` pixel viewport. */
export function fitBounds(bounds: Bounds | null, width: number, height: number, paddingPx = 24): OrthoView {
  if (!bounds || width <= 0 || height <= 0) return { target: [0, 0, 0], zoom: 2 };
  const w = Math.max(bounds.maxX - bounds.minX, 1);
  const h = Math.max(bounds.maxY - bounds.minY, 1);
  const scale = Math.min((width - 2 * paddingPx) / w, (height - 2 * paddingPx) / h);
  return {
    target: [(bounds.minX + bounds.maxX) / 2, (bounds.minY + bounds.maxY) / 2, 0],
    zoom: Math.log2(Math.max(scale, 1e-3)),
  };
}
