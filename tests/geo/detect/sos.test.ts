import { describe, expect, it } from 'vitest';
import { sos } from '../../../geo/detect/sos';
import { at } from '../../fixtures/timelines/ward';
import { play, stay } from './helpers';

describe('SOS button', () => {
  it('an SOS press raises a critical alert on that very fix, at its position', () => {
    const { alerts } = play(sos, [...stay(at.lounge, 0, 9), { at: 10, fix: { x: 4, y: 12, event: 'sos' } }]);
    expect(alerts).toEqual([expect.objectContaining({ kind: 'sos', severity: 'critical', at: 10, zoneId: 'lounge', position: { x: 4, y: 12 } })]);
  });

  it('a press that comes without a usable position is placed at the last known one', () => {
    const { alerts } = play(sos, [...stay(at.lounge, 0, 9), { at: 10, fix: { x: Number.NaN, y: Number.NaN, event: 'sos' } }]);
    expect(alerts[0]).toMatchObject({ kind: 'sos', position: { x: 4, y: 12 } });
  });

  it('the generic button is not SOS by default', () => {
    expect(play(sos, [{ at: 0, fix: { x: 4, y: 12, event: 'button' } }]).alerts).toEqual([]);
  });

  it('a site that configures its button as the call button gets SOS from it', () => {
    const { alerts } = play(sos, [{ at: 0, fix: { x: 4, y: 12, event: 'button' } }], { site: { rules: { sos: { buttonIsSos: true } } } });
    expect(alerts).toEqual([expect.objectContaining({ kind: 'sos', severity: 'critical' })]);
  });
});
