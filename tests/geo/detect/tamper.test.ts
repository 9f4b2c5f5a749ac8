import { describe, expect, it } from 'vitest';
import { tamper } from '../../../geo/detect/tamper';
import { play } from './helpers';

describe('strap removed / tamper', () => {
  it('a tamper event raises a high-severity alert where the tag is', () => {
    const { alerts } = play(tamper, [{ at: 0, fix: { x: 12, y: 7.25, event: 'tamper' } }]);
    expect(alerts).toEqual([expect.objectContaining({ kind: 'tamper', severity: 'high', zoneId: 'corridor' })]);
  });

  it('a site may make it critical for wander-risk residents', () => {
    const opts = { site: { rules: { tamper: { wanderRiskCritical: true } } } };
    expect(play(tamper, [{ at: 0, fix: { x: 12, y: 7.25, event: 'tamper' } }], opts).alerts[0].severity).toBe('critical');
    const calm = { ...opts, resident: { wanderRisk: false } };
    expect(play(tamper, [{ at: 0, fix: { x: 12, y: 7.25, event: 'tamper' } }], calm).alerts[0].severity).toBe('high');
  });

  it('other events raise nothing', () => {
    expect(play(tamper, [{ at: 0, fix: { x: 12, y: 7.25, event: 'sos' } }]).alerts).toEqual([]);
  });
});
