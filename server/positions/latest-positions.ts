import type { LivePosition } from '../contract';
import type { Registry } from '../registry';
import type { AcceptedFix, FixSink } from '../sinks';

/** What REST and realtime ask of the latest positions. */
export interface PositionReader {
  positionOf(residentId: string): LivePosition | null;
}

interface Newest {
  floorId: string;
  x: number;
  y: number;
  ts: number;
}

/**
 * Each resident's latest accepted position: the REST position endpoint, a family member's live view
 * and `resident:locate` all read it here. A fix sink, fed before the workers see the fix.
 */
export class LatestPositions implements FixSink, PositionReader {
  readonly name = 'latest-positions';
  private readonly newest = new Map<string, Newest>();

  constructor(private readonly registry: Pick<Registry, 'residents' | 'frame'>) {}

  onFixes(fixes: readonly AcceptedFix[]): void {
    for (const { fix, resident } of fixes) {
      const p = this.newest.get(resident.id);
      if (p) {
        p.floorId = fix.floorId;
        p.x = fix.x;
        p.y = fix.y;
        p.ts = fix.ts;
      } else this.newest.set(resident.id, { floorId: fix.floorId, x: fix.x, y: fix.y, ts: fix.ts });
    }
  }

  positionOf(residentId: string): LivePosition | null {
    const p = this.newest.get(residentId);
    const resident = this.registry.residents.get(residentId);
    if (!p || !resident) return null;
    const [lon, lat] = this.registry.frame(resident.siteId)?.toLngLat(p.x, p.y) ?? [NaN, NaN];
    return { residentId, siteId: resident.siteId, floorId: p.floorId, x: round2(p.x), y: round2(p.y), lon, lat, ts: p.ts };
  }
}

const round2 = (v: number) => Math.round(v * 100) / 100;
