import type { RuleOverrides, RuleParams } from './model';

/** Defaults for every rule; a site's `rules` and then a resident's `rules` override any leaf. */
const DEFAULTS = {
  hysteresis: {
    minMarginM: 0.5,
    // devices report about one sigma: two of them cover ~95% of the noise
    accuracyFactor: 2,
    maxMarginM: 25,
    minFixes: 3,
    dwellMs: 2_000,
  },
  exitApproach: { radiusM: 3, wanderRiskOnly: true },
  // grace covers a floor change (ward -> lift -> garden) before the next safe zone is confirmed
  leftSafeZone: { enabled: true, graceMs: 3_000 },
  forbiddenZone: { enabled: true, allResidents: false },
  leftArea: { enabled: true },
  // Safety detections (falls, night, SOS, device health, wandering patterns): one section per detector.
  fallDevice: { enabled: true },
  fallAccel: {
    enabled: true,
    rateHz: 50,
    impactG: 2.0,
    postureChangeDeg: 60,
    stillSdG: 0.15,
    preFromMs: 3_000,
    preToMs: 1_500,
    postStartMs: 1_000,
    postEndMs: 2_500,
    maxClusterMs: 3_000,
    // In bed a posture change is turning over: only a hard impact (out of bed onto the floor) counts there.
    bedImpactG: 3.0,
  },
  fallHeight: {
    enabled: true,
    placement: 'belt',
    tagPlacements: '',
    deepMs: 5_000,
    shallowMs: 10_000,
    fromUpMs: 120_000,
    walkMps: 0.6,
  },
  sos: { enabled: true, buttonIsSos: false },
  tamper: { enabled: true, wanderRiskCritical: false },
  lowBattery: { enabled: true, lowPct: 15, clearPct: 25 },
  tagSilent: { enabled: true, seconds: 120 },
  // A resident's own night (e.g. goes to bed at 20:00); empty: the site's night window.
  nightWindow: { start: '', end: '' },
  outOfBed: { enabled: true, minutes: 20 },
  bathroomLong: { enabled: true, minutes: 15, nightOnly: true },
  inactivity: {
    enabled: true,
    nightMinutes: 20,
    dayMinutes: 60,
    dayForFallRisk: true,
    dayForAll: false,
    moveRadiusM: 1.0,
    moveFixes: 3,
    activitySdG: 0.05,
  },
  exitLingering: { enabled: true, radiusM: 3, dwellS: 60, leaveMarginM: 1, wanderRiskOnly: true },
  wanderPattern: {
    enabled: true,
    wanderRiskOnly: true,
    windowS: 600,
    smoothS: 2.5,
    stopS: 30,
    evalEveryS: 5,
    cooldownS: 600,
    purposefulMps: 0.95,
    purposefulNightExtraMps: 0.2,
    purposefulStraightness: 0.55,
    stepM: 1,
    minPathM: 25,
    turnDeg: 50,
    minReversals: 3,
    reversalM: 1.5,
    maxLateralM: 0.7,
    maxEndSpreadM: 1.5,
    lapTurnDeg: 450,
    lapRevisit: 0.25,
    lapSameShare: 0.75,
    revisitM: 1.5,
    randomMinPathM: 28,
    randomRevisit: 0.12,
    randomExtentRatio: 3,
    maxRetraceShare: 0.75,
    randomTurnsPer10M: 0.8,
  },
} satisfies RuleParams;

/** The rule sections there are: a detector names its section with one of these (a typo does not compile). */
export type RuleSectionName = keyof typeof DEFAULTS;

export const DEFAULT_RULES: RuleParams = DEFAULTS;

/** Merge overrides leaf by leaf; unknown sections are kept so detectors added later can read them. */
export function mergeRules(base: RuleParams, ...overrides: (RuleOverrides | undefined)[]): RuleParams {
  const out: Record<string, Record<string, number | boolean | string>> = {};
  for (const [section, values] of Object.entries(base)) out[section] = { ...values };
  for (const o of overrides) {
    if (!o) continue;
    for (const [section, values] of Object.entries(o)) {
      if (!values) continue;
      out[section] = { ...(out[section] ?? {}), ...(values as Record<string, number | boolean | string>) };
    }
  }
  return out as unknown as RuleParams;
}
