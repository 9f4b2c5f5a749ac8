import { candidateAt, NO_ALERTS } from './candidate';
import { ruleReader } from './params';
import type { Detector } from './types';

/** Rule section `fallDevice`. */
export interface FallDeviceRules {
  enabled: boolean;
}

const rulesOf = ruleReader<FallDeviceRules>('fallDevice');

/** Fall, path (a): the tag's own fall detection reported it (fix.event === 'fall'). */
export const fallDevice: Detector<null> = {
  name: 'fall-device',
  init: () => null,
  step(state, input, ctx) {
    if (input.fix.event !== 'fall') return { state, alerts: NO_ALERTS };
    const rules = rulesOf(ctx.rules);
    if (!rules.enabled) return { state, alerts: NO_ALERTS };
    const { fix } = input;
    return {
      state,
      alerts: [candidateAt('fall', 'critical', fix, input.inside, fix.ts, ctx, { detail: 'device reported a fall' })],
    };
  },
};
