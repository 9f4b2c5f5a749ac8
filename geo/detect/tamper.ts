import { candidateAt, NO_ALERTS } from './candidate';
import { ruleReader } from './params';
import type { Detector } from './types';

/** Rule section `tamper`. */
export interface TamperRules {
  enabled: boolean;
  /** Severity for a wander-risk resident: an untracked resident with dementia is an emergency. */
  wanderRiskCritical: boolean;
}

const rulesOf = ruleReader<TamperRules>('tamper');

/** Strap removed / tamper switch (fix.event === 'tamper'). */
export const tamper: Detector<null> = {
  name: 'tamper',
  init: () => null,
  step(state, input, ctx) {
    if (input.fix.event !== 'tamper') return { state, alerts: NO_ALERTS };
    const rules = rulesOf(ctx.rules);
    if (!rules.enabled) return { state, alerts: NO_ALERTS };
    const severity = rules.wanderRiskCritical && ctx.resident.wanderRisk ? 'critical' : 'high';
    const { fix } = input;
    const detail = 'strap removed or tag tampered with';
    return { state, alerts: [candidateAt('tamper', severity, fix, input.inside, fix.ts, ctx, { detail })] };
  },
};
