/**
 * Which fixes become track rows: a pure decision from the last kept point of the tag and facts about
 * the new fix. A replay drawn from the kept rows is within `moveM` of the full track, shows every zone
 * transition and floor change at the fix that confirmed it, and has no gap longer than `maxIntervalMs`
 * while the tag reports. Around an alert the recorder keeps every fix (`fullRate`).
 */

export interface CompressionOptions {
  /** Keep a fix once the tag is this far from its last kept point, indoors (RTLS, ±0.1–1 m), metres. */
  indoorMoveM: number;
  /** ...outdoors (GNSS, ±3–20 m: smaller moves are mostly noise), metres. */
  outdoorMoveM: number;
  /** Keep a fix at least this often while the tag reports, even standing still, ms. */
  maxIntervalMs: number;
}

export const DEFAULT_COMPRESSION: CompressionOptions = { indoorMoveM: 0.5, outdoorMoveM: 10, maxIntervalMs: 60_000 };

export type KeepReason = 'first' | 'floor' | 'transition' | 'event' | 'alert' | 'move' | 'interval';

export interface KeptPoint {
  ts: number;
  floorId: string;
  x: number;
  y: number;
}

export interface FixFacts extends KeptPoint {
  event?: string;
  /** The fix's floor is a site's outdoor level. */
  outdoor: boolean;
  /** Zone membership changed at this fix (entered or exited a zone, hysteresis applied). */
  zonesChanged: boolean;
  /** Inside the full-rate window of an alert. */
  fullRate: boolean;
}

/** Why the fix is worth a row, or null to drop it; the first rule that holds wins. */
export function keepReason(last: KeptPoint | null, f: FixFacts, o: CompressionOptions = DEFAULT_COMPRESSION): KeepReason | null {
  if (!last) return 'first';
  if (f.floorId !== last.floorId) return 'floor';
  if (f.zonesChanged) return 'transition';
  if (f.event) return 'event';
  if (f.fullRate) return 'alert';
  const dx = f.x - last.x;
  const dy = f.y - last.y;
  const m = f.outdoor ? o.outdoorMoveM : o.indoorMoveM;
  if (dx * dx + dy * dy >= m * m) return 'move';
  if (f.ts - last.ts >= o.maxIntervalMs) return 'interval';
  return null;
}
