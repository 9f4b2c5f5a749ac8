import { DETECTORS } from '../../geo/detect';
import type { Detector } from '../../geo/detect/types';
import type { AlertCandidate, Fix, Resident, RuleOverrides, Site } from '../../geo/model';
import { initialTagState, processFix, processTick } from '../../geo/tag-step';
import { World } from '../../geo/world';
import type { Episode } from './episodes';
import { floorZones } from './floor';

/** The product's detectors, in the product's order (geo/detect/index.ts). */
export const SAFETY_DETECTORS: readonly Detector<any>[] = DETECTORS;

export interface Timed extends AlertCandidate {
  detector?: string;
}

/** A world with the scenario floor and one resident. */
export function scenarioWorld(site: Site, resident: Resident, rules?: RuleOverrides): World {
  return new World({ sites: [{ ...site, rules }], zones: floorZones(), residents: [resident] });
}

/**
 * Play an episode through the real per-tag pipeline (membership hysteresis, then the detectors): fixes in
 * time order, and a tick every `tickMs` as the server's scheduler would send.
 */
export function runEpisode(e: Episode, detectors: readonly Detector<any>[] = SAFETY_DETECTORS, tickMs = 1000): Timed[] {
  const world = scenarioWorld(e.site, e.resident);
  const ctx = world.context(e.resident.id)!;
  let state = initialTagState();
  const alerts: Timed[] = [];
  const fixes: Fix[] = [...e.fixes].sort((a, b) => a.ts - b.ts);
  let i = 0;
  const end = e.t1 + 10_000;
  for (let now = e.t0; now <= end; now += tickMs) {
    while (i < fixes.length && fixes[i].ts <= now) {
      const f = fixes[i++];
      const escorted = e.escortFrom !== undefined && f.ts >= e.escortFrom && f.ts <= (e.escortUntil ?? Infinity);
      const r = processFix(state, f, ctx, detectors, { escorted });
      if (r.failures.length) throw new Error(`${r.failures[0].detector}: ${r.failures[0].error}`);
      state = r.state;
      alerts.push(...r.alerts);
    }
    const t = processTick(state, now, ctx, detectors);
    if (t.failures.length) throw new Error(`${t.failures[0].detector}: ${t.failures[0].error}`);
    state = t.state;
    alerts.push(...t.alerts);
  }
  return alerts;
}
