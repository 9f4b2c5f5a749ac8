import { candidateAt, clearedAtFix, NO_ALERTS } from './candidate';
import { ruleReader } from './params';
import type { Detector } from './types';

/** Rule section `lowBattery`. */
export interface LowBatteryRules {
  enabled: boolean;
  /** Below this level (%) the alert fires... */
  lowPct: number;
  /** ...and above this one it clears: the gap keeps a level wavering around one threshold from flapping. */
  clearPct: number;
}

const rulesOf = ruleReader<LowBatteryRules>('lowBattery');

export interface LowBatteryState {
  low: boolean;
}

/** Low battery with hysteresis; clears itself once the tag is charged. */
export const lowBattery: Detector<LowBatteryState> = {
  name: 'low-battery',
  init: () => ({ low: false }),
  step(state, input, ctx) {
    const { fix } = input;
    if (fix.battery === undefined) return { state, alerts: NO_ALERTS };
    const rules = rulesOf(ctx.rules);
    if (!rules.enabled) return { state, alerts: NO_ALERTS };
    if (!state.low && fix.battery < rules.lowPct) {
      const detail = `battery ${fix.battery}%`;
      return { state: { low: true }, alerts: [candidateAt('low_battery', 'medium', fix, input.inside, fix.ts, ctx, { detail })] };
    }
    if (state.low && fix.battery > rules.clearPct) {
      return clearedAtFix({ low: false }, true, 'low_battery', 'medium', `battery recovered to ${fix.battery}%`, input, ctx);
    }
    return { state, alerts: NO_ALERTS };
  },
};
