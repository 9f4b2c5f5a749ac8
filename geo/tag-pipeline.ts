import type { AlertCandidate, EpochMs, Fix } from './model';
import { FixPlace } from './detect/place';
import type { Detector, DetectorContext, StepInput } from './detect/types';
import { initialMembership, stepMembership, type MembershipState } from './transition';

/** Everything the pipeline remembers about one tag: plain JSON. */
export interface TagState {
  lastFix: Fix | null;
  membership: MembershipState;
  detectors: Record<string, unknown>;
}

export interface DetectorFailure {
  detector: string;
  error: string;
}

export interface PipelineStep {
  state: TagState;
  alerts: AlertCandidate[];
  entered: string[];
  exited: string[];
  failures: DetectorFailure[];
}

export function initialTagState(): TagState {
  return { lastFix: null, membership: initialMembership(), detectors: {} };
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
): PipelineStep {
  const m = stepMembership(state.membership, fix, ctx.zones, ctx.rules.hysteresis);
  const input: StepInput = {
    fix,
    prev: state.lastFix,
    inside: m.state.inside,
    entered: m.entered,
    exited: m.exited,
    escorted: extra.escorted,
    place: new FixPlace(ctx.zones, fix.floorId, fix.x, fix.y),
  };
  const alerts: AlertCandidate[] = [];
  const failures: DetectorFailure[] = [];
  const detectorStates: Record<string, unknown> = { ...state.detectors };
  for (const d of detectors) {
    if (!d.step) continue;
    try {
      const s = d.name in detectorStates ? detectorStates[d.name] : d.init();
      const r = d.step(s, input, ctx);
      detectorStates[d.name] = r.state;
      if (r.alerts.length) alerts.push(...r.alerts);
    } catch (e) {
      failures.push({ detector: d.name, error: e instanceof Error ? e.message : String(e) });
    }
  }
  return {
    state: { lastFix: fix, membership: m.state, detectors: detectorStates },
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
