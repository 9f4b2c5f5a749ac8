import { describe, expect, it } from 'vitest';
import { bathroomLong } from '../../../geo/detect/bathroom-long';
import { at } from '../../fixtures/timelines/ward';
import { MIN, cleared, play, raised, stay, ticks, walk, type Moment } from './helpers';

const toBath = [at.bed, at.bedside, [13, 2.3] as const, at.bathroom] as const;

/** In bed, then in the bathroom for `inS` seconds (fixes every `every` s, with noise), then back to bed. */
function visit(inS: number, every = 10, sigma = 0.25): { moments: Moment[]; enterAt: number; leaveAt: number } {
  const there = walk(toBath, 120, 0.6);
  const back = walk([...toBath].reverse(), there.end + inS, 0.6);
  const moments = [
    ...stay(at.bed, 0, 119, every),
    ...there.moments,
    ...stay(at.bathroom, Math.ceil(there.end), there.end + inS - 1, every, {}, sigma),
    ...back.moments,
    ...stay(at.bed, Math.ceil(back.end) + 1, back.end + 300, every),
    ...ticks(0, back.end + 300),
  ];
  const enterAt = there.moments.find((m) => 'fix' in m && m.fix.y! < 2)!.at;
  const leaveAt = back.moments.find((m) => 'fix' in m && m.fix.y! > 2)!.at;
  return { moments, enterAt, leaveAt };
}

describe('night: in the bathroom too long', () => {
  it('in the bathroom for 15 minutes at night raises a high alert from the ticks within 5 s of the threshold', () => {
    const { moments, enterAt } = visit(25 * MIN, 30);
    const alerts = raised(play(bathroomLong, moments).alerts, 'bathroom_long');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ severity: 'high', zoneId: 'r1-bath' });
    expect(alerts[0].at - (enterAt + 15 * MIN)).toBeGreaterThanOrEqual(0);
    expect(alerts[0].at - (enterAt + 15 * MIN)).toBeLessThanOrEqual(5);
  });

  it('a bathroom visit of normal length raises nothing', () => {
    for (const minutes of [2, 6, 12]) expect(play(bathroomLong, visit(minutes * MIN).moments).alerts).toEqual([]);
  });

  it('leaving the bathroom clears the alert', () => {
    const { moments, leaveAt } = visit(20 * MIN);
    const clears = cleared(play(bathroomLong, moments).alerts, 'bathroom_long');
    expect(clears).toHaveLength(1);
    expect(clears[0].at).toBeCloseTo(leaveAt, 3);
  });

  it('by day it applies only where a site turns nightOnly off', () => {
    const t0 = Date.UTC(2025, 0, 15, 2, 0, 0); // 10:00 in Shanghai
    expect(play(bathroomLong, visit(30 * MIN).moments, { t0 }).alerts).toEqual([]);
    const site = { rules: { bathroomLong: { nightOnly: false, minutes: 25 } } };
    expect(raised(play(bathroomLong, visit(30 * MIN).moments, { t0, site }).alerts, 'bathroom_long')).toHaveLength(1);
  });
});
