import type { EpochMs } from '../model';
import { classifyTravel, type TravelOptions, type TravelPattern } from '../travel-pattern';
import { candidateAt, isEscorted } from './candidate';
import { ruleSection } from './params';
import type { Detector } from './types';

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
}

export interface WanderPatternState {
  floorId: string;
  /** Last fixes, flat [t, x, y, ...], for smoothing. */
  recent: number[];
  /** The episode's path resampled by distance within the window, flat [t, x, y, ...]. */
  pts: number[];
  lastEval: EpochMs;
  /** Time of the newest path point at the last classification: no new point, nothing to classify again. */
  evalPt: EpochMs;
  /** An alert was raised in this episode. */
  alerted: boolean;
  lastAlert: EpochMs | null;
  /** Last classification, for the evaluation and for debugging. */
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
    const rules = ruleSection<WanderPatternRules>(ctx.rules, 'wanderPattern');
    const { fix } = input;
    if (!rules.enabled || (rules.wanderRiskOnly && !ctx.resident.wanderRisk) || isEscorted(input)) {
      return { state: { ...INIT, lastAlert: state.lastAlert }, alerts: [] };
    }
    const t = fix.ts;
    const sameFloor = fix.floorId === state.floorId;
    const recent = [...(sameFloor ? state.recent : []), t, fix.x, fix.y];
    while (recent.length > 3 && recent[0] < t - rules.smoothS * 1000) recent.splice(0, 3);
    let sx = 0;
    let sy = 0;
    for (let i = 0; i < recent.length; i += 3) {
      sx += recent[i + 1];
      sy += recent[i + 2];
    }
    const x = sx / (recent.length / 3);
    const y = sy / (recent.length / 3);
    let pts = sameFloor ? state.pts : [];
    let alerted = sameFloor && state.alerted;
    const k = pts.length;
    if (k === 0) pts = [t, x, y];
    else if (Math.hypot(x - pts[k - 2], y - pts[k - 1]) >= rules.stepM) {
      if (t - pts[k - 3] > rules.stopS * 1000) {
        // Standing still long enough ends the episode: the next travel is judged on its own.
        pts = [pts[k - 3], pts[k - 2], pts[k - 1]];
        alerted = false;
      }
      pts = [...pts, t, x, y];
    }
    let first = 0;
    while (first < pts.length - 3 && pts[first] < t - rules.windowS * 1000) first += 3;
    if (first > 0) pts = pts.slice(first);
    let s: WanderPatternState = { ...state, floorId: fix.floorId, recent, pts, alerted };
    const newest = pts[pts.length - 3];
    if (t - state.lastEval < rules.evalEveryS * 1000 || newest === state.evalPt) return { state: s, alerts: [] };
    const path: [number, number][] = [];
    for (let i = 0; i < pts.length; i += 3) path.push([pts[i + 1], pts[i + 2]]);
    const { pattern, features } = classifyTravel(path, rules);
    s = { ...s, lastEval: t, evalPt: newest, pattern };
    const cooling = s.lastAlert !== null && t - s.lastAlert < rules.cooldownS * 1000;
    if (!RESTLESS.has(pattern) || s.alerted || cooling) return { state: s, alerts: [] };
    const detail =
      `restless: ${pattern} (${features.pathM.toFixed(0)} m in ${((t - pts[0]) / 60_000).toFixed(1)} min, ` +
      `${features.reversals} turn-backs, ${Math.round(features.netTurnDeg)}° net turning)`;
    return {
      state: { ...s, alerted: true, lastAlert: t },
      alerts: [candidateAt('wander_pattern', 'low', fix, input.inside, t, ctx, { detail })],
    };
  },
};
