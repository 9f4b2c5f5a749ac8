import { describe, expect, it } from 'vitest';
import { DEFAULT_AFTER_MS, DEFAULT_BEFORE_MS } from '../../client/src/replay/route';
import { initialReplayState, replayReducer, type ReplayAction, type ReplayScreenState } from '../../client/src/replay/screen-state';
import type { ReplayData, ReplaySource, TrackRow } from '../../client/src/replay/types';
import { alert } from './fixtures/site';

const T0 = Date.UTC(2026, 2, 10, 2, 0, 0);
const bySource: ReplaySource = { kind: 'alert', alertId: 'a-main', beforeMs: DEFAULT_BEFORE_MS, afterMs: DEFAULT_AFTER_MS };
const row = (residentId: string, s: number, floorId = 'b1-2'): TrackRow => ({
  siteId: 'site-1',
  residentId,
  tagId: `tag-${residentId}`,
  ts: T0 + s * 1000,
  floorId,
  x: s,
  y: 5,
  kind: 'fix',
});
const main = alert({ id: 'a-main', residentId: 'res-wang', residentName: '王秀英', fixTs: T0 + 60_000 });
const data: ReplayData = {
  source: bySource,
  alert: main,
  responseTimes: null,
  since: T0,
  until: T0 + 600_000,
  rows: [row('res-li', 5), row('res-wang', 10), row('res-wang', 70), row('res-li', 80, 'b1-1')],
  transitions: [],
  alerts: [main],
  truncated: false,
};

const run = (...actions: ReplayAction[]): ReplayScreenState => actions.reduce(replayReducer, initialReplayState);
const ready = (now = T0 + 90_000) => run({ type: 'open', source: bySource }, { type: 'loaded', data, now });

describe('the replay screen state', () => {
  it('starts on the picker, and opening a source loads it from nothing', () => {
    expect(initialReplayState).toMatchObject({ source: null, status: 'idle', playback: null });
    const s = run({ type: 'open', source: bySource }, { type: 'progress', rows: 500 });
    expect(s).toMatchObject({ source: bySource, status: 'loading', loadedRows: 500, data: null, playback: null });
  });

  it('once loaded, stands paused at the first row and follows the resident of the alert', () => {
    const s = ready();
    expect(s.status).toBe('ready');
    expect(s.playback).toMatchObject({ start: T0, time: T0 + 5_000, playing: false });
    expect(s.followId).toBe('res-wang');
    expect(s.alerts.map((a) => a.id)).toEqual(['a-main']);
  });

  it('plays a recent alert only up to now, not into the future', () => {
    expect(ready(T0 + 90_000).playback?.end).toBe(T0 + 90_000);
    expect(ready(T0 + 10_000_000).playback?.end).toBe(T0 + 600_000 - 1);
  });

  it('jumps to the alert paused, on the floor it happened', () => {
    const s = run(
      { type: 'open', source: bySource },
      { type: 'loaded', data, now: T0 + 90_000 },
      { type: 'pickFloor', floorId: 'b1-1' },
      { type: 'playback', action: { type: 'play' } },
      { type: 'jumpToAlert' },
    );
    expect(s.playback).toMatchObject({ time: T0 + 60_000, playing: false });
    expect(s.pickedFloor).toBeNull();
  });

  it('stops following when a floor is picked or the map is dragged, and following again releases the floor', () => {
    let s = replayReducer(ready(), { type: 'follow', on: true });
    expect(replayReducer(s, { type: 'pickFloor', floorId: 'b1-1' })).toMatchObject({ follow: false, pickedFloor: 'b1-1' });
    expect(replayReducer(s, { type: 'userPan' }).follow).toBe(false);
    s = replayReducer(replayReducer(s, { type: 'pickFloor', floorId: 'b1-1' }), { type: 'follow', on: true });
    expect(s).toMatchObject({ follow: true, pickedFloor: null });
  });

  it('changes nothing for playback before the data is there, or for a pan while not following', () => {
    const loading = run({ type: 'open', source: bySource });
    expect(replayReducer(loading, { type: 'playback', action: { type: 'play' } })).toBe(loading);
    const s = ready();
    expect(replayReducer(s, { type: 'userPan' })).toBe(s);
    expect(replayReducer(s, { type: 'shown', floorId: s.shownFloorId })).toBe(s);
  });

  it('holds the clock at the report moment while the snapshot is drawn, then resumes where it was', () => {
    const playing = replayReducer(ready(), { type: 'playback', action: { type: 'play' } });
    const held = replayReducer(playing, { type: 'snapshot', at: T0 + 60_000 });
    expect(held.playback).toMatchObject({ time: T0 + 60_000, playing: false });
    expect(replayReducer(held, { type: 'playback', action: { type: 'seek', time: T0 } })).toBe(held);
    const resumed = replayReducer(held, { type: 'snapshotDone' });
    expect(resumed.playback).toMatchObject({ time: playing.playback?.time, playing: false });
    expect(resumed.snapshotting).toBeNull();
  });

  it('reports a failed load, and a new source starts over but keeps who was followed', () => {
    const failed = run({ type: 'open', source: bySource }, { type: 'failed', error: 'no' });
    expect(failed).toMatchObject({ status: 'error', error: 'no' });
    const again = replayReducer(ready(), { type: 'open', source: null });
    expect(again).toMatchObject({ status: 'idle', data: null, playback: null, followId: 'res-wang', follow: false });
  });
});
