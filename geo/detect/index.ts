import type { Detector } from './types';
import { exitApproach } from './exit-approach';
import { leftSafeZone } from './left-safe-zone';
import { forbiddenZone } from './forbidden-zone';
import { leftArea } from './left-area';

/**
 * Every detector, in the order they run for each fix and each tick. This list is the only place
 * the order is set: the most urgent first, so a detector that throws cannot delay them.
 */
export const DETECTORS: readonly Detector<any>[] = [exitApproach, leftArea, forbiddenZone, leftSafeZone];
