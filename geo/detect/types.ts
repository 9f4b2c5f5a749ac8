import type { AlertCandidate, EpochMs, Fix, Floor, Resident, RuleParams, Site, Zone } from '../model';
import type { ZoneIndex } from '../zone-index';
import type { FixPlace } from './place';

/** What a detector sees of one accepted fix, after the zone membership step. */
export interface StepInput {
  fix: Fix;
  /** The previous accepted fix of this tag, or null for the first. */
  prev: Fix | null;
  /** Zone ids the tag is confirmed inside after hysteresis (this floor, plus none of another floor). */
  inside: readonly string[];
  /** Confirmed transitions caused by this fix. */
  entered: readonly string[];
  exited: readonly string[];
  /** A staff tag is within escort distance (exit rules stand down). */
  escorted?: boolean;
  /**
   * The tag lies on its charger, not on the resident (inferred once per fix from its battery,
   * geo/detect/charging.ts): rules about the resident's body stay quiet.
   */
  charging: boolean;
  /**
   * Zone lookups at the fix's own position, shared by the detectors of one fix (the pipeline makes one;
   * without it a detector makes its own through `placeOf`).
   */
  place?: FixPlace;
}

/** What a detector sees on a clock tick (no fix): detectors of missing data. */
export interface TickInput {
  now: EpochMs;
  lastFix: Fix | null;
  inside: readonly string[];
}

/** Read-only world a detector may consult; never I/O, never the clock. */
export interface DetectorContext {
  site: Pick<Site, 'id' | 'timeZone' | 'nightWindow'>;
  resident: Resident;
  /** Site defaults merged with site and resident overrides. */
  rules: RuleParams;
  zones: ZoneIndex;
  zone(id: string): Zone | undefined;
  floor(id: string): Floor | undefined;
}

export interface DetectorResult<S> {
  state: S;
  alerts: AlertCandidate[];
}

/**
 * One detection, one job. State is plain JSON (it may be persisted or moved between workers);
 * time comes only from fixes (`step`) or the tick's `now` (`tick`).
 */
export interface Detector<S = unknown> {
  readonly name: string;
  init(): S;
  step?(state: S, input: StepInput, ctx: DetectorContext): DetectorResult<S>;
  tick?(state: S, input: TickInput, ctx: DetectorContext): DetectorResult<S>;
}
