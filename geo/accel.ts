/**
 * Pure helpers for tri-axial accelerometer samples (in g). Nothing here assumes how the tag is worn:
 * detectors use the magnitude and the angle between gravity directions, never a single axis.
 */

import { hypot3 } from './hypot';

export type Vec3 = [number, number, number];

export function magnitude(v: readonly number[]): number {
  return hypot3(v[0], v[1], v[2]);
}

/** Angle between two vectors, degrees (0 when either is zero-length). */
export function angleDeg(a: readonly number[], b: readonly number[]): number {
  const na = magnitude(a);
  const nb = magnitude(b);
  if (na === 0 || nb === 0) return 0;
  const c = (a[0] * b[0] + a[1] * b[1] + a[2] * b[2]) / (na * nb);
  return (Math.acos(Math.max(-1, Math.min(1, c))) * 180) / Math.PI;
}

/**
 * Resample a stream of samples from `fromHz` to `toHz`. Downsampling averages the input samples that fall
 * in each output period (a box filter: the anti-aliasing a sensor running at the lower rate would do);
 * upsampling interpolates linearly. Output sample k sits at time k / toHz; the input's first sample at 0.
 */
export function resample(samples: readonly (readonly number[])[], fromHz: number, toHz: number): Vec3[] {
  const n = samples.length;
  if (n === 0 || fromHz <= 0 || toHz <= 0) return [];
  if (Math.abs(fromHz - toHz) < 1e-9) return samples.map((s) => [s[0], s[1], s[2]]);
  const duration = (n - 1) / fromHz;
  const count = Math.floor(duration * toHz + 1e-9) + 1;
  const out: Vec3[] = [];
  if (toHz < fromHz) {
    const half = fromHz / toHz / 2;
    for (let k = 0; k < count; k++) {
      const centre = (k * fromHz) / toHz;
      const lo = Math.max(0, Math.ceil(centre - half));
      const hi = Math.min(n - 1, Math.ceil(centre + half) - 1);
      let x = 0;
      let y = 0;
      let z = 0;
      let m = 0;
      for (let i = lo; i <= hi; i++) {
        x += samples[i][0];
        y += samples[i][1];
        z += samples[i][2];
        m++;
      }
      if (m === 0) {
        const i = Math.min(n - 1, Math.round(centre));
        out.push([samples[i][0], samples[i][1], samples[i][2]]);
      } else out.push([x / m, y / m, z / m]);
    }
  } else {
    for (let k = 0; k < count; k++) {
      const pos = (k * fromHz) / toHz;
      const i = Math.min(n - 1, Math.floor(pos));
      const j = Math.min(n - 1, i + 1);
      const f = pos - i;
      out.push([
        samples[i][0] + (samples[j][0] - samples[i][0]) * f,
        samples[i][1] + (samples[j][1] - samples[i][1]) * f,
        samples[i][2] + (samples[j][2] - samples[i][2]) * f,
      ]);
    }
  }
  return out;
}

/** Mean vector of samples [from, to) (clamped); [0,0,0] when empty. */
export function meanVec(samples: readonly (readonly number[])[], from = 0, to = samples.length): Vec3 {
  const lo = Math.max(0, from);
  const hi = Math.min(samples.length, to);
  let x = 0;
  let y = 0;
  let z = 0;
  for (let i = lo; i < hi; i++) {
    x += samples[i][0];
    y += samples[i][1];
    z += samples[i][2];
  }
  const m = hi - lo;
  return m > 0 ? [x / m, y / m, z / m] : [0, 0, 0];
}
