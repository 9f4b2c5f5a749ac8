import type { AlertCandidate, EpochMs, Fix } from './model';
import { initCharging, updateCharging, type ChargingState } from './detect/charging';
import { FixPlace } from './detect/place';
import type { Detector, DetectorContext, StepInput } from './detect/types';
import { initialMembership, stepMembership, type MembershipState } from './transition';

/** Everything the tag step remembers about one tag between fixes: plain JSON. */
export interface TagState {
  lastFix: Fix | null;
  /** Whether the tag lies on its charger, inferred once per fix for every detector. */
  charging: ChargingState;
  membership: MembershipState;
  detectors: Record<string, unknown>;
}

export interface DetectorFailure {
  detector: string;
  error: string;
}

export interface TagStep {
  state: TagState;
  alerts: AlertCandidate[];
  entered: string[];
  exited: string[];
  failures: DetectorFailure[];
}

export function initialTagState(): TagState {
  return { lastFix: null, charging: initCharging(), membership: initialMembership(), detectors: {} };
}

/**
 * One accepted fix through zone membership and then every detector, in order. A detector that
 * throws keeps its previous state and is reported; the others still run.
 */
export function processFix(
  state: TagState,
  fix: Fix,
  ctx: DetectorContext,
  detectors: readonly Detector<any>[],
  extra: { escorted?: boolean } = {},
): TagStep {
  const m = stepMembership(state.membership, fix, ctx.zones, ctx.rules.hysteresis);
  const charging = updateCharging(state.charging, fix);
  const input: StepInput = {
    fix,
    prev: state.lastFix,
    inside: m.state.inside,
    entered: m.entered,
    exited: m.exited,
    escorted: extra.escorted,
    charging: charging.charging,
    place: new FixPlace(ctx.zones, fix),
  };
  const alerts: AlertCandidate[] = [];
  const failures: DetectorFailure[] = [];
  // A new record, filled in the list's order (cheaper than copying the old one and overwriting each entry).
  const prevStates = state.detectors;
  const detectorStates: Record<string, unknown> = {};
  let had = 0;
  for (let k = 0; k < detectors.length; k++) {
    const d = detectors[k];
    const name = d.name;
    const prev = prevStates[name];
    const has = prev !== undefined || name in prevStates;
    if (has) had++;
    if (!d.step) {
      if (has) detectorStates[name] = prev;
      continue;
    }
    try {
      const r = d.step(has ? prev : d.init(), input, ctx);
      detectorStates[name] = r.state;
      for (let i = 0; i < r.alerts.length; i++) alerts.push(r.alerts[i]);
    } catch (e) {
      if (has) detectorStates[name] = prev;
      failures.push({ detector: name, error: e instanceof Error ? e.message : String(e) });
    }
  }
  // States of detectors not in this list (another list ran before) are kept as they were.
  let count = 0;
  for (const _ in prevStates) count++;
  if (count > had) for (const key in prevStates) if (!(key in detectorStates)) detectorStates[key] = prevStates[key];
  return {
    state: { lastFix: fix, charging, membership: m.state, detectors: detectorStates },
    alerts,
    entered: m.entered,
    exited: m.exited,
    failures,
  };
}

/** A clock tick for a tag: only detectors of missing data (silence, inactivity, time in a zone). */
export function processTick(
  state: TagState,
  now: EpochMs,
  ctx: DetectorContext,
  detectors: readonly Detector<any>[],
): { state: TagState; alerts: AlertCandidate[]; failures: DetectorFailure[] } {
  const alerts: AlertCandidate[] = [];
  const failures: DetectorFailure[] = [];
  let detectorStates: Record<string, unknown> | null = null;
  const input = { now, lastFix: state.lastFix, inside: state.membership.inside };
  for (const d of detectors) {
    if (!d.tick) continue;
    try {
      const s = d.name in state.detectors ? state.detectors[d.name] : d.init();
      const r = d.tick(s, input, ctx);
      if (r.state !== s) (detectorStates ??= { ...state.detectors })[d.name] = r.state;
      if (r.alerts.length) alerts.push(...r.alerts);
    } catch (e) {
      failures.push({ detector: d.name, error: e instanceof Error ? e.message : String(e) });
    }
  }
  return { state: detectorStates ? { ...state, detectors: detectorStates } : state, alerts, failures };
}
