import { candidateAt } from './candidate';
import { ruleSection } from './params';
import type { Detector } from './types';

/** Rule section `tamper`. */
export interface TamperRules {
  enabled: boolean;
  /** Severity for a wander-risk resident: an untracked resident with dementia is an emergency. */
  wanderRiskCritical: boolean;
}

/** Strap removed / tamper switch (fix.event === 'tamper'). */
export const tamper: Detector<null> = {
  name: 'tamper',
  init: () => null,
  step(state, input, ctx) {
    if (input.fix.event !== 'tamper') return { state, alerts: [] };
    const rules = ruleSection<TamperRules>(ctx.rules, 'tamper');
    if (!rules.enabled) return { state, alerts: [] };
    const severity = rules.wanderRiskCritical && ctx.resident.wanderRisk ? 'critical' : 'high';
    const { fix } = input;
    const detail = 'strap removed or tag tampered with';
    return { state, alerts: [candidateAt('tamper', severity, fix, input.inside, fix.ts, ctx, { detail })] };
  },
};
