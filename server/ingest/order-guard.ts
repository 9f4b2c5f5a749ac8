import type { Fix } from '../../geo/model';
import type { Refusal } from './fix-validation';

export interface OrderLimits {
  /** Faster than this between two fixes on one floor is a positioning glitch, m/s. */
  maxIndoorSpeed: number;
  maxOutdoorSpeed: number;
  /** Jumps accepted anyway after this many in a row: the tag really is somewhere else. */
  jumpStreakLimit: number;
}

interface LastFix {
  ts: number;
  floorId: string;
  x: number;
  y: number;
  jumps: number;
}

/**
 * Each tag's fixes in time order, each once, and no teleporting: a fix at the same time as the
 * tag's last accepted one is a `duplicate`, an earlier one `out_of_order`, and one further away on
 * the same floor than the speed limit allows (its own accuracy granted) an `impossible_jump`,
 * unless the jumps keep coming: then the tag really is somewhere else and the fix is accepted.
 */
export class OrderGuard {
  private readonly last = new Map<string, LastFix>();

  constructor(
    private readonly limits: OrderLimits,
    private readonly isOutdoor: (floorId: string) => boolean,
  ) {}

  /** Null admits the fix and makes it the tag's latest. Feed each tag's fixes in time order. */
  admit(fix: Fix): Refusal | null {
    const prev = this.last.get(fix.tagId);
    if (prev) {
      if (fix.ts === prev.ts) return { code: 'duplicate', reason: `duplicate of the fix at ${new Date(fix.ts).toISOString()}` };
      if (fix.ts < prev.ts) return { code: 'out_of_order', reason: `older than the tag's last fix (${new Date(prev.ts).toISOString()})` };
      if (prev.floorId === fix.floorId) {
        const dt = (fix.ts - prev.ts) / 1000;
        const d = Math.hypot(fix.x - prev.x, fix.y - prev.y);
        const vmax = this.isOutdoor(fix.floorId) ? this.limits.maxOutdoorSpeed : this.limits.maxIndoorSpeed;
        // the fix's own accuracy is allowed for, so noisy-but-honest fixes pass
        if (d - fix.accuracy > vmax * dt && prev.jumps + 1 < this.limits.jumpStreakLimit) {
          prev.jumps++;
          return { code: 'impossible_jump', reason: `moved ${d.toFixed(1)} m in ${dt.toFixed(1)} s` };
        }
      }
    }
    this.last.set(fix.tagId, { ts: fix.ts, floorId: fix.floorId, x: fix.x, y: fix.y, jumps: 0 });
    return null;
  }

  /** Forgets the tags' latest fixes (they could not be made durable), so their retry is accepted. */
  forget(fixes: readonly Fix[]): void {
    for (const f of fixes) this.last.delete(f.tagId);
  }
}
