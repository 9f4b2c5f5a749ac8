/**
 * Rows are checked before anything is written, so a batch is refused whole with a clear reason
 * instead of half-written (embedded, across segments) or refused by the database mid-way.
 * Ingest validates fixes earlier; this guards the store's own invariants (finite numbers, ids present).
 */
import type { TrackRow } from './types';

export function checkTrackRows(rows: readonly TrackRow[]): void {
  rows.forEach((r, i) => {
    const bad = (why: string) => new TypeError(`track row ${i}: ${why}`);
    for (const k of ['siteId', 'residentId', 'tagId', 'floorId'] as const) {
      if (typeof r[k] !== 'string' || r[k] === '') throw bad(`${k} must be a non-empty string`);
    }
    if (!Number.isSafeInteger(r.ts) || r.ts < 0 || r.ts > 8.64e15) throw bad('ts must be an integer epoch ms');
    if (!Number.isFinite(r.x) || !Number.isFinite(r.y)) throw bad('x and y must be finite');
    if (r.z !== undefined && !Number.isFinite(r.z)) throw bad('z must be finite when present');
    if (r.kind !== 'fix' && r.kind !== 'transition') throw bad(`kind must be 'fix' or 'transition'`);
    if (r.zoneId !== undefined && typeof r.zoneId !== 'string') throw bad('zoneId must be a string');
    if (r.detail !== undefined && typeof r.detail !== 'string') throw bad('detail must be a string');
  });
}

/** The page size a query asks for, made a whole number from 1 to `max` (`dflt` when it asks for none). */
export function pageLimit(n: number | undefined, dflt: number, max: number): number {
  return Math.min(Math.max(1, Math.floor(n ?? dflt)), max);
}
