import type { Resident } from '../geo/model';
import type { BatchResult, PackedAccel } from '../geo/partition';
import type { WorldData } from '../geo/world';

export interface GeoWorkerInit {
  world: WorldData;
  floorIds: string[];
  tags: { idx: number; tagId: string; residentId: string | null }[];
}

export type ToWorker =
  | { type: 'fixes'; seq: number; data: Float64Array; accel: (PackedAccel | null)[] }
  | { type: 'tick'; seq: number; now: number }
  | { type: 'tag'; idx: number; tagId: string; residentId: string | null; resident?: Resident }
  | { type: 'world'; world: WorldData; floorIds: string[] };

export type FromWorker = { type: 'result'; seq: number; result: BatchResult };
