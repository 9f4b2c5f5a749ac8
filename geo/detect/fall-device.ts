import { candidateAt } from './candidate';
import { ruleSection } from './params';
import type { Detector } from './types';

/** Rule section `fallDevice`. */
export interface FallDeviceRules {
  enabled: boolean;
}

/** Fall, path (a): the tag's own fall detection reported it (fix.event === 'fall'). */
export const fallDevice: Detector<null> = {
  name: 'fall-device',
  init: () => null,
  step(state, input, ctx) {
    if (input.fix.event !== 'fall') return { state, alerts: [] };
    const rules = ruleSection<FallDeviceRules>(ctx.rules, 'fallDevice');
    if (!rules.enabled) return { state, alerts: [] };
    const { fix } = input;
    return {
      state,
      alerts: [candidateAt('fall', 'critical', fix, input.inside, fix.ts, ctx, { detail: 'device reported a fall' })],
    };
  },
};
