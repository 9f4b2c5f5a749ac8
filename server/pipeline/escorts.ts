import type { Fix } from '../../geo/model';

interface StaffFix {
  x: number;
  y: number;
  ts: number;
}

/**
 * Where staff tags were last seen, per floor, so a resident's fix can be marked escorted when a
 * member of staff is beside them (exit rules stand down: a nurse walking a resident past the door
 * is not a wandering episode). Staff fixes are few; a linear scan of one floor's staff is cheaper
 * than any index.
 */
export class EscortTracker {
  private readonly byFloor = new Map<string, Map<string, StaffFix>>();
  private readonly floorOf = new Map<string, string>();

  constructor(
    /** Staff within this distance escort the resident, metres. */
    private readonly radiusM = 2.5,
    /** A staff fix older than this (by fix time) no longer counts, ms. */
    private readonly maxAgeMs = 5_000,
  ) {}

  updateStaff(fix: Fix): void {
    const prev = this.floorOf.get(fix.tagId);
    if (prev && prev !== fix.floorId) this.byFloor.get(prev)?.delete(fix.tagId);
    this.floorOf.set(fix.tagId, fix.floorId);
    let floor = this.byFloor.get(fix.floorId);
    if (!floor) this.byFloor.set(fix.floorId, (floor = new Map()));
    floor.set(fix.tagId, { x: fix.x, y: fix.y, ts: fix.ts });
  }

  isEscorted(fix: Fix): boolean {
    const floor = this.byFloor.get(fix.floorId);
    if (!floor) return false;
    const r2 = (this.radiusM + fix.accuracy) ** 2;
    for (const s of floor.values()) {
      if (Math.abs(s.ts - fix.ts) > this.maxAgeMs) continue;
      const dx = s.x - fix.x, dy = s.y - fix.y;
      if (dx * dx + dy * dy <= r2) return true;
    }
    return false;
  }
}
