import { describe, expect, it } from 'vitest';
import { lowBattery } from '../../../geo/detect/low-battery';
import { at } from '../../fixtures/timelines/ward';
import { play, type Moment } from './helpers';

const levels = (values: number[]): Moment[] => values.map((battery, i) => ({ at: i * 60, fix: { x: at.bed[0], y: at.bed[1], battery } }));

describe('low battery', () => {
  it('dropping below 15% raises one alert; wavering around the threshold does not repeat it', () => {
    const { alerts } = play(lowBattery, levels([18, 17, 16, 15, 14, 15, 14, 13, 15, 14]));
    expect(alerts).toEqual([expect.objectContaining({ kind: 'low_battery', severity: 'medium', at: 240, detail: 'battery 14%' })]);
  });

  it('it clears only once the battery is above 25% (hysteresis), so the server auto-resolves it', () => {
    const { alerts } = play(lowBattery, levels([14, 18, 22, 25, 24, 26, 30]));
    expect(alerts.map((a) => [a.at, a.clear ?? false])).toEqual([
      [0, false],
      [300, true],
    ]);
  });

  it('a tag that never gets low raises nothing, nor do fixes without a battery level', () => {
    expect(play(lowBattery, [...levels([60, 55, 50]), { at: 500, fix: { x: 1, y: 1 } }]).alerts).toEqual([]);
  });

  it('thresholds are per site or resident', () => {
    const { alerts } = play(lowBattery, levels([30, 28]), { rules: { lowBattery: { lowPct: 30, clearPct: 40 } } });
    expect(alerts.map((a) => a.at)).toEqual([60]);
  });
});
