import { describe, expect, it } from 'vitest';
import { fallHeight } from '../../../geo/detect/fall-height';
import { at } from '../../fixtures/timelines/ward';
import { noise, play, stay, walk, type Moment } from './helpers';

/** z over time: standing `stand` until `t`, then `low` (optionally back to standing after `upAt`). */
function heights(moments: Moment[], stand: number, t: number, low: number, upAt = Infinity, seed = 5): Moment[] {
  const g = noise(seed);
  return moments.map((m) => ('fix' in m ? { ...m, fix: { ...m.fix, z: (m.at < t || m.at >= upAt ? stand : low) + g() * 0.05 } } : m));
}

describe('fall from 3D height', () => {
  it('a drop from standing to the floor that stays there raises a critical fall with the location', () => {
    const { moments, end } = walk([at.corridor, [20, 7.25]], 0);
    const still = stay([20, 7.25], Math.ceil(end), end + 30);
    const { alerts } = play(fallHeight, heights([...moments, ...still], 1.2, end + 1, 0.2));
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ kind: 'fall', severity: 'critical', zoneId: 'corridor', floorId: 'F1' });
    expect(alerts[0].at - (end + 1)).toBeGreaterThanOrEqual(5);
    expect(alerts[0].at - (end + 1)).toBeLessThanOrEqual(7);
  });

  it('sitting down hard stays above floor height: no alert', () => {
    const m = stay(at.lounge, 0, 120);
    expect(play(fallHeight, heights(m, 1.1, 10, 0.6)).alerts).toEqual([]);
  });

  it('lying down in bed is normal: no alert', () => {
    const { moments, end } = walk([at.door, at.bedside, at.bed], 0, 0.5);
    const m = [...moments, ...stay(at.bed, Math.ceil(end), end + 300, 5)];
    expect(play(fallHeight, heights(m, 1.2, end, 0.3)).alerts).toEqual([]);
  });

  it('bending down to pick something up and standing again: no alert', () => {
    const m = stay([20, 7.25], 0, 60);
    expect(play(fallHeight, heights(m, 1.15, 20, 0.35, 23)).alerts).toEqual([]);
  });

  it('one noisy low height reading is not a fall', () => {
    const m = stay([20, 7.25], 0, 60).map((q) => ('fix' in q ? { ...q, fix: { ...q.fix, z: q.at === 30 ? 0.1 : 1.2 } } : q));
    expect(play(fallHeight, m).alerts).toEqual([]);
  });

  it('fixes without a height never raise it', () => {
    expect(play(fallHeight, stay([20, 7.25], 0, 60)).alerts).toEqual([]);
  });
});
