import type { EpochMs } from '../model';
import { floorVerdict, type FloorLevelState, type FloorParams, type FloorVerdict, type Placement } from './floor-level';

/** One of a resident's tags as the fusion sees it. */
export interface TagLevel {
  placement: Placement;
  level: FloorLevelState;
}

export interface FusedFloor {
  floor: boolean;
  lying: boolean;
  /** The tag whose verdict decided, for the alert's detail. */
  by: (FloorVerdict & { placement: Placement }) | null;
}

/** A tag silent for longer than this has no say, ms. */
const FRESH_MS = 5_000;

/**
 * Several tags on one resident (chest and belt, a pendant and a wrist band): "on the floor" when one tag
 * says so and no other tag with fresh data contradicts it (lying: no other tag upright; sitting on the
 * ground: no other tag clearly above the floor), or sooner when every fresh tag has been low for the
 * lying time (two tags agreeing is stronger evidence than one alone).
 */
export function fuseFloor(tags: readonly TagLevel[], p: Omit<FloorParams, 'placement'>, now: EpochMs): FusedFloor {
  const fresh = tags.filter((t) => t.level.lv !== null && now - t.level.ts <= FRESH_MS);
  const verdicts = fresh.map((t) => ({ ...floorVerdict(t.level, { ...p, placement: t.placement }, now), placement: t.placement }));
  if (verdicts.length === 0 || verdicts.some((v) => v.upright)) return { floor: false, lying: false, by: null };
  const lying = verdicts.find((v) => v.lying);
  if (lying) return { floor: true, lying: true, by: lying };
  // Sitting on the ground is a smaller drop: another tag that is clearly above the floor (a chest tag on a
  // low chair while the belt tag reads low) says it is a seat.
  const sitting = verdicts.find((v) => v.floor);
  if (sitting && !verdicts.some((v) => v.above)) return { floor: true, lying: false, by: sitting };
  if (fresh.length >= 2 && fresh.every((t) => t.level.low !== null && now - t.level.low >= p.deepMs)) {
    return { floor: true, lying: false, by: verdicts[0] };
  }
  return { floor: false, lying: false, by: null };
}
