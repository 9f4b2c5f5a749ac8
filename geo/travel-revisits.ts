/**
 * Revisits of a walked path: a point near the path walked at least 8 m before (the nearest such point; the
 * later among equals), split by the direction of the two passes. Lapping is told from pacing and random
 * travel by these counts (see travel-pattern.ts).
 */

import { hypot2 } from './hypot';

/** The coordinates of a path's points, oldest first. */
export interface PathXY {
  readonly x: Float64Array;
  readonly y: Float64Array;
}

export interface RevisitCounts {
  revisits: number;
  /** Revisits walked in the same direction as the first pass. */
  same: number;
  /** Revisits walked against the first pass. */
  back: number;
}

/**
 * Grid cells as a hash table of cell coordinates (open addressing): per cell its first and last point.
 * A slot is in use in this pass when its stamp is the pass's: nothing to clear between passes.
 */
let slotX = new Int32Array(512);
let slotY = new Int32Array(512);
let slotHead = new Int32Array(512);
let slotTail = new Int32Array(512);
let slotStamp = new Int32Array(512);
let stamp = 0;
let nextInCell = new Int32Array(512);

/**
 * The revisits among points [s, e) of a path whose bounding box is (x0, y0)-(x1, y1). Points enter a grid of
 * `revisitM` cells once they are `gap` steps old; a query looks at 3 × 3 cells, column by column, each
 * cell's points oldest first.
 */
export function revisitsOf(
  p: PathXY,
  s: number,
  e: number,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  stepM: number,
  revisitM: number,
): RevisitCounts {
  const counts = { revisits: 0, same: 0, back: 0 };
  const gap = Math.max(2, Math.ceil(8 / stepM));
  if (e - s <= gap) return counts;
  const cell = revisitM;
  // Cell coordinates must fit 32 bits for the hash table (they do for any site: 1.5 m cells over 3,000 km);
  // beyond, cells are keyed in a Map.
  const lim = 2 ** 30 * cell;
  const sparse = !(Math.abs(x0) < lim && Math.abs(x1) < lim && Math.abs(y0) < lim && Math.abs(y1) < lim);
  walkGrid(p, s, e, gap, cell, revisitM * revisitM, sparse ? new Map<number, number>() : null, counts);
  return counts;
}

/** Classify the revisit of point i to point `hit` by the directions of the two passes. */
function countRevisit(p: PathXY, s: number, e: number, i: number, hit: number, counts: RevisitCounts): void {
  const { x, y } = p;
  counts.revisits++;
  // Directions of the two passes: from the point before to the point after (within the range).
  const ux = x[Math.min(e - 1, i + 1)] - x[Math.max(s, i - 1)];
  const uy = y[Math.min(e - 1, i + 1)] - y[Math.max(s, i - 1)];
  const vx = x[Math.min(e - 1, hit + 1)] - x[Math.max(s, hit - 1)];
  const vy = y[Math.min(e - 1, hit + 1)] - y[Math.max(s, hit - 1)];
  const c = (ux * vx + uy * vy) / (hypot2(ux, uy) * hypot2(vx, vy) || 1);
  if (c > 0.5) counts.same++;
  else if (c < -0.5) counts.back++;
}

/** The slot of cell (cx, cy) in the hash table, or -1; with `add`, a new slot for it when it has none. */
function hashedSlot(cx: number, cy: number, mask: number, add: boolean): number {
  let h = (Math.imul(cx, 73856093) ^ Math.imul(cy, 19349663)) & mask;
  for (;;) {
    if (slotStamp[h] !== stamp) {
      if (!add) return -1;
      slotStamp[h] = stamp;
      slotX[h] = cx;
      slotY[h] = cy;
      slotHead[h] = -1;
      return h;
    }
    if (slotX[h] === cx && slotY[h] === cy) return h;
    h = (h + 1) & mask;
  }
}

/** The slot of cell (cx, cy) keyed in a Map (cells too far out for 32 bits), or -1; slots are handed out in order. */
function sparseSlot(slots: Map<number, number>, cx: number, cy: number, add: boolean): number {
  const key = cx * 1_000_003 + cy;
  const h = slots.get(key);
  if (h !== undefined) return h;
  if (!add) return -1;
  const fresh = slots.size;
  slots.set(key, fresh);
  slotHead[fresh] = -1;
  return fresh;
}

/**
 * One pass over the range: each point, once `gap` steps old, is appended to its cell's list; each point
 * looks for its nearest older point within r2 in the 3 × 3 cells around it. Work is in proportion to the
 * points, whatever area they cover.
 */
function walkGrid(
  p: PathXY,
  s: number,
  e: number,
  gap: number,
  cell: number,
  r2: number,
  sparse: Map<number, number> | null,
  counts: RevisitCounts,
): void {
  let size = 64;
  while (size < 2 * (e - s)) size *= 2;
  if (slotX.length < size) {
    slotX = new Int32Array(size);
    slotY = new Int32Array(size);
    slotHead = new Int32Array(size);
    slotTail = new Int32Array(size);
    slotStamp = new Int32Array(size);
    stamp = 0;
  }
  if (nextInCell.length < e) nextInCell = new Int32Array(Math.max(e, 2 * nextInCell.length));
  if (!sparse && ++stamp > 0x7fffffff - 1) {
    slotStamp.fill(0);
    stamp = 1;
  }
  const mask = size - 1;
  const head = slotHead;
  const tail = slotTail;
  const next = nextInCell;
  const { x, y } = p;
  for (let i = s + gap; i < e; i++) {
    const j0 = i - gap;
    const cx0 = Math.floor(x[j0] / cell);
    const cy0 = Math.floor(y[j0] / cell);
    const c0 = sparse ? sparseSlot(sparse, cx0, cy0, true) : hashedSlot(cx0, cy0, mask, true);
    next[j0] = -1;
    if (head[c0] < 0) head[c0] = j0;
    else next[tail[c0]] = j0;
    tail[c0] = j0;
    const px = x[i];
    const py = y[i];
    const cx = Math.floor(px / cell);
    const cy = Math.floor(py / cell);
    let hit = -1;
    let bestD = r2;
    for (let gx = cx - 1; gx <= cx + 1; gx++) {
      for (let gy = cy - 1; gy <= cy + 1; gy++) {
        const c = sparse ? sparseSlot(sparse, gx, gy, false) : hashedSlot(gx, gy, mask, false);
        if (c < 0) continue;
        for (let j = head[c]; j >= 0; j = next[j]) {
          const dx = px - x[j];
          const dy = py - y[j];
          const d = dx * dx + dy * dy;
          if (d <= bestD) {
            bestD = d;
            hit = j;
          }
        }
      }
    }
    if (hit >= 0) countRevisit(p, s, e, i, hit, counts);
  }
}
