import type { Fix } from '../../geo/model';
import type { FloorFrame, FrameItem } from '../contract';
import type { AcceptedFix, FixSink } from '../sinks';

/**
 * Latest position per resident per floor, and what changed since the last frame. Viewers get
 * at most `hz` frames a second per floor whatever the fix rate, so a floor of 60 tags at 10 Hz
 * costs each viewer 4 small messages a second, not 600.
 */
export class FloorFrames implements FixSink {
  readonly name = 'live-map-frames';
  private readonly latest = new Map<string, Map<string, FrameItem>>();
  private readonly dirty = new Map<string, Set<string>>();
  private readonly gone = new Map<string, Set<string>>();
  private readonly floorOf = new Map<string, string>();

  onFixes(fixes: readonly AcceptedFix[]): void {
    for (const a of fixes) this.update(a.resident.id, a.fix);
  }

  update(residentId: string, fix: Fix): void {
    const prevFloor = this.floorOf.get(residentId);
    if (prevFloor !== undefined && prevFloor !== fix.floorId) {
      this.latest.get(prevFloor)?.delete(residentId);
      this.dirty.get(prevFloor)?.delete(residentId);
      setOf(this.gone, prevFloor).add(residentId);
    }
    this.floorOf.set(residentId, fix.floorId);
    let floor = this.latest.get(fix.floorId);
    if (!floor) this.latest.set(fix.floorId, (floor = new Map()));
    floor.set(residentId, { r: residentId, x: round2(fix.x), y: round2(fix.y), ts: fix.ts });
    setOf(this.dirty, fix.floorId).add(residentId);
    this.gone.get(fix.floorId)?.delete(residentId);
  }

  full(floorId: string, now: number): FloorFrame {
    return { floorId, t: now, full: true, items: [...(this.latest.get(floorId)?.values() ?? [])], gone: [] };
  }

  /** Frames for every floor with changes since the last call; clears the change sets. */
  cut(now: number): FloorFrame[] {
    const frames: FloorFrame[] = [];
    const floors = new Set([...this.dirty.keys(), ...this.gone.keys()]);
    for (const floorId of floors) {
      const d = this.dirty.get(floorId);
      const g = this.gone.get(floorId);
      if ((!d || d.size === 0) && (!g || g.size === 0)) continue;
      const latest = this.latest.get(floorId);
      const items = d ? [...d].map((r) => latest!.get(r)!).filter(Boolean) : [];
      frames.push({ floorId, t: now, full: false, items, gone: g ? [...g] : [] });
      d?.clear();
      g?.clear();
    }
    return frames;
  }
}

function setOf(m: Map<string, Set<string>>, k: string): Set<string> {
  let s = m.get(k);
  if (!s) m.set(k, (s = new Set()));
  return s;
}

const round2 = (v: number) => Math.round(v * 100) / 100;
