import type { EpochMs, Fix } from '../model';
import { hypot2 } from '../hypot';

/**
 * A tag lying on its charger is not on the resident: rules about the resident's body (inactivity, night
 * rules) must stay quiet. Tags do not report "charging", so it is inferred: the battery level rose by at
 * least `minRisePct` over its lowest recent value (one point up is reading jitter, and treating jitter as
 * charging would silence inactivity for a resident lying still). It ends when the level drops again or the
 * tag moves away from where it was charging.
 */
export interface ChargingState {
  /** Lowest level seen since charging last ended. */
  low: number | null;
  last: number | null;
  charging: boolean;
  /** Where the tag lay when charging was inferred. */
  x: number;
  y: number;
  floorId: string;
  since: EpochMs;
  /** Consecutive fixes beyond the radius while charging. */
  away: number;
}

export function initCharging(): ChargingState {
  return { low: null, last: null, charging: false, x: 0, y: 0, floorId: '', since: 0, away: 0 };
}

/**
 * How far a charging tag may drift (plus twice its accuracy) before it counts as picked up, metres.
 * One radius for every rule: charging is inferred once per fix (geo/tag-step.ts) and handed to
 * the detectors in `StepInput.charging`.
 */
export const CHARGER_RADIUS_M = 1.5;

/** The next charging state; the same object when nothing changed (most fixes: no battery reading, not charging). */
export function updateCharging(s: ChargingState, fix: Fix, moveRadiusM = CHARGER_RADIUS_M, minRisePct = 2): ChargingState {
  if (!s.charging && fix.battery === undefined) return s;
  let { low, last, charging, x, y, floorId, since, away } = s;
  if (charging) {
    const radius = moveRadiusM + 2 * Math.max(0, fix.accuracy || 0);
    const beyond = fix.floorId !== floorId || hypot2(fix.x - x, fix.y - y) > radius;
    away = beyond ? away + 1 : 0;
    const dropped = fix.battery !== undefined && last !== null && fix.battery < last;
    if (away >= 3 || dropped) {
      charging = false;
      away = 0;
      low = fix.battery ?? null;
    }
  }
  if (fix.battery !== undefined) {
    low = low === null ? fix.battery : Math.min(low, fix.battery);
    if (!charging && fix.battery >= low + minRisePct) {
      charging = true;
      x = fix.x;
      y = fix.y;
      floorId = fix.floorId;
      since = fix.ts;
    }
    last = fix.battery;
  }
  if (
    low === s.low &&
    last === s.last &&
    charging === s.charging &&
    x === s.x &&
    y === s.y &&
    floorId === s.floorId &&
    since === s.since &&
    away === s.away
  ) {
    return s;
  }
  return { low, last, charging, x, y, floorId, since, away };
}
