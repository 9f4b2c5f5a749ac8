import { describe, expect, it } from 'vitest';
import { tagSilent } from '../../../geo/detect/tag-silent';
import { at } from '../../fixtures/timelines/ward';
import { play, stay, ticks } from './helpers';

describe('silent tag', () => {
  it('no fix for 120 s raises tag_silent from the ticks within a second, at the last known place', () => {
    const { alerts } = play(tagSilent, [...stay(at.lounge, 0, 60, 5), ...ticks(0, 400)]);
    expect(alerts).toEqual([expect.objectContaining({ kind: 'tag_silent', at: 180, zoneId: 'lounge', position: { x: 4, y: 12 } })]);
  });

  it('it is critical for a wander-risk resident and high for others', () => {
    const moments = [...stay(at.lounge, 0, 10, 5), ...ticks(0, 200)];
    expect(play(tagSilent, moments).alerts[0].severity).toBe('critical');
    expect(play(tagSilent, moments, { resident: { wanderRisk: false } }).alerts[0].severity).toBe('high');
  });

  it('the tag reporting again clears it', () => {
    const { alerts } = play(tagSilent, [...stay(at.lounge, 0, 10, 5), ...ticks(0, 300), { at: 301, fix: { x: 12, y: 7.25 } }]);
    expect(alerts.map((a) => [a.at, a.clear ?? false])).toEqual([
      [130, false],
      [301, true],
    ]);
  });

  it('a tag reporting every minute (slow when still) stays quiet', () => {
    expect(play(tagSilent, [...stay(at.bed, 0, 3600, 60), ...ticks(0, 3600)]).alerts).toEqual([]);
  });

  it('the silence threshold is per site', () => {
    const { alerts } = play(tagSilent, [...stay(at.lounge, 0, 0), ...ticks(0, 100)], { site: { rules: { tagSilent: { seconds: 30 } } } });
    expect(alerts.map((a) => a.at)).toEqual([30]);
  });
});
