import { describe, expect, it } from 'vitest';
import { initialState, reducer } from '../../client/src/state/reducer';
import {
  activeAlerts,
  alarmingAlerts,
  defaultFloorId,
  floorGroups,
  floorName,
  floorShortName,
  openAlertCountByFloor,
  residentMarkers,
} from '../../client/src/state/selectors';
import type { Action, ClientState } from '../../client/src/state/types';
import { alert, residents, site } from './fixtures/site';

const user = {
  username: 'nurse',
  role: 'nurse' as const,
  displayName: 'Nurse Zhang',
  siteIds: ['site-1'],
  wardIds: ['dementia'],
  residentIds: [],
};

function run(...actions: Action[]): ClientState {
  return actions.reduce(reducer, initialState({ locale: 'en' }));
}

const loaded: Action[] = [
  { type: 'session/started', user },
  { type: 'data/loaded', sites: [site], residents },
];

const frame = (over: Partial<{ floorId: string; full: boolean; t: number; items: { r: string; x: number; y: number; ts: number }[]; gone: string[] }>): Action => ({
  type: 'frame',
  frame: { floorId: 'b1-2', t: 1, full: false, items: [], gone: [], ...over },
});

describe('site data', () => {
  it('indexes zones per floor with outlines below rooms and exits on top', () => {
    const s = run(...loaded);
    const kinds = s.catalog!.shapesByFloor['b1-2'].map((z) => z.kind);
    expect(kinds).toEqual(['ward', 'corridor', 'room', 'bed', 'forbidden', 'exit']);
    expect(s.catalog!.zonesById['room-201'].nameZh).toBe('201室');
    expect(s.catalog!.floorsById['garden'].siteId).toBe('site-1');
  });

  it('groups floors by building in ordinal order, the outdoor level last', () => {
    const s = run(...loaded);
    expect(floorGroups(s).map((g) => [g.name, g.floors.map((f) => f.id)])).toEqual([
      ['Building 1', ['b1-1', 'b1-2']],
      ['Building 2', ['b2-1']],
      ['Outdoor', ['garden']],
    ]);
    expect(floorGroups(reducer(s, { type: 'locale', locale: 'zh-CN' }))[0].name).toBe('1号楼');
  });

  it('names a floor without repeating its building inside the building group', () => {
    const s = run(...loaded);
    expect(floorShortName(s, 'b1-2')).toBe('2F');
    expect(floorName(s, 'b1-2')).toBe('Building 1 2F');
    expect(floorShortName(s, 'garden')).toBe('Garden');
  });

  it("opens on the floor of the nurse's first ward", () => {
    expect(defaultFloorId(run(...loaded))).toBe('b1-2');
  });
});

describe('alerts', () => {
  it('lists open before acknowledged, then the most severe, then the newest', () => {
    const lowNew = alert({ severity: 'low', detectedAt: 50 });
    const highOld = alert({ severity: 'high', detectedAt: 10 });
    const highNew = alert({ severity: 'high', detectedAt: 20 });
    const critAcked = alert({ severity: 'critical', state: 'acknowledged', detectedAt: 30 });
    const s = run(...loaded, ...[lowNew, highOld, critAcked, highNew].map((a): Action => ({ type: 'alert/received', alert: a })));
    expect(activeAlerts(s).map((a) => a.id)).toEqual([highNew.id, highOld.id, lowNew.id, critAcked.id]);
  });

  it('upserts by id: a state change replaces the alert, never duplicates it', () => {
    const a = alert();
    const acked = { ...a, state: 'acknowledged' as const, updatedAt: a.updatedAt + 1000 };
    const s = run(...loaded, { type: 'alert/received', alert: a }, { type: 'alert/received', alert: acked });
    expect(activeAlerts(s)).toEqual([acked]);
  });

  it('keeps the newer version when an older one arrives late (socket vs our own REST answer)', () => {
    const a = alert();
    const acked = { ...a, state: 'acknowledged' as const, updatedAt: a.updatedAt + 1000 };
    const s = run(...loaded, { type: 'alert/received', alert: acked }, { type: 'alert/received', alert: a });
    expect(s.alerts[a.id].state).toBe('acknowledged');
  });

  it('drops a resolved alert from the list, and a stale snapshot cannot bring it back', () => {
    const a = alert();
    const resolved = { ...a, state: 'resolved' as const, updatedAt: a.updatedAt + 5000 };
    const s0 = run(...loaded, { type: 'alert/received', alert: a });
    const requestedAtSeq = s0.seq;
    const s1 = reducer(s0, { type: 'alert/received', alert: resolved });
    const s2 = reducer(s1, { type: 'alerts/snapshot', alerts: [a], requestedAtSeq });
    expect(activeAlerts(s2)).toEqual([]);
  });

  it('forgets alerts a snapshot no longer lists (resolved while disconnected)', () => {
    const gone = alert();
    const still = alert();
    const s0 = run(...loaded, { type: 'alert/received', alert: gone }, { type: 'alert/received', alert: still });
    const s1 = reducer(s0, { type: 'alerts/snapshot', alerts: [still], requestedAtSeq: s0.seq });
    expect(activeAlerts(s1).map((a) => a.id)).toEqual([still.id]);
  });

  it('keeps an alert that arrived over the socket after the snapshot was requested', () => {
    const s0 = run(...loaded);
    const requestedAtSeq = s0.seq;
    const fresh = alert();
    const s1 = reducer(s0, { type: 'alert/received', alert: fresh });
    const s2 = reducer(s1, { type: 'alerts/snapshot', alerts: [], requestedAtSeq });
    expect(activeAlerts(s2).map((a) => a.id)).toEqual([fresh.id]);
  });

  it('sounds the alarm only for open critical and high alerts, until acknowledged', () => {
    const high = alert({ severity: 'high' });
    const medium = alert({ severity: 'medium', kind: 'wander_pattern' });
    const s0 = run(...loaded, { type: 'alert/received', alert: high }, { type: 'alert/received', alert: medium });
    expect(alarmingAlerts(s0).map((a) => a.id)).toEqual([high.id]);
    const s1 = reducer(s0, {
      type: 'alert/action-finished',
      alertId: high.id,
      alert: { ...high, state: 'acknowledged', updatedAt: high.updatedAt + 1 },
    });
    expect(alarmingAlerts(s1)).toEqual([]);
  });

  it('counts open alerts per floor of their position', () => {
    const s = run(
      ...loaded,
      { type: 'alert/received', alert: alert() },
      { type: 'alert/received', alert: alert({ position: { floorId: 'b1-1', x: 1, y: 1, lon: 0, lat: 0 }, floorId: 'b1-1' }) },
      { type: 'alert/received', alert: alert({ state: 'acknowledged' }) },
    );
    expect(openAlertCountByFloor(s)).toEqual({ 'b1-2': 1, 'b1-1': 1 });
  });

  it('records a failed acknowledge on the alert and clears it on the next try', () => {
    const a = alert();
    const s0 = run(...loaded, { type: 'alert/received', alert: a }, { type: 'alert/action-started', alertId: a.id, action: 'ack' });
    expect(s0.pending[a.id]).toBe('ack');
    const s1 = reducer(s0, { type: 'alert/action-finished', alertId: a.id, error: 'HTTP 500' });
    expect(s1.pending[a.id]).toBeUndefined();
    expect(s1.actionErrors[a.id]).toBe('HTTP 500');
    expect(reducer(s1, { type: 'alert/action-started', alertId: a.id, action: 'ack' }).actionErrors[a.id]).toBeUndefined();
  });
});

describe('live positions', () => {
  const wang = { r: 'res-wang', x: 5, y: 8, ts: 100 };
  const li = { r: 'res-li', x: 6, y: 9, ts: 100 };

  it('replaces the floor on a full frame and merges deltas after it', () => {
    const s = run(
      ...loaded,
      { type: 'floor/selected', floorId: 'b1-2' },
      frame({ full: true, items: [wang, li] }),
      frame({ items: [{ ...wang, x: 7, ts: 200 }], gone: ['res-li'] }),
    );
    expect(s.positions.complete).toBe(true);
    expect(Object.values(s.positions.byResident)).toEqual([{ ...wang, x: 7, ts: 200 }]);
  });

  it('ignores deltas before the first full frame and frames of another floor', () => {
    const s = run(
      ...loaded,
      { type: 'floor/selected', floorId: 'b1-2' },
      frame({ items: [wang] }),
      frame({ floorId: 'b1-1', full: true, items: [li] }),
    );
    expect(s.positions).toMatchObject({ complete: false, byResident: {} });
  });

  it('never moves a resident back to an older fix', () => {
    const s = run(
      ...loaded,
      { type: 'floor/selected', floorId: 'b1-2' },
      frame({ full: true, items: [{ ...wang, ts: 300 }] }),
      frame({ items: [{ ...wang, x: 99, ts: 250 }] }),
    );
    expect(s.positions.byResident['res-wang'].x).toBe(5);
  });

  it('clears positions when switching floors, so the map is never a mix of two floors', () => {
    const s = run(...loaded, { type: 'floor/selected', floorId: 'b1-2' }, frame({ full: true, items: [wang] }), {
      type: 'floor/selected',
      floorId: 'b1-1',
    });
    expect(s.positions).toMatchObject({ floorId: null, complete: false, byResident: {} });
  });

  it('marks residents with an open alert red and wander-risk residents as such', () => {
    const s = run(
      ...loaded,
      { type: 'floor/selected', floorId: 'b1-2' },
      frame({ full: true, items: [wang, li] }),
      { type: 'alert/received', alert: alert({ residentId: 'res-wang' }) },
    );
    const markers = residentMarkers(s);
    expect(markers.map((m) => [m.name, m.status, m.wanderRisk])).toEqual([
      ['李建国', 'normal', false],
      ['王秀英', 'alert', true],
    ]);
  });
});

describe('focusing an alert', () => {
  it('switches to the floor of its position and highlights it', () => {
    const a = alert({ position: { floorId: 'b1-1', x: 3, y: 4, lon: 0, lat: 0 }, floorId: 'b1-1' });
    const s = run(...loaded, { type: 'floor/selected', floorId: 'b1-2' }, { type: 'alert/received', alert: a }, {
      type: 'alert/focused',
      alertId: a.id,
    });
    expect(s.selectedFloorId).toBe('b1-1');
    expect(s.focus).toEqual({ alertId: a.id, floorId: 'b1-1', x: 3, y: 4 });
  });

  it('drops the highlight when the alert is resolved', () => {
    const a = alert();
    const s = run(...loaded, { type: 'alert/received', alert: a }, { type: 'alert/focused', alertId: a.id }, {
      type: 'alert/received',
      alert: { ...a, state: 'resolved', updatedAt: a.updatedAt + 1 },
    });
    expect(s.focus).toBeNull();
  });

  it('drops the highlight when the nurse picks another floor', () => {
    const a = alert();
    const s = run(...loaded, { type: 'alert/received', alert: a }, { type: 'alert/focused', alertId: a.id }, {
      type: 'floor/selected',
      floorId: 'b1-1',
    });
    expect(s.focus).toBeNull();
  });
});

describe('session', () => {
  it('forgets everything of the user on sign-out but keeps the language and sound choice', () => {
    const s = run(
      ...loaded,
      { type: 'locale', locale: 'zh-CN' },
      { type: 'sound', on: false },
      { type: 'alert/received', alert: alert() },
      { type: 'session/ended' },
    );
    expect(s).toMatchObject({ user: null, catalog: null, alerts: {}, locale: 'zh-CN', soundOn: false });
  });
});
