import { COORDINATE_SYSTEM } from '@deck.gl/core';
import { describe, expect, it } from 'vitest';
import { clockTime, duration } from '../../client/src/i18n';
import { alertStateAt, allAlerts, involvedResidents, replayEvents } from '../../client/src/replay/events';
import { REPLAY_LAYER_IDS, replayLayers, TRAIL_MS } from '../../client/src/replay/layers';
import { exportPath, loadReplay, replayPath, type GetJson } from '../../client/src/replay/load';
import { fraction, initialPlayback, playback } from '../../client/src/replay/playback';
import { canReplay, DEFAULT_AFTER_MS, DEFAULT_BEFORE_MS, formatRoute, parseHash, type Route } from '../../client/src/replay/route';
import { buildTracks, floorAt, MAX_GAP_MS, positionAt, tripsOnFloor } from '../../client/src/replay/tracks';
import type { AlertReplayPage, ReplayData, TrackRow, WindowReplayPage } from '../../client/src/replay/types';
import { alertMarkers, markersAt, shownFloor } from '../../client/src/replay/view';
import { fromLocalInput, toLocalInput, zoneOffsetMs } from '../../client/src/replay/zone-time';
import { buildCatalog } from '../../client/src/state/catalog';
import { alert, residents, site } from './fixtures/site';

const T0 = 1_700_000_000_000;

/** A row of the wanderer (res-wang) unless said otherwise. */
const row = (s: number, x: number, y: number, over: Partial<TrackRow> = {}): TrackRow => ({
  siteId: 'site-1',
  residentId: 'res-wang',
  tagId: 'tag-1',
  ts: T0 + s * 1000,
  floorId: 'b1-2',
  x,
  y,
  kind: 'fix',
  ...over,
});

/** Wang walks east along the corridor, takes the stairs down to 1F; Li sits in room 201. */
const rows: TrackRow[] = [
  row(0, 5, 5),
  row(0, 2, 11, { residentId: 'res-li', tagId: 'tag-2' }),
  row(10, 15, 5),
  row(20, 25, 5),
  row(20, 25, 5, { kind: 'transition', detail: 'enter:exit-2' }),
  row(30, 4, 4, { floorId: 'b1-1', kind: 'transition', detail: 'floor:b1-2;enter:room-101' }),
  row(40, 6, 4, { floorId: 'b1-1' }),
  row(60, 2, 11, { residentId: 'res-li', tagId: 'tag-2' }),
];

describe('replay tracks', () => {
  const index = buildTracks(rows);

  it('groups rows by resident in time order and keeps one entry per millisecond', () => {
    expect(index.residents.map((r) => r.residentId)).toEqual(['res-wang', 'res-li']);
    expect(index.byId['res-wang'].ts.map((t) => (t - T0) / 1000)).toEqual([0, 10, 20, 30, 40]);
    expect(index.floors).toEqual(['b1-2', 'b1-1']);
    expect([index.firstTs, index.lastTs]).toEqual([T0, T0 + 60_000]);
  });

  it('sorts rows that arrive out of order', () => {
    const shuffled = buildTracks([rows[2], rows[0], rows[3]]);
    expect(shuffled.byId['res-wang'].x).toEqual([5, 15, 25]);
  });

  it('interpolates between two rows on one floor', () => {
    expect(positionAt(index.byId['res-wang'], T0 + 5_000)).toEqual({ floorId: 'b1-2', x: 10, y: 5, ts: T0 });
  });

  it('keeps a resident on the old floor until the row on the new one', () => {
    const wang = index.byId['res-wang'];
    expect(positionAt(wang, T0 + 29_000)).toMatchObject({ floorId: 'b1-2', x: 25, y: 5 });
    expect(positionAt(wang, T0 + 30_000)).toMatchObject({ floorId: 'b1-1', x: 4, y: 4 });
    expect(floorAt(wang, T0 + 35_000)).toBe('b1-1');
    expect(floorAt(wang, T0 - 1)).toBe('b1-2');
  });

  it('holds the last row for a while, then loses a silent tag', () => {
    const wang = index.byId['res-wang'];
    expect(positionAt(wang, T0 + 40_000 + MAX_GAP_MS)).toMatchObject({ x: 6, y: 4 });
    expect(positionAt(wang, T0 + 40_001 + MAX_GAP_MS)).toBeNull();
  });

  it('shows a resident at their first row when the window opens just before it', () => {
    const li = index.byId['res-li'];
    expect(positionAt(li, T0 - 30_000)).toMatchObject({ x: 2, y: 11 });
    expect(positionAt(li, T0 - MAX_GAP_MS - 1)).toBeNull();
  });

  it('does not draw a resident through a silence longer than the heartbeat', () => {
    const gappy = buildTracks([row(0, 0, 0), row(200, 10, 0)]).byId['res-wang'];
    expect(positionAt(gappy, T0 + 60_000)).toMatchObject({ x: 0 });
    expect(positionAt(gappy, T0 + 100_000)).toBeNull();
    expect(positionAt(gappy, T0 + 200_000)).toMatchObject({ x: 10 });
    expect(tripsOnFloor(buildTracks([row(0, 0, 0), row(5, 1, 0), row(200, 10, 0), row(205, 11, 0)]), 'b1-2', T0)).toHaveLength(2);
  });

  it('cuts trails at floor changes, with times relative to the window start, and caches them', () => {
    const upstairs = tripsOnFloor(index, 'b1-2', T0 - 1000);
    expect(upstairs).toHaveLength(2); // Wang's corridor walk and Li's stay in the room
    const wang = upstairs.find((s) => s.residentId === 'res-wang')!;
    expect(wang.path).toEqual([
      [5, 5],
      [15, 5],
      [25, 5],
    ]);
    expect(wang.timestamps).toEqual([1000, 11_000, 21_000]);
    expect(tripsOnFloor(index, 'b1-1', T0)).toEqual([{ residentId: 'res-wang', path: [[4, 4], [6, 4]], timestamps: [30_000, 40_000] }]);
    expect(tripsOnFloor(index, 'b1-2', T0 - 1000)).toBe(upstairs);
  });
});

describe('replay playback', () => {
  const start = T0;
  const end = T0 + 60_000;

  it('starts paused at the given time, clamped into the window', () => {
    expect(initialPlayback(start, end, T0 - 5)).toMatchObject({ time: start, playing: false, speed: 10 });
  });

  it('advances by real time times the speed, and stops at the end', () => {
    let p = playback(initialPlayback(start, end), { type: 'speed', speed: 30 });
    p = playback(p, { type: 'play' });
    p = playback(p, { type: 'advance', dtMs: 1000 });
    expect(p.time).toBe(T0 + 30_000);
    p = playback(p, { type: 'advance', dtMs: 1500 });
    expect(p).toMatchObject({ time: end, playing: false });
  });

  it('does not move while paused', () => {
    const p = initialPlayback(start, end);
    expect(playback(p, { type: 'advance', dtMs: 1000 })).toBe(p);
  });

  it('plays from the start again when play is pressed at the end', () => {
    const atEnd = playback(initialPlayback(start, end), { type: 'seek', time: end + 10 });
    expect(atEnd.time).toBe(end);
    expect(playback(atEnd, { type: 'play' })).toMatchObject({ time: start, playing: true });
  });

  it('takes only the offered speeds', () => {
    const p = initialPlayback(start, end);
    expect(playback(p, { type: 'speed', speed: 7 as 5 })).toBe(p);
    expect(playback(p, { type: 'speed', speed: 60 }).speed).toBe(60);
  });

  it('places a moment along the timeline', () => {
    expect(fraction({ start, end }, T0 + 15_000)).toBe(0.25);
    expect(fraction({ start, end }, T0 - 1)).toBe(0);
    expect(fraction({ start, end: start }, T0)).toBe(0);
  });
});

describe('replay events', () => {
  const handled = alert({
    id: 'a-main',
    fixTs: T0 + 20_000,
    detectedAt: T0 + 20_150,
    state: 'resolved',
    history: [
      { state: 'open', by: 'system', at: T0 + 20_150 },
      { state: 'acknowledged', by: 'nurse', at: T0 + 50_000, note: 'On my way' },
      { state: 'resolved', by: 'nurse', at: T0 + 80_000 },
    ],
  });
  const other = alert({ id: 'a-li', residentId: 'res-li', residentName: '李建国', fixTs: T0 + 10_000, kind: 'fall' });
  const data = {
    source: { kind: 'alert' as const, alertId: 'a-main', beforeMs: DEFAULT_BEFORE_MS, afterMs: DEFAULT_AFTER_MS },
    alert: handled,
    alerts: [other, handled],
    transitions: [
      { ts: T0 + 20_000, residentId: 'res-wang', tagId: 'tag-1', floorId: 'b1-2', x: 25, y: 5, entered: ['exit-2'], exited: [] },
      { ts: T0 + 30_000, residentId: 'res-wang', tagId: 'tag-1', floorId: 'b1-1', x: 4, y: 4, entered: ['room-101'], exited: ['exit-2'], fromFloorId: 'b1-2' },
      { ts: T0 + 35_000, residentId: 'res-li', tagId: 'tag-2', floorId: 'b1-2', x: 2, y: 11, entered: [], exited: ['bed-201a'] },
    ],
    since: T0,
    until: T0 + 120_000,
  };

  it('tells the state an alert was in at any moment', () => {
    expect(alertStateAt(handled, T0 + 19_999)).toBe('none');
    expect(alertStateAt(handled, T0 + 20_000)).toBe('open');
    expect(alertStateAt(handled, T0 + 60_000)).toBe('acknowledged');
    expect(alertStateAt(handled, T0 + 80_000)).toBe('resolved');
  });

  it('lists the replayed alert first, once', () => {
    expect(allAlerts(data).map((a) => a.id)).toEqual(['a-main', 'a-li']);
  });

  it('orders alerts, their handling and the involved resident’s movements in time', () => {
    const events = replayEvents(data, involvedResidents(data));
    expect(events.map((e) => [e.type, (e.ts - T0) / 1000])).toEqual([
      ['alert', 10],
      ['alert', 20],
      ['enter', 20],
      ['floor', 30],
      ['exit', 30],
      ['enter', 30],
      ['acknowledged', 50],
      ['resolved', 80],
    ]);
    expect(events.find((e) => e.type === 'acknowledged')).toMatchObject({ by: 'nurse', note: 'On my way', main: true });
  });

  it('keeps everyone’s movements when no resident is singled out', () => {
    expect(replayEvents(data).filter((e) => e.type === 'exit').map((e) => e.residentId)).toEqual(['res-wang', 'res-li']);
  });
});

describe('replay view', () => {
  const catalog = buildCatalog([site], residents);
  const index = buildTracks(rows);
  const open = alert({ id: 'a1', fixTs: T0 + 5_000, history: [{ state: 'open', by: 'system', at: T0 + 5_010 }, { state: 'acknowledged', by: 'nurse', at: T0 + 15_000 }] });

  it('shows the floor the followed resident is on, unless one was picked', () => {
    const base = { picked: null, index, residentId: 'res-wang', alert: open };
    expect(shownFloor({ ...base, time: T0 + 10_000 })).toBe('b1-2');
    expect(shownFloor({ ...base, time: T0 + 35_000 })).toBe('b1-1');
    expect(shownFloor({ ...base, time: T0 + 35_000, picked: 'b1-2' })).toBe('b1-2');
    expect(shownFloor({ ...base, time: T0, residentId: null })).toBe('b1-2');
  });

  it('colours residents by the state of their alerts at that moment', () => {
    const at = (s: number) => markersAt(index, 'b1-2', T0 + s * 1000, catalog.residentsById, [open]).map((m) => [m.id, m.status]);
    expect(at(1)).toEqual([
      ['res-li', 'normal'],
      ['res-wang', 'normal'],
    ]);
    expect(at(10)).toEqual([
      ['res-li', 'normal'],
      ['res-wang', 'alert'],
    ]);
    expect(at(16)).toEqual([
      ['res-li', 'normal'],
      ['res-wang', 'acknowledged'],
    ]);
    expect(markersAt(index, 'b1-2', T0 + 35_000, catalog.residentsById, []).map((m) => m.id)).toEqual(['res-li']);
    expect(markersAt(index, 'b1-2', T0, catalog.residentsById, [])[0].name).toBe('李建国');
  });

  it('marks the alerts raised on the floor shown, the replayed one on top', () => {
    const elsewhere = alert({ id: 'a2', floorId: 'b1-1', position: { floorId: 'b1-1', x: 1, y: 1, lon: 0, lat: 0 } });
    const near = alert({ id: 'a3' });
    const marks = alertMarkers([open, elsewhere, near], 'a1', 'b1-2', (a) => a.kind);
    expect(marks.map((m) => [m.id, m.main])).toEqual([
      ['a3', false],
      ['a1', true],
    ]);
    expect(alertMarkers([open], 'a1', null, (a) => a.kind)).toEqual([]);
  });

  it('draws the plan, the trails at the current time, the markers, then the dots on top', () => {
    const shapes = catalog.shapesByFloor['b1-2'];
    const layers = replayLayers({
      shapes,
      locale: 'en',
      markers: markersAt(index, 'b1-2', T0 + 10_000, catalog.residentsById, [open]),
      trips: tripsOnFloor(index, 'b1-2', T0),
      highlight: new Set(['res-wang']),
      currentTime: 10_000,
      alerts: alertMarkers([open], 'a1', 'b1-2', () => 'exit'),
      now: 0,
    });
    const ids = layers.map((l) => l.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.slice(0, 4)).toEqual(['zones', 'forbidden-hatch', 'zone-labels', 'exit-labels']);
    expect(ids.indexOf(REPLAY_LAYER_IDS.trails)).toBeLessThan(ids.indexOf('residents'));
    expect(ids.indexOf(REPLAY_LAYER_IDS.alertMarkers)).toBeLessThan(ids.indexOf('residents'));
    expect(ids[ids.length - 1]).toBe(REPLAY_LAYER_IDS.alertLabels);
    const trails = layers.find((l) => l.id === REPLAY_LAYER_IDS.trails)!;
    expect(trails.props).toMatchObject({ currentTime: 10_000, coordinateSystem: COORDINATE_SYSTEM.CARTESIAN, trailLength: TRAIL_MS });
    expect((layers.find((l) => l.id === REPLAY_LAYER_IDS.ghost)!.props.data as unknown[]).length).toBe(1);
  });
});

describe('replay routes', () => {
  const cases: [string, Route][] = [
    ['#/live', { screen: 'live' }],
    ['#/replay', { screen: 'replay', source: null }],
    ['#/replay/01abc', { screen: 'replay', source: { kind: 'alert', alertId: '01abc', beforeMs: DEFAULT_BEFORE_MS, afterMs: DEFAULT_AFTER_MS } }],
    ['#/replay/01abc?before=600000', { screen: 'replay', source: { kind: 'alert', alertId: '01abc', beforeMs: 600_000, afterMs: DEFAULT_AFTER_MS } }],
    [`#/replay?residents=res-wang&since=${T0}&until=${T0 + 3_600_000}`, { screen: 'replay', source: { kind: 'window', residentIds: ['res-wang'], floorId: null, since: T0, until: T0 + 3_600_000 } }],
    [`#/replay?floor=b1-2&since=${T0}&until=${T0 + 60_000}`, { screen: 'replay', source: { kind: 'window', residentIds: [], floorId: 'b1-2', since: T0, until: T0 + 60_000 } }],
  ];

  it.each(cases)('reads and writes %s', (hash, route) => {
    expect(parseHash(hash)).toEqual(route);
    expect(formatRoute(route)).toBe(hash);
  });

  it('sends anything else to the live map, and a window without whom or when to the picker', () => {
    expect(parseHash('')).toEqual({ screen: 'live' });
    expect(parseHash('#/nowhere')).toEqual({ screen: 'live' });
    expect(parseHash(`#/replay?since=${T0}&until=${T0 + 1}`)).toEqual({ screen: 'replay', source: null });
    expect(parseHash('#/replay?residents=a&since=5&until=1')).toEqual({ screen: 'replay', source: null });
    expect(parseHash('#/replay/%E0%A4%A')).toEqual({ screen: 'replay', source: null });
  });

  it('caps the minutes around an alert at what the server allows', () => {
    const r = parseHash('#/replay/x?after=99999999999');
    expect(r.screen === 'replay' && r.source?.kind === 'alert' && r.source.afterMs).toBe(6 * 3_600_000);
  });

  it('offers replay to staff, not to families or regulators', () => {
    expect(['nurse', 'charge_nurse', 'manager', 'admin'].every((role) => canReplay({ role }))).toBe(true);
    expect(canReplay({ role: 'family' }) || canReplay({ role: 'regulator' }) || canReplay(null)).toBe(false);
  });
});

describe('replay loading', () => {
  const source = { kind: 'alert' as const, alertId: 'a 1', beforeMs: 60_000, afterMs: 120_000 };
  const page = (over: Partial<AlertReplayPage>): AlertReplayPage => ({
    alert: alert({ id: 'a 1' }),
    window: { since: T0, until: T0 + 180_001 },
    responseTimes: { fixTs: T0, raisedAt: T0 + 20, acknowledgedAt: null, acknowledgedBy: null, resolvedAt: null, resolvedBy: null, detectionMs: 20, toAcknowledgeMs: null, toResolveMs: null },
    rows: [],
    transitions: [],
    alerts: [],
    ...over,
  });

  it('asks for the alert with its floor, then follows the cursor to the last page', async () => {
    const asked: string[] = [];
    const pages: Record<string, AlertReplayPage> = {
      '': page({ rows: [rows[0], rows[2]], alerts: [alert({ id: 'other' })], next: '100:0:1' }),
      '100:0:1': page({ rows: [rows[3]], transitions: [data1()], next: '200:0:0', alerts: [] }),
      '200:0:0': page({ rows: [rows[5]] }),
    };
    const get: GetJson = async <T>(path: string) => {
      asked.push(path);
      return pages[new URL(path, 'http://x').searchParams.get('cursor') ?? ''] as T;
    };
    const progress: number[] = [];
    const data: ReplayData = await loadReplay(get, source, { onProgress: (n) => progress.push(n) });
    expect(asked[0]).toBe('/api/v1/alerts/a%201/replay?before=60000&after=120000&floor=1&limit=10000');
    expect(asked).toHaveLength(3);
    expect(progress).toEqual([2, 3, 4]);
    expect(data.rows).toHaveLength(4);
    expect(data.transitions).toHaveLength(1);
    expect(data.alerts.map((a) => a.id)).toEqual(['other']);
    expect([data.since, data.until, data.truncated]).toEqual([T0, T0 + 180_001, false]);
  });

  it('stops at a cursor it has seen, and at the row limit', async () => {
    let calls = 0;
    const loop: GetJson = async <T>() => (calls++, page({ rows: [rows[0]], next: 'same' }) as T);
    expect((await loadReplay(loop, source)).rows).toHaveLength(2);
    const endless: GetJson = async <T>() => (calls++, page({ rows: [rows[0], rows[2]], next: String(calls) }) as T);
    const cut = await loadReplay(endless, source, { maxRows: 5 });
    expect(cut.truncated).toBe(true);
    expect(cut.rows).toHaveLength(6);
  });

  it('pages a resident window with `after`, and gives up when told to', async () => {
    const asked: string[] = [];
    const w = { kind: 'window' as const, residentIds: ['res-wang', 'res-li'], floorId: null, since: T0, until: T0 + 60_000 };
    const get: GetJson = async <T>(path: string) => {
      asked.push(path);
      const p: WindowReplayPage = { since: T0, until: T0 + 60_000, rows: [rows[0]], transitions: [], alerts: [], ...(asked.length < 2 ? { next: 'c1' } : {}) };
      return p as T;
    };
    const data = await loadReplay(get, w);
    expect(asked[1]).toBe(`/api/v1/replay?residentIds=res-wang%2Cres-li&since=${T0}&until=${T0 + 60_000}&limit=10000&after=c1`);
    expect(data.alert).toBeNull();
    expect(data.rows).toHaveLength(2);
    const abort = new AbortController();
    abort.abort();
    await expect(loadReplay(get, w, { signal: abort.signal })).rejects.toThrow(/aborted/);
  });

  it('builds the export and page paths with the same window', () => {
    expect(exportPath(source, 'csv')).toBe('/api/v1/alerts/a%201/export.csv?before=60000&after=120000&floor=1');
    expect(replayPath(source, 'x')).toContain('cursor=x');
  });

  function data1() {
    return { ts: T0 + 20_000, residentId: 'res-wang', tagId: 'tag-1', floorId: 'b1-2', x: 25, y: 5, entered: ['exit-2'], exited: [] };
  }
});

describe('replay wording', () => {
  it('says how long a response took', () => {
    expect(duration('en', 238)).toBe('238 ms');
    expect(duration('en', 2_540)).toBe('2.5 s');
    expect(duration('en', 42_400)).toBe('42 s');
    expect(duration('en', 185_000)).toBe('3 min 05 s');
    expect(duration('zh-CN', 3_720_000)).toBe('1 小时 02 分');
  });

  it('gives wall-clock times in the site’s time zone', () => {
    expect(clockTime('en', Date.UTC(2025, 0, 2, 16, 5, 9), { timeZone: 'Asia/Shanghai' })).toBe('00:05:09');
    expect(clockTime('en', Date.UTC(2025, 0, 2, 16, 5, 9), { timeZone: 'No/Such_Zone' })).toMatch(/^\d\d:05:09$/);
  });
});

describe('site wall-clock times', () => {
  it('reads a datetime-local value on the site’s clock, not the browser’s', () => {
    expect(fromLocalInput('2025-01-03T00:05', 'Asia/Shanghai')).toBe(Date.UTC(2025, 0, 2, 16, 5));
    expect(toLocalInput(Date.UTC(2025, 0, 2, 16, 5, 59), 'Asia/Shanghai')).toBe('2025-01-03T00:05');
    expect(fromLocalInput('not a time', 'Asia/Shanghai')).toBeNaN();
  });

  it('is right on both sides of a daylight-saving change', () => {
    // Berlin: UTC+1 until 2025-03-30 01:00 UTC, UTC+2 after
    expect(fromLocalInput('2025-03-30T01:30', 'Europe/Berlin')).toBe(Date.UTC(2025, 2, 30, 0, 30));
    expect(fromLocalInput('2025-03-30T03:30', 'Europe/Berlin')).toBe(Date.UTC(2025, 2, 30, 1, 30));
    expect(zoneOffsetMs(Date.UTC(2025, 6, 1), 'Europe/Berlin')).toBe(2 * 3_600_000);
  });
});
