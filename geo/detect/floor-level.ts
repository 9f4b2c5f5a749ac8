import type { EpochMs } from '../model';

/**
 * One tag's height, learned relative to the person wearing it. UWB z is noisy (±0.3 m), can read below
 * the floor, jumps by metres now and then, and arrives at uneven rates: fixes are pooled into one-second
 * bins (median), and the tag's "level" is the median of the last three bins. Each tag learns its own
 * standing, sitting and lying-in-bed levels. A tag that reads 0.3 m high reads high in every posture, so
 * postures are told by how far the level has dropped below the tag's own standing level (the offset
 * cancels), in fractions of the placement's typical standing height.
 *
 * Everything here is plain JSON, heights in centimetres as integers: a tag's state is about 250 bytes.
 */

export type Placement = 'chest' | 'belt' | 'wrist' | 'pendant';
export const PLACEMENTS: readonly Placement[] = ['chest', 'belt', 'wrist', 'pendant'];

export interface PlacementModel {
  /** Standing height of such a tag, metres: the standing level before any is learned, and the unit of drops. */
  prior: number;
  /** Lying on the floor: dropped at least this fraction of `prior` below standing. */
  deep: number;
  /** Sitting on the ground: at least this (null: the placement cannot tell it from a lap). */
  shallow: number | null;
  /** Crawling: at least this while the position creeps along (nobody walks upright this low; null: not used). */
  crawl: number | null;
}

/**
 * Drops from body proportions, standing height H of the tag: a chest tag drops ~0.25 H on a chair,
 * ~0.33 H on a low chair, 0.32–0.5 H kneeling over something, ~0.55 H sitting on the ground and ~0.88 H
 * lying; a belt tag ~0.4 H, ~0.5 H, 0.4–0.5 H, ~0.83 H and ~0.88 H (a belt cannot tell lying from
 * sitting on the ground: both are lying here). A wrist moves with the arm (on the lap it drops like
 * the ground), so it only tells lying.
 */
export const PLACEMENT_MODELS: Record<Placement, PlacementModel> = {
  chest: { prior: 1.3, deep: 0.69, shallow: 0.42, crawl: null },
  pendant: { prior: 1.2, deep: 0.71, shallow: 0.43, crawl: null },
  belt: { prior: 1.0, deep: 0.7, shallow: 0.66, crawl: 0.3 },
  wrist: { prior: 0.85, deep: 0.7, shallow: null, crawl: null },
};

/** A bin: [second, median z cm, mean x cm, mean y cm, fixes]. */
type Bin = [number, number, number, number, number];
/** A learned level: [cm, bins seen (capped)]. */
type Learned = [number, number];

export interface FloorLevelState {
  /** Shape version: another shape (an older detector's state) starts afresh. */
  v: 2;
  /** The open bin: its second, z values (cm), x and y sums (cm). */
  s: number;
  z: number[];
  x: number;
  y: number;
  /** Closed bins, newest last, at most three. */
  h: Bin[];
  /** Level (cm) after the last closed bin; null before any. */
  lv: number | null;
  st: Learned;
  si: Learned;
  bd: Learned;
  /** Last time (ms) the level was clearly above the floor (0: never): a floor episode starts from there. */
  up: EpochMs;
  /** Since when the level has been low, and since when deep (lying), ms; null when not. */
  low: EpochMs | null;
  deep: EpochMs | null;
  /** Sum of the drops (cm) and bins since `low`: a run kept alive by noise near the line averages short of it. */
  ls: [number, number];
  /** Low enough to be crawling: since when (ms), from where ([x, y] cm), whether it has travelled (1), first bin (s); null when not. */
  cr: [EpochMs, number, number, number, number] | null;
  /** Newest fix time, ms. */
  ts: EpochMs;
}

export function initialFloorLevel(): FloorLevelState {
  return { v: 2, s: -1, z: [], x: 0, y: 0, h: [], lv: null, st: [0, 0], si: [0, 0], bd: [0, 0], up: 0, low: null, deep: null, ls: [0, 0], cr: null, ts: 0 };
}

/** What the surroundings say about a bin, worked out by the caller from zones. */
export interface Surroundings {
  /** In the bed, a chair or a sofa: low is normal there. */
  seated: boolean;
  inBed: boolean;
  /** Within a metre of the own bed (a lying tag's position spreads over the bed's edge). */
  nearBed: boolean;
}

export interface FloorParams {
  placement: Placement;
  /** Sustained low for this long when lying (deep) / sitting on the ground (shallow), ms. */
  deepMs: number;
  shallowMs: number;
  /** A floor episode starts at most this long after the tag was last clearly above the floor, ms. */
  fromUpMs: number;
  /** Faster than this over the bins the person is walking (upright), m/s. */
  walkMps: number;
}

const DROP_BINS_AFTER_S = 15;
/** Weight, in bins, of the placement's prior standing height against the learned one. */
const PRIOR_BINS = 3;
const cm = (m: number) => Math.round(m * 100);

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function learn(l: Learned, value: number, rate: number): Learned {
  const n = Math.min(l[1] + 1, 99);
  const a = Math.max(rate, 1 / n);
  return [Math.round(l[0] + (value - l[0]) * a), n];
}

/** The tag's standing level, metres: the placement's prior until walking has been seen. */
export function standingM(s: FloorLevelState, placement: Placement): number {
  const prior = PLACEMENT_MODELS[placement].prior;
  const [lvl, n] = s.st;
  return n === 0 ? prior : (prior * PRIOR_BINS + (lvl / 100) * n) / (PRIOR_BINS + n);
}

/** The drop (metres) from standing that is "sitting on the ground", or null; larger for someone who sits low. */
export function shallowDropM(s: FloorLevelState, placement: Placement): number | null {
  const m = PLACEMENT_MODELS[placement];
  if (m.shallow === null) return null;
  const line = m.shallow * m.prior;
  if (s.si[1] < 20) return line;
  // Someone who sits low on their own chair gets a deeper line; never beyond lying.
  const sitDrop = standingM(s, placement) - s.si[0] / 100;
  return Math.min(m.deep * m.prior - 0.05, Math.max(line, sitDrop + 0.15 * m.prior));
}

/** Crawling: this far from where the tag went crawling-low, metres. */
const CRAWL_M = 1.0;
const CRAWL_SETTLE_MS = 2_000;
const CRAWL_MIN_FIXES = 3;

/** Mean position of the closed bins, cm. */
function centre(h: Bin[]): [number, number] {
  let x = 0;
  let y = 0;
  for (const b of h) {
    x += b[2];
    y += b[3];
  }
  return [x / h.length, y / h.length];
}

/** Horizontal speed over the closed bins, m/s (0 with fewer than two bins two seconds apart). */
function speedOf(h: Bin[]): number {
  if (h.length < 2) return 0;
  const a = h[0];
  const b = h[h.length - 1];
  const dt = b[0] - a[0];
  return dt >= 2 ? Math.hypot(b[2] - a[2], b[3] - a[3]) / 100 / dt : 0;
}

/**
 * Add one fix's height. Values outside [-1, 3] m are outliers and dropped outright; the rest go through
 * the bins' medians. `where` is asked only when a bin closes (zone lookups are not free).
 */
export function stepFloorLevel(
  s: FloorLevelState,
  ts: EpochMs,
  x: number,
  y: number,
  z: number,
  p: FloorParams,
  where: () => Surroundings,
): FloorLevelState {
  if (!Number.isFinite(z) || z < -1 || z > 3) return s;
  const sec = Math.floor(ts / 1000);
  if (sec === s.s) return { ...s, z: [...s.z, cm(z)], x: s.x + cm(x), y: s.y + cm(y), ts };
  let next: FloorLevelState = s.z.length > 0 && sec > s.s ? closeBin(s, p, where) : s;
  if (sec < s.s) return s; // out of order within the pipeline's tolerance: the bin has moved on
  next = { ...next, s: sec, z: [cm(z)], x: cm(x), y: cm(y), ts };
  return next;
}

function closeBin(s: FloorLevelState, p: FloorParams, where: () => Surroundings): FloorLevelState {
  const n = s.z.length;
  const bin: Bin = [s.s, median(s.z), Math.round(s.x / n), Math.round(s.y / n), n];
  const h = [...s.h, bin].filter((b) => b[0] > s.s - DROP_BINS_AFTER_S).slice(-3);
  const lv = median(h.map((b) => b[1]));
  const at = s.s * 1000;
  const model = PLACEMENT_MODELS[p.placement];
  const unit = model.prior;
  const level = lv / 100;
  const drop = standingM(s, p.placement) - level;
  const speed = speedOf(h);
  const w = where();
  let { st, si, bd, up, low, deep, cr } = s;
  const still = speed < 0.15 && h.length >= 2;
  if (speed >= 0.4 && drop <= 0.3 * unit) st = learn(st, lv, 0.1);
  if (w.inBed && still) bd = learn(bd, lv, 0.05);
  const line = shallowDropM(s, p.placement) ?? model.deep * unit;
  if (!w.inBed && still && drop < line - 0.08 * unit && drop > 0.1 * unit) si = learn(si, lv, 0.05);
  // Lying in bed while the position strays over the bed's edge: the bed's own level, beside it.
  const bedLevel = bd[1] >= 10 && w.nearBed && Math.abs(level - bd[0] / 100) <= 0.12;
  // The run starts at the older low bin of the median: the drop happened at least then.
  const from = h.length >= 2 ? h[h.length - 2][0] * 1000 : at;
  const fromUp = at - up <= p.fromUpMs;
  if (w.seated || bedLevel || speed > p.walkMps) {
    low = null;
    deep = null;
    cr = null;
  } else if (drop >= line) {
    if (low === null && (fromUp || cr !== null)) low = cr?.[3] === 1 ? cr[0] : from;
    if (low !== null && drop >= model.deep * unit) deep ??= at;
    else deep = null;
  } else if (model.crawl !== null && drop >= model.crawl * unit) {
    // Kneeling or a chair drops this far too, but neither travels: crawling does. The start point
    // settles over the first seconds (the bins still hold the last steps of the walk there).
    const c = centre(h);
    // Creeping at 0.1–0.3 m/s shows only in positions averaged over several fixes a second.
    const dense = h.length === 3 && h.every((b) => b[4] >= CRAWL_MIN_FIXES);
    if (cr === null && (fromUp || low !== null)) cr = [low ?? from, Math.round(c[0]), Math.round(c[1]), 0, s.s];
    else if (cr !== null && (s.s - cr[4]) * 1000 <= CRAWL_SETTLE_MS) cr = [cr[0], Math.round(c[0]), Math.round(c[1]), 0, cr[4]];
    else if (cr !== null && dense && Math.hypot(c[0] - cr[1], c[1] - cr[2]) / 100 >= CRAWL_M) {
      low ??= cr[0];
      if (cr[3] === 0) cr = [cr[0], cr[1], cr[2], 1, cr[4]];
    }
    // Until it travels, this band is a seat or a kneel: the run (kept by `cr` from its start) waits.
    if (cr?.[3] !== 1 && drop < line - 0.05 * unit) low = null;
    deep = null;
  } else if (drop < line - 0.05 * unit) {
    low = null;
    deep = null;
  }
  if (model.crawl === null || drop < (model.crawl - 0.05) * unit) cr = null;
  if (drop <= line - 0.15 * unit) up = at;
  const ls: [number, number] = low === null ? [0, 0] : [s.ls[0] + Math.round(drop * 100), s.ls[1] + 1];
  return { ...s, h, lv, st, si, bd, up, low, deep, ls, cr };
}

/** What one tag says about its wearer at `now`. */
export interface FloorVerdict {
  /** On the floor long enough to alert. */
  floor: boolean;
  lying: boolean;
  /** Clearly upright (standing or walking): vetoes another tag's "floor". */
  upright: boolean;
  /** Clearly above the floor (a chair at most): vetoes another tag's "sitting on the ground". */
  above: boolean;
  level: number | null;
  standing: number;
}

export function floorVerdict(s: FloorLevelState, p: FloorParams, now: EpochMs): FloorVerdict {
  const model = PLACEMENT_MODELS[p.placement];
  const standing = standingM(s, p.placement);
  const level = s.lv === null ? null : s.lv / 100;
  const drop = level === null ? 0 : standing - level;
  const line = shallowDropM(s, p.placement) ?? model.deep * model.prior;
  const body = level !== null && p.placement !== 'wrist';
  const upright = body && drop <= 0.2 * model.prior;
  // A belt crawling reads like a seat: only above the crawling band is it clearly off the floor.
  const above = body && drop < (model.crawl !== null ? model.crawl * model.prior : line - 0.1 * model.prior);
  // A wrist reaches the floor whenever the hand does (picking something up): it must stay there longer.
  const hold = p.placement === 'wrist' ? 2 : 1;
  const lying = s.deep !== null && now - s.deep >= p.deepMs * hold && drop >= model.deep * model.prior;
  // The level must still be past the line now, not only in the band that keeps a run alive.
  const mean = s.ls[1] > 0 ? s.ls[0] / s.ls[1] / 100 : 0;
  const crawled = s.cr?.[3] === 1;
  const past = (drop >= line && mean >= line) || crawled;
  // Barely past the line is also how kneeling over something looks: that waits half as long again.
  const clear = crawled || mean >= line + 0.08 * model.prior;
  const floor = lying || (s.low !== null && now - s.low >= p.shallowMs * hold * (clear ? 1 : 1.5) && past);
  return { floor, lying, upright, above, level, standing };
}
