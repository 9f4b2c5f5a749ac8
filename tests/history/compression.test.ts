import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES } from '../../geo/rules';
import { initialMembership, stepMembership } from '../../geo/transition';
import { World } from '../../geo/world';
import { keepReason, type FixFacts } from '../../server/history/compression';
import { TrackRecorder } from '../../server/history/track-recorder';
import type { WalFix } from '../../server/history/wal';
import { Registry } from '../../server/registry';
import type { TrackRow } from '../../server/store';
import { tinySite } from '../fixtures/tiny-site';

const T0 = Date.UTC(2026, 2, 1, 2, 0, 0);
const S = 1000;

describe('compression rules', () => {
  const at = (over: Partial<FixFacts>): FixFacts => ({ ts: T0, floorId: 'f1', x: 0, y: 0, outdoor: false, zonesChanged: false, fullRate: false, ...over });
  const last = { ts: T0, floorId: 'f1', x: 0, y: 0 };

  it('keeps the first fix of a tag', () => expect(keepReason(null, at({}))).toBe('first'));
  it('drops indoor jitter under 0.5 m and keeps a move of 0.5 m', () => {
    expect(keepReason(last, at({ ts: T0 + S, x: 0.3, y: 0.3 }))).toBeNull();
    expect(keepReason(last, at({ ts: T0 + S, x: 0.3, y: 0.4 }))).toBe('move');
  });
  it('needs 10 m outdoors, where GNSS noise is metres', () => {
    expect(keepReason(last, at({ ts: T0 + S, x: 6, y: 6, outdoor: true }))).toBeNull();
    expect(keepReason(last, at({ ts: T0 + S, x: 8, y: 6, outdoor: true }))).toBe('move');
  });
  it('keeps a floor change, a zone transition and a device event without any movement', () => {
    expect(keepReason(last, at({ ts: T0 + S, floorId: 'f2' }))).toBe('floor');
    expect(keepReason(last, at({ ts: T0 + S, zonesChanged: true }))).toBe('transition');
    expect(keepReason(last, at({ ts: T0 + S, event: 'sos' }))).toBe('event');
  });
  it('keeps a point every 60 s while the tag stands still', () => {
    expect(keepReason(last, at({ ts: T0 + 59_999 }))).toBeNull();
    expect(keepReason(last, at({ ts: T0 + 60_000 }))).toBe('interval');
  });
  it('keeps every fix in an alert\'s full-rate window', () => expect(keepReason(last, at({ ts: T0 + S, fullRate: true }))).toBe('alert'));
});

/** A recorder over the tiny site whose store is an array. */
function recorder(store?: { appendFixes(rows: readonly TrackRow[]): Promise<void> }) {
  const registry = new Registry([tinySite()]);
  const rows: TrackRow[] = [];
  const durable: number[] = [];
  const rec = new TrackRecorder(store ?? { appendFixes: async (r) => void rows.push(...r) }, registry, new World(registry.worldData()), { flushMs: 1e9 }, {
    onDurable: (seqs) => durable.push(...seqs),
  });
  return { rec, rows, durable };
}

/** Li Na (T2, no wander risk) on floor f1; `jitter` a few centimetres of RTLS noise. */
const at = (s: number, x: number, y: number, over: Partial<WalFix> = {}): WalFix => ({
  tagId: 'T2',
  ts: T0 + s * S,
  floorId: 'f1',
  x: x + 0.02 * Math.sin(s * 7),
  y: y + 0.02 * Math.cos(s * 5),
  accuracy: 0.2,
  ...over,
});
const still = (from: number, to: number, x: number, y: number) => Array.from({ length: to - from + 1 }, (_, k) => at(from + k, x, y));
const secs = (rows: TrackRow[]) => rows.map((r) => (r.ts - T0) / S);

describe('track recorder', () => {
  it('keeps the fixes where the tag enters the ward and corridor, walks into the room, and where the room entry is confirmed', async () => {
    const { rec, rows } = recorder();
    rec.record([...still(0, 4, 2, 1.5), ...still(5, 15, 3, 6)], 1);
    await rec.flush();
    expect(secs(rows)).toEqual([0, 2, 5, 7]);
    expect(rows.map((r) => r.kind)).toEqual(['fix', 'transition', 'fix', 'transition']);
    // hysteresis (3 fixes over 2 s) confirms the entry at the third fix inside: the row the detectors acted on
    expect(rows[1].detail).toBe('enter:w1,corr');
    expect(rows[3]).toMatchObject({ zoneId: 'r1', detail: 'enter:r1;exit:corr' });
  });

  it('keeps one point a minute for a resident asleep in bed', async () => {
    const { rec, rows } = recorder();
    rec.record(still(0, 600, 1.5, 10), 1);
    await rec.flush();
    // first fix, the confirmed entries into ward, room and bed, then the 60 s heartbeat
    expect(secs(rows)).toEqual([0, 2, 62, 122, 182, 242, 302, 362, 422, 482, 542]);
    expect(rows.at(-1)?.zoneId).toBe('r1-bed');
  });

  it('keeps a floor change even when the tag has not moved in the plane', async () => {
    const { rec, rows } = recorder();
    rec.record([...still(0, 3, 2, 1.5), at(4, 2, 1.5, { floorId: 'out' })], 1);
    await rec.flush();
    expect(rows.at(-1)).toMatchObject({ kind: 'transition', floorId: 'out' });
    expect(rows.at(-1)?.detail).toBe('floor:f1;exit:w1,corr');
  });

  it('writes the two minutes before an alert at full rate, every fix for five minutes after it, then compresses again', async () => {
    const { rec, rows } = recorder();
    rec.record(still(0, 300, 3, 6), 1);
    rec.alert('T2', T0 + 300 * S);
    rec.record(still(301, 900, 3, 6), 2);
    await rec.flush();
    const kept = new Set(secs(rows));
    for (let s = 180; s <= 600; s++) expect(kept.has(s), `fix at ${s} s`).toBe(true);
    expect([...kept].filter((s) => s < 180)).toEqual([0, 2, 62, 122]);
    expect([...kept].filter((s) => s > 600)).toEqual([660, 720, 780, 840, 900]);
    // no fix is written twice (the 60 s points inside the window were already rows)
    expect(rows.length).toBe(kept.size);
  });

  it('keeps outdoor GNSS points only past 10 m', async () => {
    const { rec, rows } = recorder();
    const walk = [0, 4, 8, 12, 16, 20, 24].map((d, k): WalFix => ({ tagId: 'T3', ts: T0 + k * 10 * S, floorId: 'out', x: 505 + d, y: 510, accuracy: 8 }));
    rec.record(walk, 1);
    await rec.flush();
    expect(rows.map((r) => r.x - 505)).toEqual([0, 12, 24]);
  });

  it('reports a WAL record durable only once its rows are stored, and keeps them while the store fails', async () => {
    let fail = true;
    const stored: TrackRow[] = [];
    const { rec, durable } = recorder({
      appendFixes: async (r) => {
        if (fail) throw new Error('store down');
        stored.push(...r);
      },
    });
    rec.record(still(0, 10, 2, 1.5), 41);
    await expect(rec.flush()).rejects.toThrow('store down');
    expect(durable).toEqual([]);
    expect(rec.stats.pendingRows).toBeGreaterThan(0);
    fail = false;
    await rec.flush();
    expect(durable).toEqual([41]);
    expect(secs(stored)).toEqual([0, 2]);
  });
});

describe('the recorder\'s membership fast path', () => {
  it('is skipped only where the full step would change nothing (seeded walks along zone boundaries)', () => {
    const registry = new Registry([tinySite()]);
    const zones = new World(registry.worldData()).zones;
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    let skippable = 0;
    for (let walk = 0; walk < 40; walk++) {
      let m = initialMembership();
      // start on a boundary (room door, bathroom, bed, kitchen, stairwell) and wander with RTLS noise
      const [cx, cy] = [[6, 3], [4, 11], [1.5, 9], [10, 5], [30, 1.5]][walk % 5];
      let x = cx;
      let y = cy;
      for (let k = 0; k < 300; k++) {
        x += (rand() - 0.5) * 0.6;
        y += (rand() - 0.5) * 0.6;
        const fix = { tagId: 'T', ts: T0 + k * S, floorId: 'f1', x, y, accuracy: 0.1 + rand() * 0.5 };
        const here = zones.containing('f1', x, y);
        const holds = m.floorId === 'f1' && Object.keys(m.pending).length === 0 && here.length === m.inside.length && here.every((id) => m.inside.includes(id));
        const step = stepMembership(m, fix, zones, DEFAULT_RULES.hysteresis);
        if (holds) {
          skippable++;
          expect(step.entered).toEqual([]);
          expect(step.exited).toEqual([]);
          expect(step.state.pending).toEqual({});
          expect([...step.state.inside].sort()).toEqual([...m.inside].sort());
        }
        m = step.state;
      }
    }
    expect(skippable).toBeGreaterThan(3000);
  });
});

describe('track recorder fed by the geo workers', () => {
  it('records the transitions the workers confirmed, at their fixes, and labels rows with the zones they left it in', async () => {
    const { rec, rows } = recorder();
    rec.noteZoneChanges([
      { tagId: 'T2', ts: T0 + 2 * S, entered: ['w1', 'corr'], exited: [] },
      { tagId: 'T2', ts: T0 + 8 * S, entered: ['r1'], exited: ['corr'] },
    ]);
    rec.record(still(0, 10, 2, 1.5), 1, true, true);
    await rec.flush();
    const transitions = rows.filter((r) => r.kind === 'transition');
    expect(transitions.map((r) => [secs([r])[0], r.detail])).toEqual([
      [2, 'enter:w1,corr'],
      [8, 'enter:r1;exit:corr'],
    ]);
    // the most specific zone the workers say the tag is in, even though it never moved: no membership of its own
    expect(rows.at(-1)?.zoneId).toBe('r1');
  });

  it('computes no transition of its own for fixes the workers have been through', async () => {
    const { rec, rows } = recorder();
    rec.record([...still(0, 3, 2, 1.5), ...still(4, 12, 3, 6)], 1, true, true);
    await rec.flush();
    expect(rows.filter((r) => r.kind === 'transition')).toEqual([]);
  });
});
