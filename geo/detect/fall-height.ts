import type { EpochMs, Fix } from '../model';
import { candidateAt, inBed, NO_ALERTS } from './candidate';
import {
  floorVerdict,
  initialFloorLevel,
  PLACEMENTS,
  stepFloorLevel,
  type FloorLevelState,
  type FloorParams,
  type FloorVerdict,
  type Placement,
  type Surroundings,
} from './floor-level';
import { ruleReader } from './params';
import { placeOf } from './place';
import type { Detector, DetectorContext, StepInput } from './types';

/** Rule section `fallHeight`. */
export interface FallHeightRules {
  enabled: boolean;
  /** Where the resident wears the tag: chest, belt, wrist or pendant (sets the body proportions used). */
  placement: string;
  /** Several tags: "tagId:placement,tagId:placement" (tags not listed use `placement`). */
  tagPlacements: string;
  /** Low for this long, lying (deep) or sitting on the ground (shallow), before the alert, ms. */
  deepMs: number;
  shallowMs: number;
  /** A floor episode must begin within this long of the tag being clearly above the floor, ms. */
  fromUpMs: number;
  /** Moving faster than this the wearer is walking, not on the floor, m/s. */
  walkMps: number;
}

const rulesOf = ruleReader<FallHeightRules>('fallHeight');

/** Zone uses (Zone.use) of seats where sitting low is normal. */
export const SEAT_USES: ReadonlySet<string> = new Set(['chair', 'sofa', 'armchair', 'seat', 'wheelchair', 'recliner']);

export interface FallHeightState {
  level: FloorLevelState;
  alerted: boolean;
}

export function placementOf(rules: FallHeightRules, tagId: string): Placement {
  for (const pair of rules.tagPlacements.split(',')) {
    const [tag, where] = pair.split(':').map((s) => s.trim());
    if (tag === tagId && (PLACEMENTS as readonly string[]).includes(where)) return where as Placement;
  }
  return (PLACEMENTS as readonly string[]).includes(rules.placement) ? (rules.placement as Placement) : 'belt';
}

export function floorParams(rules: FallHeightRules, tagId: string): FloorParams {
  return { placement: placementOf(rules, tagId), deepMs: rules.deepMs, shallowMs: rules.shallowMs, fromUpMs: rules.fromUpMs, walkMps: rules.walkMps };
}

/** Bed, seats and the own bed's edge around a fix, from its confirmed zones and its own position. */
export function surroundings(input: StepInput, ctx: DetectorContext): Surroundings {
  const here = placeOf(input, ctx.zones).here();
  const bed = inBed(input.inside, ctx) || inBed(here, ctx);
  let seat = false;
  for (const id of here) if (SEAT_USES.has(ctx.zone(id)?.use ?? '')) seat = true;
  const own = ctx.resident.bedZoneId;
  const { fix } = input;
  const nearBed = bed || (own !== null && ctx.zones.near(fix.floorId, fix.x, fix.y, 1, ['bed']).some((z) => z.id === own));
  return { seated: bed || seat, inBed: bed, nearBed };
}

/** One tag's height model after a fix (the fusion of several tags steps each with this). */
export function stepTagLevel(level: FloorLevelState | undefined, input: StepInput, ctx: DetectorContext, rules: FallHeightRules): FloorLevelState {
  const s = level?.v === 2 ? level : initialFloorLevel();
  const { fix } = input;
  if (fix.z === undefined) return s;
  return stepFloorLevel(s, fix.ts, fix.x, fix.y, fix.z, floorParams(rules, fix.tagId), () => surroundings(input, ctx));
}

export function floorDetail(v: FloorVerdict, placement: Placement, since: EpochMs | null, now: EpochMs): string {
  const what = v.lying ? 'lying on the floor' : 'on the floor (sitting or crawling)';
  const forS = since === null ? '' : ` for ${((now - since) / 1000).toFixed(0)} s`;
  return `${what}: ${placement} tag at ${v.level?.toFixed(2)} m against ${v.standing.toFixed(2)} m standing${forS}`;
}

/**
 * Fall, path (c): on the floor by height. The tag's level drops well below its own learned standing level
 * (a fraction set by where it is worn), starting from above the floor, outside the bed and seats, and stays
 * there: lying for `deepMs`, sitting on the ground or crawling for `shallowMs`. Walking clears it.
 */
export const fallHeight: Detector<FallHeightState> = {
  name: 'fall-height',
  init: () => ({ level: initialFloorLevel(), alerted: false }),
  step(state, input, ctx) {
    const { fix } = input;
    if (fix.z === undefined || !Number.isFinite(fix.z)) return { state, alerts: NO_ALERTS };
    const rules = rulesOf(ctx.rules);
    if (!rules.enabled) return { state, alerts: NO_ALERTS };
    const level = stepTagLevel(state.level, input, ctx, rules);
    // A tag on its charger is not on anyone: its height says nothing about the resident.
    if (input.charging) return { state: { level: { ...level, low: null, deep: null }, alerted: false }, alerts: NO_ALERTS };
    const p = floorParams(rules, fix.tagId);
    const v = floorVerdict(level, p, fix.ts);
    if (level.low === null) return { state: { level, alerted: false }, alerts: NO_ALERTS };
    if (!v.floor || state.alerted) return { state: { level, alerted: state.alerted }, alerts: NO_ALERTS };
    return { state: { level, alerted: true }, alerts: [floorAlert(fix, input.inside, ctx, floorDetail(v, p.placement, level.low, fix.ts))] };
  },
};

export function floorAlert(fix: Fix, inside: readonly string[], ctx: DetectorContext, detail: string) {
  return candidateAt('fall', 'critical', fix, inside, fix.ts, ctx, { detail });
}
