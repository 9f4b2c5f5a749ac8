import type { Detector } from './types';
import { sos } from './sos';
import { fallDevice } from './fall-device';
import { fallAccel } from './fall-accel';
import { fallHeight } from './fall-height';
import { exitApproach } from './exit-approach';
import { leftArea } from './left-area';
import { forbiddenZone } from './forbidden-zone';
import { leftSafeZone } from './left-safe-zone';
import { tamper } from './tamper';
import { tagSilent } from './tag-silent';
import { exitLingering } from './exit-lingering';
import { inactivity } from './inactivity';
import { bathroomLong } from './bathroom-long';
import { outOfBed } from './out-of-bed';
import { wanderPattern } from './wander-pattern';
import { lowBattery } from './low-battery';

/**
 * Every detector, in the order they run for each fix and each tick. This list is the only place
 * the order is set: the most urgent first (SOS, falls, exits), so a detector that throws cannot
 * delay them, and the slow pattern classifier and battery last.
 */
export const DETECTORS: readonly Detector<any>[] = [
  sos,
  fallDevice,
  fallAccel,
  fallHeight,
  exitApproach,
  leftArea,
  forbiddenZone,
  leftSafeZone,
  tamper,
  tagSilent,
  exitLingering,
  inactivity,
  bathroomLong,
  outOfBed,
  wanderPattern,
  lowBattery,
];
