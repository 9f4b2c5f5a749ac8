import { describe, expect, it } from 'vitest';
import { exitLingering } from '../../../geo/detect/exit-lingering';
import { at } from '../../fixtures/timelines/ward';
import { play, stay, ticks, walk, type Moment } from './helpers';

/** From the corridor to the front of the east door, then `dwellS` seconds there. */
function linger(dwellS: number, escorted = false): { moments: Moment[]; nearAt: number } {
  const w = walk([[30, 7.25], [42.75, 7.25], at.exitFront], 0, 0.7);
  const moments = [...w.moments, ...stay(at.exitFront, Math.ceil(w.end), w.end + dwellS, 1, {}, 0.3), ...walk([at.exitFront, [42.75, 7.25], [30, 7.25]], w.end + dwellS + 1, 0.7).moments];
  // within 3 m of the door's west edge (x = 44) and its y range 10.75–13.25
  const nearAt = w.moments.find((m) => 'fix' in m && Math.hypot(Math.max(0, 44 - m.fix.x!), Math.max(0, 10.75 - m.fix.y!)) <= 3)!.at;
  return { moments: [...moments.map((m) => (escorted && 'fix' in m ? { ...m, escorted } : m)), ...ticks(0, w.end + dwellS + 30)], nearAt };
}

describe('lingering near an exit', () => {
  it('a wander-risk resident dwelling 60 s within 3 m of the door raises a high alert naming the exit', () => {
    const { moments, nearAt } = linger(120);
    const { alerts } = play(exitLingering, moments);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ kind: 'exit_lingering', severity: 'high', zoneId: 'door' });
    expect(alerts[0].at - (nearAt + 60)).toBeGreaterThanOrEqual(0);
    expect(alerts[0].at - (nearAt + 60)).toBeLessThanOrEqual(2);
  });

  it('walking past the door does not alert', () => {
    const w = walk([[30, 7.25], [42.75, 7.25], [42.75, 16.75], [30, 16.75]], 0, 0.5);
    expect(play(exitLingering, [...w.moments, ...ticks(0, w.end)]).alerts).toEqual([]);
  });

  it('a short stop at the door does not alert', () => {
    expect(play(exitLingering, linger(20).moments).alerts).toEqual([]);
  });

  it('a nurse waiting at the door with the resident (escorted) does not alert', () => {
    expect(play(exitLingering, linger(180, true).moments).alerts).toEqual([]);
  });

  it('residents not at wander risk are not watched by default', () => {
    expect(play(exitLingering, linger(180).moments, { resident: { wanderRisk: false } }).alerts).toEqual([]);
  });

  it('it still fires from the ticks when the tag stops reporting in front of the door', () => {
    const w = walk([[30, 7.25], [42.75, 7.25], at.exitFront], 0, 0.7);
    const { alerts } = play(exitLingering, [...w.moments, ...ticks(0, w.end + 120)]);
    expect(alerts.map((a) => a.kind)).toEqual(['exit_lingering']);
  });
});
