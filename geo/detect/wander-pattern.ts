import type { EpochMs } from '../model';
import { hypot2 } from '../hypot';
import { classifyTravelRecords, type TravelOptions, type TravelPattern } from '../travel-pattern';
import { candidateAt, isEscorted, NO_ALERTS } from './candidate';
import { asChunks, newestT, newestX, newestY, oldestT, slide, type PathChunks } from './path-chunks';
import { nightStart } from './night';
import { ruleReader } from './params';
import { walkPurpose } from './walk-purpose';
import type { Detector, DetectorContext } from './types';

/** Rule section `wanderPattern` (the classifier's options plus the alerting ones). */
export interface WanderPatternRules extends TravelOptions {
  enabled: boolean;
  wanderRiskOnly: boolean;
  /** Sliding window of travel classified, seconds. */
  windowS: number;
  /** Positions are the mean of the fixes of the last this many seconds before the leash filter (jitter). */
  smoothS: number;
  /** No progress for this long ends an episode of travel, seconds. */
  stopS: number;
  /** Classify at most this often, seconds of fix time. */
  evalEveryS: number;
  /** After an alert, none again for this long (the open alert is updated by the server meanwhile), seconds. */
  cooldownS: number;
  /**
   * "Random" travel walked at least this fast (m/s; this much more at night, when a resident has no round
   * to make) with legs between stops at least this straight is walking with a purpose, not wandering.
   */
  purposefulMps: number;
  purposefulNightExtraMps: number;
  purposefulStraightness: number;
}

const rulesOf = ruleReader<WanderPatternRules>('wanderPattern');

export interface WanderPatternState {
  floorId: string;
  /** Last fixes, flat [t, x, y, ...], for smoothing. */
  recent: number[];
  /** The episode's path resampled by distance within the window: [t, x, y, ...] in chunks (path-chunks.ts). */
  pts: PathChunks;
  lastEval: EpochMs;
  /** Time of the newest path point at the last classification: no new point, nothing to classify again. */
  evalPt: EpochMs;
  /** An alert was raised in this episode. */
  alerted: boolean;
  lastAlert: EpochMs | null;
  /**
   * Last classification, for debugging. None is made while it could not raise an alert (one was raised in
   * this episode, or the cooldown runs): the restless walker is the one with the longest path to classify.
   */
  pattern: TravelPattern;
}

const INIT: WanderPatternState = {
  floorId: '',
  recent: [],
  pts: [],
  lastEval: 0,
  evalPt: 0,
  alerted: false,
  lastAlert: null,
  pattern: 'none',
};

const RESTLESS: ReadonlySet<TravelPattern> = new Set(['pacing', 'lapping', 'random']);

/**
 * Wandering pattern: the recent travel of a wander-risk resident classified as direct, pacing, lapping or
 * random (Martino-Saltzman 1991); pacing, lapping and random episodes raise a low-severity "restless" alert
 * naming the pattern. Not while escorted (walking with a nurse is not wandering).
 */
export const wanderPattern: Detector<WanderPatternState> = {
  name: 'wander-pattern',
  init: () => ({ ...INIT }),
  step(state, input, ctx) {
    const rules = rulesOf(ctx.rules);
    const { fix } = input;
    if (!rules.enabled || (rules.wanderRiskOnly && !ctx.resident.wanderRisk) || isEscorted(input)) {
      return { state: isIdle(state) ? state : { ...INIT, lastAlert: state.lastAlert }, alerts: NO_ALERTS };
    }
    const t = fix.ts;
    const sameFloor = fix.floorId === state.floorId;
    // The last smoothS of fixes (always the newest one), averaged: positioning jitter while standing cancels.
    const prevRecent = sameFloor ? state.recent : [];
    const since = t - rules.smoothS * 1000;
    let from = 0;
    while (from < prevRecent.length && prevRecent[from] < since) from += 3;
    const recent = prevRecent.slice(from);
    recent.push(t, fix.x, fix.y);
    let sx = 0;
    let sy = 0;
    for (let i = 0; i < recent.length; i += 3) {
      sx += recent[i + 1];
      sy += recent[i + 2];
    }
    const x = sx / (recent.length / 3);
    const y = sy / (recent.length / 3);
    // The path: a point each time the smoothed position has moved stepM from the last one (a leash).
    let base = sameFloor ? asChunks(state.pts) : [];
    let alerted = sameFloor && state.alerted;
    let append = base.length === 0;
    if (!append && hypot2(x - newestX(base), y - newestY(base)) >= rules.stepM) {
      append = true;
      const lastT = newestT(base);
      if (t - lastT > rules.stopS * 1000) {
        // Standing still long enough ends the episode: the next travel is judged on its own.
        base = [[lastT, newestX(base), newestY(base)]];
        alerted = false;
      }
    }
    // Only the window is kept (at least the newest point).
    const pts = slide(base, t - rules.windowS * 1000, append, t, x, y);
    const s: WanderPatternState = {
      floorId: fix.floorId,
      recent,
      pts,
      lastEval: state.lastEval,
      evalPt: state.evalPt,
      alerted,
      lastAlert: state.lastAlert,
      pattern: state.pattern,
    };
    const newest = newestT(pts);
    if (t - state.lastEval < rules.evalEveryS * 1000 || newest === state.evalPt) return { state: s, alerts: NO_ALERTS };
    s.lastEval = t;
    s.evalPt = newest;
    const cooling = s.lastAlert !== null && t - s.lastAlert < rules.cooldownS * 1000;
    // Nothing to raise whatever the pattern: not classified (the costly part, for the longest paths).
    if (s.alerted || cooling) return { state: s, alerts: NO_ALERTS };
    const { pattern, features } = classifyTravelRecords(pts, rules);
    s.pattern = pattern;
    if (!features || !RESTLESS.has(pattern)) return { state: s, alerts: NO_ALERTS };
    if (pattern === 'random' && isPurposeful(pts, t, rules, ctx)) {
      s.pattern = 'direct';
      return { state: s, alerts: NO_ALERTS };
    }
    const detail =
      `restless: ${pattern} (${features.pathM.toFixed(0)} m in ${((t - oldestT(pts)) / 60_000).toFixed(1)} min, ` +
      `${features.reversals} turn-backs, ${Math.round(features.netTurnDeg)}° net turning)`;
    s.alerted = true;
    s.lastAlert = t;
    return { state: s, alerts: [candidateAt('wander_pattern', 'low', fix, input.inside, t, ctx, { detail })] };
  },
};

/** Brisk, straight legs from stop to stop: a round, however many places it visits. */
function isPurposeful(pts: PathChunks, t: EpochMs, rules: WanderPatternRules, ctx: DetectorContext): boolean {
  const w = walkPurpose(asChunks(pts), PURPOSE_STOP_MS);
  const minMps = rules.purposefulMps + (nightStart(t, ctx) !== null ? rules.purposefulNightExtraMps : 0);
  return w.speedMps >= minMps && w.straightness >= rules.purposefulStraightness;
}

/** A gap this long between path points (a metre apart) is a stop. */
const PURPOSE_STOP_MS = 3_000;

/** The state of a resident not watched: nothing but the time of the last alert. */
function isIdle(s: WanderPatternState): boolean {
  return (
    s.floorId === '' &&
    s.recent.length === 0 &&
    s.pts.length === 0 &&
    s.lastEval === 0 &&
    s.evalPt === 0 &&
    !s.alerted &&
    s.pattern === 'none'
  );
}
