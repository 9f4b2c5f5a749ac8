import type { AlertCandidate, Fix, FixEvent, Resident } from './model';
import { FIX_EVENTS } from './model';
import { DETECTORS } from './detect';
import type { Detector } from './detect/types';
import { initialTagState, processFix, processTick, type TagState } from './tag-step';
import { World, type WorldData } from './world';

/**
 * Fixes cross to a worker as one Float64Array, FIX_STRIDE numbers per fix, so a batch is a
 * single transferable buffer rather than thousands of cloned objects.
 */
export const FIX_STRIDE = 11;
export const F = { tag: 0, floor: 1, x: 2, y: 3, z: 4, accuracy: 5, ts: 6, battery: 7, event: 8, accel: 9, escorted: 10 } as const;

/** Accelerometer samples of one fix: [hz, x0, y0, z0, x1, ...] in g. */
export type PackedAccel = Float32Array;

export function eventCode(e: FixEvent | undefined): number {
  return e ? FIX_EVENTS.indexOf(e) + 1 : 0;
}

export interface PartitionCandidate {
  tag: number;
  residentId: string;
  candidate: AlertCandidate;
}

/** A confirmed change of zone membership at one fix of a tag: history records it as it is, not again. */
export interface PartitionZoneChange {
  tag: number;
  ts: number;
  entered: readonly string[];
  exited: readonly string[];
}

export interface BatchResult {
  alerts: PartitionCandidate[];
  transitions: number;
  /** Only fixes where membership changed (most fixes change nothing). */
  zoneChanges: PartitionZoneChange[];
  failures: { tag: number; detector: string; error: string }[];
  /** time spent in membership + detectors, ms */
  busyMs: number;
}

interface TagSlot {
  tagId: string;
  residentId: string | null;
  state: TagState;
}

/**
 * The tags one worker owns and their state. Each tag's fixes arrive here in order (the server
 * partitions by tag), so every tag is processed serially without locks.
 */
export class Partition {
  private world: World;
  private readonly tags = new Map<number, TagSlot>();

  constructor(
    data: WorldData,
    private floorIds: readonly string[],
    private readonly detectors: readonly Detector<any>[] = DETECTORS,
    private readonly now: () => number = () => 0,
  ) {
    this.world = new World(data);
  }

  /**
   * The configuration changed (a zone edited, a site added): rebuild the world. Floor indices only
   * grow (`floorIds` keeps the old ones in place), and every tag keeps its detector state.
   */
  setWorld(data: WorldData, floorIds: readonly string[]): void {
    this.world = new World(data);
    this.floorIds = floorIds;
  }

  addTag(idx: number, tagId: string, residentId: string | null, resident?: Resident): void {
    if (resident) this.world.upsertResident(resident);
    const prev = this.tags.get(idx);
    this.tags.set(idx, { tagId, residentId, state: prev?.state ?? initialTagState() });
  }

  processBatch(data: Float64Array, accel: readonly (PackedAccel | null)[]): BatchResult {
    const t0 = this.now();
    const out: BatchResult = { alerts: [], transitions: 0, zoneChanges: [], failures: [], busyMs: 0 };
    for (let o = 0; o + FIX_STRIDE <= data.length; o += FIX_STRIDE) {
      const tag = data[o + F.tag];
      const slot = this.tags.get(tag);
      if (!slot || !slot.residentId) continue;
      const ctx = this.world.context(slot.residentId);
      if (!ctx) continue;
      const fix = decodeFix(data, o, slot.tagId, this.floorIds, accel);
      const r = processFix(slot.state, fix, ctx, this.detectors, { escorted: data[o + F.escorted] === 1 });
      slot.state = r.state;
      const changed = r.entered.length + r.exited.length;
      if (changed > 0) {
        out.transitions += changed;
        out.zoneChanges.push({ tag, ts: fix.ts, entered: r.entered, exited: r.exited });
      }
      for (const c of r.alerts) out.alerts.push({ tag, residentId: slot.residentId, candidate: c });
      for (const f of r.failures) out.failures.push({ tag, ...f });
    }
    out.busyMs = this.now() - t0;
    return out;
  }

  tick(now: number): BatchResult {
    const t0 = this.now();
    const out: BatchResult = { alerts: [], transitions: 0, zoneChanges: [], failures: [], busyMs: 0 };
    for (const [tag, slot] of this.tags) {
      if (!slot.residentId) continue;
      const ctx = this.world.context(slot.residentId);
      if (!ctx) continue;
      const r = processTick(slot.state, now, ctx, this.detectors);
      slot.state = r.state;
      for (const c of r.alerts) out.alerts.push({ tag, residentId: slot.residentId, candidate: c });
      for (const f of r.failures) out.failures.push({ tag, ...f });
    }
    out.busyMs = this.now() - t0;
    return out;
  }
}

function decodeFix(
  d: Float64Array,
  o: number,
  tagId: string,
  floorIds: readonly string[],
  accel: readonly (PackedAccel | null)[],
): Fix {
  const fix: Fix = {
    tagId,
    ts: d[o + F.ts],
    floorId: floorIds[d[o + F.floor]],
    x: d[o + F.x],
    y: d[o + F.y],
    accuracy: d[o + F.accuracy],
  };
  const z = d[o + F.z];
  if (!Number.isNaN(z)) fix.z = z;
  const battery = d[o + F.battery];
  if (!Number.isNaN(battery)) fix.battery = battery;
  const ev = d[o + F.event];
  if (ev > 0) fix.event = FIX_EVENTS[ev - 1];
  const a = d[o + F.accel];
  if (a >= 0 && accel[a]) fix.accel = unpackAccel(accel[a]!);
  return fix;
}

export function packAccel(hz: number, samples: readonly (readonly [number, number, number])[]): PackedAccel {
  const a = new Float32Array(1 + samples.length * 3);
  a[0] = hz;
  samples.forEach((s, i) => {
    a[1 + 3 * i] = s[0];
    a[2 + 3 * i] = s[1];
    a[3 + 3 * i] = s[2];
  });
  return a;
}

function unpackAccel(a: PackedAccel): Fix['accel'] {
  const samples: [number, number, number][] = [];
  for (let i = 1; i + 2 < a.length; i += 3) samples.push([a[i], a[i + 1], a[i + 2]]);
  return { hz: a[0], samples };
}
