/**
 * "On the floor" episodes as a real UWB locator reports them (server/simulator/uwb.ts: 5–9 Hz per tag at
 * uneven intervals, drop-outs, ±0.3 m height noise, a per-tag offset, negative heights, metre outliers),
 * for one to two tags per resident worn at the chest, belt, wrist or as a pendant. Heights come from body
 * proportions per posture, drawn per person and episode.
 */
import { fallHeight } from '../../geo/detect/fall-height';
import { fuseFloor, type TagLevel } from '../../geo/detect/floor-fusion';
import type { FallHeightState } from '../../geo/detect/fall-height';
import type { FloorParams, Placement } from '../../geo/detect/floor-level';
import type { AlertCandidate, Fix, Resident, Site } from '../../geo/model';
import { DEFAULT_RULES } from '../../geo/rules';
import { initialTagState, processFix, type TagState } from '../../geo/tag-step';
import { UWB_DEFAULTS, UwbTag } from '../../server/simulator/uwb';
import { FLOOR, LOUNGE, ROOMS, room, scenarioResident, scenarioSite, type RoomGeometry } from './floor';
import { Track, type P } from './motion';
import { Rng } from '../../geo/rng';
import { scenarioWorld } from './run';
import { localTime } from './episodes';

export type Posture = 'standing' | 'chair' | 'low-chair' | 'bed' | 'floor-lying' | 'floor-sitting' | 'kneeling' | 'crawling';

/** Height of a tag in a posture as a fraction of its standing height ([lo, hi] drawn per episode). */
const FRACTION: Record<Placement, Partial<Record<Posture, [number, number]>>> = {
  chest: { chair: [0.72, 0.8], 'low-chair': [0.63, 0.7], 'floor-sitting': [0.4, 0.5], kneeling: [0.5, 0.68], crawling: [0.33, 0.42] },
  belt: { chair: [0.55, 0.65], 'low-chair': [0.47, 0.53], 'floor-sitting': [0.12, 0.22], kneeling: [0.5, 0.62], crawling: [0.5, 0.6] },
  pendant: { chair: [0.7, 0.78], 'low-chair': [0.62, 0.68], 'floor-sitting': [0.38, 0.48], kneeling: [0.45, 0.6], crawling: [0.25, 0.38] },
  wrist: { chair: [0.6, 0.8], 'low-chair': [0.55, 0.7], 'floor-sitting': [0.1, 0.3], kneeling: [0.05, 0.4], crawling: [0.02, 0.1] },
};
/** Lying: absolute heights above the floor or the mattress, metres. */
const LYING: Record<Placement, [number, number]> = { chest: [0.1, 0.2], belt: [0.08, 0.15], pendant: [0.08, 0.18], wrist: [0.03, 0.12] };
const STANDING: Record<Placement, [number, number]> = { chest: [1.15, 1.4], belt: [0.9, 1.1], pendant: [1.05, 1.3], wrist: [0.75, 0.95] };

export const FLOOR_TYPES = ['fall then lying', 'fall then sitting on the ground', 'fall then crawling'] as const;
export const NOT_FLOOR_TYPES = ['lying down in bed', 'sitting on a low chair', 'sitting on a chair', 'kneeling to pick something up', 'brisk walk', 'a day: walks, chairs, kneeling', 'a night in bed, turning over'] as const;
export type FloorEpisodeType = (typeof FLOOR_TYPES)[number] | (typeof NOT_FLOOR_TYPES)[number];

export const TAG_CONFIGS: readonly (readonly Placement[])[] = [['chest'], ['belt'], ['pendant'], ['wrist'], ['chest', 'belt']];

export interface FloorEpisode {
  type: FloorEpisodeType;
  positive: boolean;
  /** The posture reached: lying / sitting (positives only). */
  lying: boolean;
  placements: readonly Placement[];
  site: Site;
  resident: Resident;
  fixes: Fix[];
  t0: number;
  t1: number;
  onset: number;
  /** True heights at the onset's posture, per tag, for the timeline tests. */
  inBed: boolean;
}

interface Stage {
  at: number;
  posture: Posture;
  /** Transition into it, ms. */
  rampMs: number;
}

/** The true height of each placement over time: postures with ramps between them, a bob while walking. */
class Body {
  private readonly stand: Record<Placement, number>;
  private readonly frac = new Map<string, number>();
  private readonly bedTop: number;
  constructor(
    private readonly rng: Rng,
    private readonly stages: Stage[],
    private readonly track: Track,
  ) {
    const s = (p: Placement) => rng.range(...STANDING[p]);
    this.stand = { chest: s('chest'), belt: s('belt'), pendant: s('pendant'), wrist: s('wrist') };
    this.bedTop = rng.range(0.45, 0.6);
  }

  private height(p: Placement, posture: Posture, stage: number): number {
    const key = `${p}:${posture}:${stage}`;
    let f = this.frac.get(key);
    if (f === undefined) {
      if (posture === 'standing') f = this.stand[p];
      else if (posture === 'bed') f = this.bedTop + this.rng.range(...LYING[p]);
      else if (posture === 'floor-lying') f = this.rng.range(...LYING[p]);
      else f = this.rng.range(...FRACTION[p][posture]!) * this.stand[p];
      this.frac.set(key, f);
    }
    return f;
  }

  z(p: Placement, t: number): number {
    let k = 0;
    while (k + 1 < this.stages.length && this.stages[k + 1].at <= t) k++;
    const cur = this.stages[k];
    let z = this.height(p, cur.posture, k);
    if (k > 0 && t < cur.at + cur.rampMs) {
      const from = this.height(p, this.stages[k - 1].posture, k - 1);
      z = from + ((z - from) * (t - cur.at)) / cur.rampMs;
    }
    if (this.track.moving(t)) z += Math.sin(t / 90) * (p === 'wrist' ? 0.1 : 0.03);
    else if (p === 'wrist' && cur.posture !== 'floor-lying') z += Math.sin(t / 2300) * 0.08; // hands move
    return z;
  }
}

const anyRoom = (rng: Rng): RoomGeometry => room(rng.pick(['S', 'N'] as const), rng.int(0, ROOMS - 1));

function start(rng: Rng, night: boolean): { site: Site; t0: number } {
  const tz = rng.pick(['Asia/Shanghai', 'Europe/Berlin']);
  const minutes = night ? rng.range(22.5 * 60, 28 * 60) : rng.range(8 * 60, 20 * 60);
  return { site: scenarioSite(tz), t0: localTime('2025-03-12', minutes, tz) };
}

/** A spot on the floor away from beds: the corridor or the middle of a room. */
function floorSpot(rng: Rng, r: RoomGeometry): P {
  return rng.chance(0.5) ? [r.corridor[0] + rng.range(-6, 6), r.corridor[1] + rng.range(-0.4, 0.4)] : [r.bedside[0] + rng.range(0, 0.8), r.door[1] + (r.side === 'S' ? -1 : 1) * rng.range(0.5, 1.5)];
}

function build(rng: Rng, type: FloorEpisodeType, placements: readonly Placement[]): FloorEpisode {
  const night = type === 'a night in bed, turning over' || rng.chance(0.3);
  const { site, t0 } = start(rng, night);
  const r = anyRoom(rng);
  const v = rng.range(0.5, 1.0);
  const stages: Stage[] = [{ at: t0, posture: 'standing', rampMs: 0 }];
  const stage = (at: number, posture: Posture, rampMs: number) => stages.push({ at, posture, rampMs });
  let track = new Track(r.corridor, t0).pause(rng.range(5, 15));
  // A minute of walking first, as a resident who has been up and about (and a tag that has learned standing).
  track.walkPath([[r.corridor[0] + rng.range(-8, 8), r.corridor[1]], r.corridor], v);
  let onset = track.end;
  let positive = false;
  let lying = false;
  let inBed = false;
  switch (type) {
    case 'fall then lying':
    case 'fall then sitting on the ground':
    case 'fall then crawling': {
      positive = true;
      const spot = floorSpot(rng, r);
      track.walk(spot, v);
      onset = track.end + rng.range(0, 500);
      lying = type === 'fall then lying';
      stage(onset, type === 'fall then sitting on the ground' ? 'floor-sitting' : 'floor-lying', rng.range(600, 1200));
      if (type === 'fall then crawling') {
        const c = onset + rng.range(1500, 3000);
        stage(c, 'crawling', 800);
        track.pause((c - track.end) / 1000);
        track.walk([spot[0] + rng.pick([-1, 1]) * rng.range(2, 6), spot[1] + rng.range(-0.3, 0.3)], rng.range(0.1, 0.3));
      }
      track.pause(rng.range(40, 90));
      break;
    }
    case 'lying down in bed': {
      inBed = true;
      track.walkPath([r.door, r.bedside], v).pause(rng.range(2, 6));
      stage(track.end, 'chair', 1500); // sits on the edge of the bed
      track.walk(r.bed, 0.3);
      onset = track.end;
      stage(onset, 'bed', rng.range(2000, 5000));
      track.pause(rng.range(120, 300));
      break;
    }
    case 'sitting on a low chair':
    case 'sitting on a chair': {
      const seat: P = rng.chance(0.5) ? [rng.range(LOUNGE.x0 + 1, LOUNGE.x1 - 1), rng.range(LOUNGE.y0 + 1, LOUNGE.y1 - 1)] : [r.bedside[0], r.door[1] + (r.side === 'S' ? -1.2 : 1.2)];
      track.walk(seat, v);
      onset = track.end;
      stage(onset, type === 'sitting on a chair' ? 'chair' : 'low-chair', rng.range(800, 2500));
      track.pause(rng.range(90, 300));
      stage(track.end, 'standing', 1500);
      track.pause(2).walk(r.corridor, v);
      break;
    }
    case 'kneeling to pick something up': {
      const spot = floorSpot(rng, r);
      track.walk(spot, v);
      onset = track.end;
      stage(onset, 'kneeling', rng.range(800, 1500));
      track.pause(rng.range(2, 5));
      stage(track.end, 'standing', rng.range(800, 1500));
      track.pause(1.5).walk(r.corridor, v);
      break;
    }
    case 'brisk walk': {
      const far: P = [rng.pick([10, 42]), r.corridor[1]];
      track.walkPath([far, r.corridor, far], rng.range(1.1, 1.5));
      break;
    }
    case 'a day: walks, chairs, kneeling':
      track = dayOfActivity(rng, r, track, stages, v);
      break;
    case 'a night in bed, turning over': {
      inBed = true;
      track = new Track(r.bed, t0);
      stages[0] = { at: t0, posture: 'bed', rampMs: 0 };
      for (let t = 0; t < 3600; ) {
        const still = rng.range(120, 900);
        track.pause(still);
        t += still;
        // Turning over: the tag lifts and settles, the position shifts across the mattress.
        stage(track.end, 'chair', 1500);
        stage(track.end + 2500, 'bed', 1500);
        track.walk([r.bed[0] + rng.range(-0.4, 0.4), r.bed[1] + rng.range(-0.5, 0.5)], 0.2);
      }
      break;
    }
  }
  const body = new Body(rng, stages.sort((a, b) => a.at - b.at), track);
  const fixes: Fix[] = [];
  const rules = { fallHeight: { tagPlacements: placements.map((p, i) => `T${i}:${p}`).join(',') } };
  placements.forEach((p, i) => {
    const tag = new UwbTag(rng, UWB_DEFAULTS);
    for (let t = t0 + rng.range(0, 200); t <= track.end; t = tag.nextAfter(t)) {
      const [tx, ty] = track.pos(t);
      const [x, y] = tag.xy(tx, ty);
      fixes.push({ tagId: `T${i}`, ts: Math.round(t), floorId: FLOOR, x, y, z: tag.z(body.z(p, t)), accuracy: 0.3 });
    }
  });
  fixes.sort((a, b) => a.ts - b.ts);
  const resident = scenarioResident(r, { fallRisk: true, rules });
  return { type, positive, lying, placements, site, resident, fixes, t0, t1: track.end, onset, inBed };
}

/** An hour up and about: walks between room, corridor and lounge, chairs (some low), kneeling, standing chats. */
function dayOfActivity(rng: Rng, r: RoomGeometry, track: Track, stages: Stage[], v: number): Track {
  const end = track.end + 3600_000;
  while (track.end < end) {
    const what = rng.pick(['chair', 'low-chair', 'kneeling', 'standing', 'walk'] as const);
    const to: P = rng.chance(0.4) ? [rng.range(LOUNGE.x0 + 1, LOUNGE.x1 - 1), rng.range(LOUNGE.y0 + 1, LOUNGE.y1 - 1)] : floorSpot(rng, r);
    track.walk(to, v);
    if (what === 'walk') continue;
    stages.push({ at: track.end, posture: what, rampMs: rng.range(800, 2000) });
    track.pause(what === 'kneeling' ? rng.range(2, 5) : what === 'standing' ? rng.range(10, 120) : rng.range(60, 900));
    stages.push({ at: track.end, posture: 'standing', rampMs: rng.range(800, 2000) });
    track.pause(2);
  }
  return track;
}

export interface FloorSuiteOptions {
  seed: number;
  /** Episodes per (type, tag configuration). */
  per: number;
  /** Long episodes (an hour each) per tag configuration. */
  long: number;
}

export function generateFloorSuite(o: FloorSuiteOptions): FloorEpisode[] {
  const rng = new Rng(o.seed);
  const out: FloorEpisode[] = [];
  for (const placements of TAG_CONFIGS) {
    for (const type of [...FLOOR_TYPES, ...NOT_FLOOR_TYPES]) {
      const long = type === 'a day: walks, chairs, kneeling' || type === 'a night in bed, turning over';
      for (let i = 0; i < (long ? o.long : o.per); i++) out.push(build(rng, type, placements));
    }
  }
  return out;
}

/** A single episode of a type, for the timeline tests. */
export function floorEpisode(seed: number, type: FloorEpisodeType, placements: readonly Placement[]): FloorEpisode {
  return build(new Rng(seed), type, placements);
}

const FALL_HEIGHT = [fallHeight];

/**
 * Play an episode through the per-tag pipeline (membership hysteresis, then the height detector). One tag:
 * the detector's own alerts, as the product raises them. Several: each tag's learned level, fused per fix.
 */
export function runFloorEpisode(e: FloorEpisode, stateBytes?: number[]): (AlertCandidate & { lying?: boolean })[] {
  const ctx = scenarioWorld(e.site, e.resident).context(e.resident.id)!;
  const states = new Map<string, TagState>();
  const alerts: (AlertCandidate & { lying?: boolean })[] = [];
  const rules = { ...DEFAULT_RULES.fallHeight, ...e.resident.rules?.fallHeight } as unknown as Omit<FloorParams, 'placement'>;
  let fusedAlerted = false;
  for (const f of e.fixes) {
    const r = processFix(states.get(f.tagId) ?? initialTagState(), f, ctx, FALL_HEIGHT);
    if (r.failures.length) throw new Error(`${r.failures[0].detector}: ${r.failures[0].error}`);
    states.set(f.tagId, r.state);
    if (stateBytes) stateBytes.push(JSON.stringify(r.state.detectors['fall-height']).length);
    if (e.placements.length === 1) {
      for (const a of r.alerts) alerts.push({ ...a, lying: a.detail?.startsWith('lying') });
      continue;
    }
    const levels: TagLevel[] = [];
    for (const [tagId, s] of states) {
      const level = (s.detectors['fall-height'] as FallHeightState | undefined)?.level;
      if (level) levels.push({ placement: e.placements[Number(tagId.slice(1))], level });
    }
    const fused = fuseFloor(levels, rules, f.ts);
    const anyLow = levels.some((l) => l.level.low !== null);
    if (fused.floor && !fusedAlerted) {
      fusedAlerted = true;
      alerts.push({ kind: 'fall', severity: 'critical', zoneId: null, floorId: f.floorId, position: { x: f.x, y: f.y }, fixTs: f.ts, lying: fused.lying });
    } else if (!anyLow) fusedAlerted = false;
  }
  return alerts;
}
