import type { EpochMs, Fix } from '../model';

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

export function updateCharging(s: ChargingState, fix: Fix, moveRadiusM: number, minRisePct = 2): ChargingState {
  const next = { ...s };
  if (next.charging) {
    const radius = moveRadiusM + 2 * Math.max(0, fix.accuracy || 0);
    const beyond = fix.floorId !== next.floorId || Math.hypot(fix.x - next.x, fix.y - next.y) > radius;
    next.away = beyond ? next.away + 1 : 0;
    const dropped = fix.battery !== undefined && next.last !== null && fix.battery < next.last;
    if (next.away >= 3 || dropped) {
      next.charging = false;
      next.away = 0;
      next.low = fix.battery ?? null;
    }
  }
  if (fix.battery !== undefined) {
    next.low = next.low === null ? fix.battery : Math.min(next.low, fix.battery);
    if (!next.charging && fix.battery >= next.low + minRisePct) {
      next.charging = true;
      next.x = fix.x;
      next.y = fix.y;
      next.floorId = fix.floorId;
      next.since = fix.ts;
    }
    next.last = fix.battery;
  }
  return next;
}
