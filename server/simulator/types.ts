import type { AccelSamples, Fix, FixEvent } from '../../geo/model';

/** An indoor RTLS fix as the native ingest accepts it (SPEC §3): the pipeline's Fix, site metres on a floor. */
export type IndoorRawFix = Fix;

/** An outdoor GNSS fix (community residents' trackers). */
export interface OutdoorRawFix {
  tagId: string;
  ts: number;
  lat: number;
  lon: number;
  accuracy: number;
  battery?: number;
  event?: FixEvent;
  /** Present on the fix after the resident moved about: the tracker's accelerometer saw steps. */
  accel?: AccelSamples;
}

export type RawFix = IndoorRawFix | OutdoorRawFix;

export interface SimulatorOptions {
  seed?: number | string;
  /** Indoor fixes per second per tag. Default 1. */
  rateHz?: number;
  /** Interval between outdoor (GNSS) fixes per tag, ms. Default 10 000. */
  outdoorIntervalMs?: number;
  /** First scripted exit-approach episode this long after the first step; negative or Infinity: none. Default 15 000. */
  firstWanderAfterMs?: number;
  /** Then one every this often, rotating through the dementia ward's wander-risk residents; 0: no repeats. Default 180 000. */
  wanderEveryMs?: number;
  /**
   * How long the wanderer paces before heading for the exit, and stands by it. Default 20 000 each, which puts the
   * exit approach well within 60 s of the start; the default wander-pattern (pacing: 3 turns over 25 m) and
   * exit-lingering (60 s) rules want longer, e.g. 60 000 and 70 000, and the first approach then comes later.
   */
  wanderPaceMs?: number;
  wanderLingerMs?: number;
  /**
   * A wander-risk resident (the demo family's relative) who takes every other exit-approach episode (the 2nd, 4th,
   * ...) instead of waiting for their turn in the rotation, so their family sees an alert within minutes.
   */
  familyWanderer?: string | null;
  /**
   * Scripted falls of fall-risk residents (device fall event, accelerometer impact, drop to floor height, stillness),
   * every this often after `firstFallAfterMs`. Default 0: off, so that tests and benchmarks see only the alerts
   * they ask for.
   */
  fallEveryMs?: number;
  /** Default 90 000. */
  firstFallAfterMs?: number;
  /**
   * Report as a real UWB locator does (server/simulator/uwb.ts): each tag at its own uneven 5–9 Hz (rateHz
   * is then ignored for indoor tags), drop-outs, ±0.3 m height noise with a per-tag offset, negative
   * heights and metre outliers. Default false: the clean model tests and benchmarks were written against.
   */
  uwb?: boolean;
  /**
   * Simulate this many synthetic tags on top of the site's residents (load tests). They must exist on the server
   * too: build the site with `withSyntheticTags(site, n)` and hand the same site to both.
   */
  extraTags?: number;
}

export type EpisodeKind = 'exit_approach' | 'fall';

/** A scripted episode, logged so tests and benchmarks know which alerts to expect and when. */
export interface Episode {
  kind: EpisodeKind;
  residentId: string;
  tagId: string;
  floorId: string;
  startTs: number;
  /** exit_approach: when the resident reached the spot next to the exit. fall: the impact. */
  peakTs: number | null;
  /** exit_approach: the exit zone approached. */
  zoneId: string | null;
  /** When the resident is back in ordinary behaviour (seated in the lounge / back in bed); null while running. */
  endTs: number | null;
}
