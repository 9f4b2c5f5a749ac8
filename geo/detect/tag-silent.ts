import type { EpochMs } from '../model';
import { candidateAt, clearedAtFix, NO_ALERTS } from './candidate';
import { ruleReader } from './params';
import type { Detector } from './types';

/** Rule section `tagSilent`. */
export interface TagSilentRules {
  enabled: boolean;
  /** No fix for this long, seconds. */
  seconds: number;
}

const rulesOf = ruleReader<TagSilentRules>('tagSilent');

export interface TagSilentState {
  /** Newest fix seen, its time and place. */
  lastTs: EpochMs | null;
  floorId: string;
  x: number;
  y: number;
  inside: string[];
  silent: boolean;
}

/** Whether two id lists are the same, in order (states are immutable: an unchanged list is shared, not copied). */
function sameIds(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Silent tag: no fix for `seconds`, found by the tick (missing data). For a wander-risk resident this is
 * itself urgent (critical), else high. The next fix clears it.
 */
export const tagSilent: Detector<TagSilentState> = {
  name: 'tag-silent',
  init: () => ({ lastTs: null, floorId: '', x: 0, y: 0, inside: [], silent: false }),
  step(state, input, ctx) {
    const { fix } = input;
    const newer = state.lastTs === null || fix.ts >= state.lastTs;
    const next: TagSilentState = newer
      ? { lastTs: fix.ts, floorId: fix.floorId, x: fix.x, y: fix.y, inside: sameIds(state.inside, input.inside) ? state.inside : [...input.inside], silent: false }
      : { ...state, silent: false };
    if (!state.silent) return { state: next, alerts: NO_ALERTS };
    const severity = ctx.resident.wanderRisk ? 'critical' : 'high';
    return clearedAtFix(next, true, 'tag_silent', severity, 'tag reporting again', input, ctx);
  },
  tick(state, input, ctx) {
    const rules = rulesOf(ctx.rules);
    if (!rules.enabled || state.silent) return { state, alerts: NO_ALERTS };
    let s = state;
    // The server may know of a fix this detector missed (state restored from an older snapshot).
    const lf = input.lastFix;
    if (lf && (s.lastTs === null || lf.ts > s.lastTs)) {
      s = { ...s, lastTs: lf.ts, floorId: lf.floorId, x: lf.x, y: lf.y, inside: [...input.inside] };
    }
    if (s.lastTs === null || input.now - s.lastTs < rules.seconds * 1000) return { state: s, alerts: NO_ALERTS };
    const silentS = Math.round((input.now - s.lastTs) / 1000);
    const severity = ctx.resident.wanderRisk ? 'critical' : 'high';
    const detail = `no fix for ${silentS} s; last seen here`;
    return {
      state: { ...s, silent: true },
      alerts: [candidateAt('tag_silent', severity, s, s.inside, input.now, ctx, { detail })],
    };
  },
};
