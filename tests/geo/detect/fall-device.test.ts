import { describe, expect, it } from 'vitest';
import { fallDevice } from '../../../geo/detect/fall-device';
import { at } from '../../fixtures/timelines/ward';
import { play, stay, walk } from './helpers';

describe('fall reported by the device', () => {
  it('a fall the tag itself reports raises a critical fall alert at its position and zone', () => {
    const { alerts } = play(fallDevice, [...stay(at.bathroom, 0, 4), { at: 5, fix: { x: at.bathroom[0], y: at.bathroom[1], event: 'fall' } }]);
    expect(alerts).toEqual([
      expect.objectContaining({ kind: 'fall', severity: 'critical', at: 5, zoneId: 'r1-bath', floorId: 'F1', position: { x: 13, y: 1 } }),
    ]);
  });

  it('fixes without a fall event, or with another event, raise nothing', () => {
    const { moments } = walk([at.bed, at.bedside, at.door, at.corridor], 0);
    const { alerts } = play(fallDevice, [...moments, { at: 30, fix: { x: 12, y: 7, event: 'sos' } }, { at: 31, fix: { x: 12, y: 7, event: 'tamper' } }]);
    expect(alerts).toEqual([]);
  });

  it('a resident whose rules switch it off gets no device fall alerts', () => {
    const { alerts } = play(fallDevice, [{ at: 0, fix: { x: 12, y: 7, event: 'fall' } }], { rules: { fallDevice: { enabled: false } } });
    expect(alerts).toEqual([]);
  });
});
