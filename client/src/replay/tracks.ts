/**
 * Residents' tracks over a replay window: where each one was at any moment, and the paths drawn as fading
 * trails. Stored rows are compressed (a row every 0.5 m moved, at least one a minute while the tag reports, every
 * fix around an alert), so straight-line interpolation between consecutive rows stays within the recorder's
 * tolerance; a longer silence means the tag did not report, and the resident is not drawn through it.
 */
import type { TrackRow } from './types';

/** Longer than the recorder's one-row-a-minute heartbeat: a gap this long means the tag was silent. */
export const MAX_GAP_MS = 90_000;

export interface ResidentTrack {
  residentId: string;
  /** Ascending, one entry per row. */
  ts: number[];
  x: number[];
  y: number[];
  floorId: string[];
}

export interface TrackIndex {
  /** Residents in order of first appearance. */
  residents: ResidentTrack[];
  byId: Record<string, ResidentTrack>;
  /** Floors in order of first appearance. */
  floors: string[];
  firstTs: number | null;
  lastTs: number | null;
}

export interface TrackPoint {
  floorId: string;
  x: number;
  y: number;
  /** ts of the row at or before the moment (of the first row, before the track starts). */
  ts: number;
}

export function buildTracks(rows: readonly TrackRow[]): TrackIndex {
  const grouped = new Map<string, TrackRow[]>();
  const floors: string[] = [];
  const seenFloor = new Set<string>();
  let firstTs: number | null = null;
  let lastTs: number | null = null;
  for (const r of rows) {
    let list = grouped.get(r.residentId);
    if (!list) grouped.set(r.residentId, (list = []));
    list.push(r);
    if (!seenFloor.has(r.floorId)) {
      seenFloor.add(r.floorId);
      floors.push(r.floorId);
    }
    if (firstTs === null || r.ts < firstTs) firstTs = r.ts;
    if (lastTs === null || r.ts > lastTs) lastTs = r.ts;
  }
  const residents: ResidentTrack[] = [];
  const byId: Record<string, ResidentTrack> = {};
  for (const [residentId, list] of grouped) {
    // pages arrive in the store's order; a stable sort keeps a transition after the fix it shares a ms with
    list.sort((a, b) => a.ts - b.ts);
    const t: ResidentTrack = { residentId, ts: [], x: [], y: [], floorId: [] };
    for (const r of list) {
      const n = t.ts.length;
      // two rows of one ms (a fix and its transition): the later wins, the track stays strictly ordered
      if (n && t.ts[n - 1] === r.ts) {
        t.x[n - 1] = r.x;
        t.y[n - 1] = r.y;
        t.floorId[n - 1] = r.floorId;
        continue;
      }
      t.ts.push(r.ts);
      t.x.push(r.x);
      t.y.push(r.y);
      t.floorId.push(r.floorId);
    }
    residents.push(t);
    byId[residentId] = t;
  }
  return { residents, byId, floors, firstTs, lastTs };
}

/** Index of the last entry <= `t`, or -1. */
export function lastAtOrBefore(ts: readonly number[], t: number): number {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/**
 * Where the resident was at `t`: interpolated between the rows around it on one floor, held at the last row for
 * up to `maxGapMs` after it (and shown at the first row up to `maxGapMs` before the track starts, since the window
 * usually opens between two heartbeat rows), and null through a longer silence.
 */
export function positionAt(track: ResidentTrack, t: number, maxGapMs = MAX_GAP_MS): TrackPoint | null {
  const n = track.ts.length;
  if (!n) return null;
  const at = (i: number): TrackPoint => ({ floorId: track.floorId[i], x: track.x[i], y: track.y[i], ts: track.ts[i] });
  const i = lastAtOrBefore(track.ts, t);
  if (i < 0) return track.ts[0] - t <= maxGapMs ? at(0) : null;
  if (i === n - 1 || track.ts[i] === t) return t - track.ts[i] <= maxGapMs ? at(i) : null;
  const t0 = track.ts[i];
  const t1 = track.ts[i + 1];
  if (t1 - t0 > maxGapMs) return t - t0 <= maxGapMs ? at(i) : null;
  // a change of floor happens at the row on the new floor: until then they are on the old one
  if (track.floorId[i] !== track.floorId[i + 1]) return at(i);
  const f = (t - t0) / (t1 - t0);
  return {
    floorId: track.floorId[i],
    x: track.x[i] + (track.x[i + 1] - track.x[i]) * f,
    y: track.y[i] + (track.y[i + 1] - track.y[i]) * f,
    ts: t0,
  };
}

/** One unbroken stretch of a track on one floor, as a TripsLayer draws it. */
export interface TripSegment {
  residentId: string;
  path: [number, number][];
  /** Per vertex, ms after the index's `base` (float32 on the GPU: epoch ms would lose whole seconds). */
  timestamps: number[];
}

const tripCache = new WeakMap<TrackIndex, Map<string, TripSegment[]>>();

/**
 * The stretches of every track on `floorId`, split where the resident changes floor or the tag falls silent.
 * Cached per index and floor, so deck.gl sees the same array and uploads nothing while the replay plays.
 */
export function tripsOnFloor(index: TrackIndex, floorId: string, base: number, maxGapMs = MAX_GAP_MS): TripSegment[] {
  let byFloor = tripCache.get(index);
  if (!byFloor) tripCache.set(index, (byFloor = new Map()));
  const key = `${floorId}@${base}`;
  const cached = byFloor.get(key);
  if (cached) return cached;
  const out: TripSegment[] = [];
  for (const t of index.residents) {
    let seg: TripSegment | null = null;
    for (let i = 0; i < t.ts.length; i++) {
      const onFloor = t.floorId[i] === floorId;
      const gap = i > 0 && t.ts[i] - t.ts[i - 1] > maxGapMs;
      if (seg && (!onFloor || gap)) {
        if (seg.path.length > 1) out.push(seg);
        seg = null;
      }
      if (!onFloor) continue;
      if (!seg) seg = { residentId: t.residentId, path: [], timestamps: [] };
      seg.path.push([t.x[i], t.y[i]]);
      seg.timestamps.push(t.ts[i] - base);
    }
    if (seg && seg.path.length > 1) out.push(seg);
  }
  byFloor.set(key, out);
  return out;
}

/** The floor the resident was on at `t` (their nearest row when `t` falls outside the track); null without rows. */
export function floorAt(track: ResidentTrack | undefined, t: number): string | null {
  if (!track || !track.ts.length) return null;
  const i = lastAtOrBefore(track.ts, t);
  return track.floorId[Math.max(0, i)];
}
