/**
 * A path of timed points kept as plain JSON without copying it all on every new point: chunks of at most
 * CHUNK points, each flat [t, x, y, t, x, y, ...], oldest first. A state never changes a chunk it holds:
 * a new point copies the last chunk only, and dropping old points copies the first one only, so the cost
 * of a point is a chunk, not the window (10 minutes of walking is ~400 points).
 */
export type PathChunks = number[][];

export const CHUNK = 32;

/** Points in the path. */
export function pointCount(p: PathChunks): number {
  let n = 0;
  for (const c of p) n += c.length / 3;
  return n;
}

/** The chunk holding the newest point (the path must not be empty). */
function lastAt(p: PathChunks): number[] {
  return p[p.length - 1];
}

export function newestT(p: PathChunks): number {
  const c = lastAt(p);
  return c[c.length - 3];
}

export function newestX(p: PathChunks): number {
  const c = lastAt(p);
  return c[c.length - 2];
}

export function newestY(p: PathChunks): number {
  const c = lastAt(p);
  return c[c.length - 1];
}

export function oldestT(p: PathChunks): number {
  return p[0][0];
}

/**
 * The path with points older than `from` dropped (never the newest: with `append`, the point appended,
 * else the newest already there), then [t, x, y] appended when `append`. The same array when nothing
 * changes.
 */
export function slide(p: PathChunks, from: number, append: boolean, t: number, x: number, y: number): PathChunks {
  // Whole chunks out of the window go; then the first points of the first chunk kept.
  let c0 = 0;
  let i0 = 0;
  const lastChunk = p.length - 1;
  for (;;) {
    if (c0 > lastChunk) break;
    const c = p[c0];
    // The newest point of the path bounds the scan when nothing is appended.
    const end = !append && c0 === lastChunk ? c.length - 3 : c.length;
    while (i0 < end && c[i0] < from) i0 += 3;
    if (i0 < c.length || (!append && c0 === lastChunk)) break;
    c0++;
    i0 = 0;
  }
  if (c0 === 0 && i0 === 0 && !append) return p;
  const out: PathChunks = [];
  for (let k = c0; k <= lastChunk; k++) out.push(k === c0 && i0 > 0 ? p[k].slice(i0) : p[k]);
  if (append) {
    const last = out.length > 0 ? out[out.length - 1] : null;
    if (last && last.length < 3 * CHUNK) {
      // A chunk of the old path is copied; one just cut from it is new already.
      const grown = last === p[lastChunk] ? last.slice() : last;
      grown.push(t, x, y);
      out[out.length - 1] = grown;
    } else {
      out.push([t, x, y]);
    }
  }
  return out;
}

/** A path in the older, single flat array form (a state persisted before chunks) as chunks. */
export function asChunks(p: PathChunks | number[]): PathChunks {
  return p.length > 0 && typeof p[0] === 'number' ? [p as number[]] : (p as PathChunks);
}
