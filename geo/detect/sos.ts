import type { Fix } from '../model';
import { candidateAt, NO_ALERTS } from './candidate';
import { ruleReader } from './params';
import type { Detector } from './types';

/** Rule section `sos`. */
export interface SosRules {
  enabled: boolean;
  /** Treat the tag's generic button ('button' event) as SOS too (tags whose only button is the call button). */
  buttonIsSos: boolean;
}

const rulesOf = ruleReader<SosRules>('sos');

function hasPosition(f: Fix): boolean {
  return Boolean(f.floorId) && Number.isFinite(f.x) && Number.isFinite(f.y);
}

/** SOS button: immediate, critical, at the fix's position (or the last known one if the press came without). */
export const sos: Detector<null> = {
  name: 'sos',
  init: () => null,
  step(state, input, ctx) {
    const { fix, prev } = input;
    if (fix.event === undefined) return { state, alerts: NO_ALERTS }; // most fixes: no button pressed
    const rules = rulesOf(ctx.rules);
    const pressed = fix.event === 'sos' || (fix.event === 'button' && rules.buttonIsSos);
    if (!rules.enabled || !pressed) return { state, alerts: NO_ALERTS };
    const where = hasPosition(fix) || !prev ? fix : prev;
    const detail = fix.event === 'sos' ? 'SOS button pressed' : 'call button pressed';
    return { state, alerts: [candidateAt('sos', 'critical', where, input.inside, fix.ts, ctx, { detail })] };
  },
};
