import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Alert, Fix } from '../../geo/model';
import { History, type HistoryOptions } from '../../server/history/history';
import { RetentionJob } from '../../server/history/retention';
import { Registry } from '../../server/registry';
import { createStore, type Store, type TrackRow } from '../../server/store';
import { tinySite } from '../fixtures/tiny-site';

const T0 = Date.now() - 30 * 60_000;
const S = 1000;
const quiet = { info() {}, warn() {}, error() {} };
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

async function start(dir: string, opts: Partial<HistoryOptions> = {}): Promise<{ store: Store; history: History }> {
  const store = await createStore(undefined, dir);
  const history = await History.start(
    { store, registry: new Registry([tinySite()]), log: quiet },
    { dataDir: dir, retention: { defaultDays: 30, bySite: {} }, retentionIntervalMs: 3600_000, recorder: { flushMs: 1e9 }, checkpointMs: 1e9, ...opts },
  );
  open.push(store, history);
  return { store, history };
}

/** Fixes of Li Na (T2) that each move 1.2 m, so compression keeps every one. */
const walk = (from: number, n: number): Fix[] =>
  Array.from({ length: n }, (_, k) => ({ tagId: 'T2', ts: T0 + (from + k) * S, floorId: 'f1', x: 2 + ((from + k) % 2) * 1.2, y: 1.5, accuracy: 0.2 }));

async function rows(store: Store, residentId = 'R2'): Promise<TrackRow[]> {
  const out: TrackRow[] = [];
  let after: string | undefined;
  do {
    const page = await store.queryTrack({ residentIds: [residentId], since: 0, until: Date.now() + 3600_000, limit: 500, after });
    out.push(...page.rows);
    after = page.next;
  } while (after);
  return out;
}

/** A copy of the directory as a crash would leave it: only what reached the files. */
function crashCopy(dir: string): string {
  const copy = mkdtempSync(join(tmpdir(), 'carewatch-crash-'));
  cpSync(dir, copy, { recursive: true });
  return copy;
}

describe('history recovery', () => {
  it('stores at the next start the rows of batches acknowledged before a crash, once each', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'carewatch-hist-'));
    const { history } = await start(dir);
    await history.durable(walk(0, 10)); // stored and checkpointed
    await history.recorder.flush();
    await history.checkpoint();
    await history.durable(walk(10, 10)); // stored, checkpoint not moved yet
    await history.recorder.flush();
    await history.durable(walk(20, 10)); // acknowledged (in the WAL), rows still in memory
    expect(history.wal.lastSeq - history.wal.checkpointSeq).toBe(2);

    const after = await start(crashCopy(dir));
    expect(after.history.recovery).toMatchObject({ replayed: 2, warmed: 1, rowsWritten: 10 });
    const ts = (await rows(after.store)).map((r) => (r.ts - T0) / S);
    expect(ts).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(after.history.wal.checkpointSeq).toBe(3);
  });

  it('writes again the full-rate window of an alert raised just before the crash', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'carewatch-hist-'));
    const { store, history } = await start(dir);
    // two minutes standing still (compression keeps a few points), then an SOS
    const still: Fix[] = Array.from({ length: 120 }, (_, k) => ({ tagId: 'T2', ts: T0 + k * S, floorId: 'f1', x: 3 + 0.01 * (k % 3), y: 6, accuracy: 0.2 }));
    await history.durable(still);
    await history.recorder.flush();
    await history.checkpoint();
    const alert = { id: 'A1', kind: 'sos', tagId: 'T2', residentId: 'R2', fixTs: T0 + 119 * S, detectedAt: T0 + 119 * S + 20 } as Alert;
    await store.saveAlert({ ...alert, state: 'open', history: [], siteId: 'tiny', position: { floorId: 'f1', x: 3, y: 6, lon: 0, lat: 0 } } as unknown as Alert);
    // the crash comes before the recorder writes the ring for that alert
    const after = await start(crashCopy(dir));
    expect(after.history.recovery?.alertsReapplied).toBe(1);
    const ts = (await rows(after.store)).map((r) => (r.ts - T0) / S);
    expect(ts).toEqual(Array.from({ length: 120 }, (_, i) => i));
  });

  it('starts empty and writes nothing when the log is empty', async () => {
    const { history } = await start(mkdtempSync(join(tmpdir(), 'carewatch-hist-')));
    expect(history.recovery).toMatchObject({ replayed: 0, warmed: 0, rowsWritten: 0 });
  });
});

describe('track retention', () => {
  it('deletes each site\'s rows older than its retention, keeps the rest, and audits the deletion', async () => {
    const store = await createStore(undefined, mkdtempSync(join(tmpdir(), 'carewatch-ret-')));
    open.push(store);
    const now = Date.UTC(2026, 5, 1);
    const DAY = 86_400_000;
    const row = (siteId: string, daysAgo: number): TrackRow => ({ siteId, residentId: `${siteId}-r`, tagId: 't', ts: now - daysAgo * DAY, floorId: 'f', x: 0, y: 0, kind: 'fix' });
    await store.appendFixes([row('a', 40), row('a', 20), row('b', 40), row('b', 20), row('b', 5)]);
    const job = new RetentionJob(store, () => ['a', 'b'], { defaultDays: 30, bySite: { b: 7 } }, (e) => {
      throw e;
    }, () => now);
    const runs = await job.runOnce();
    expect(runs.map((r) => [r.siteId, r.removed])).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
    const left = await store.queryTrack({ since: 0, until: now + 1 });
    expect(left.rows.map((r) => [r.siteId, Math.round((now - r.ts) / DAY)])).toEqual([
      ['a', 20],
      ['b', 5],
    ]);
    const audit = await store.listAudit({ actor: 'system' });
    expect(audit.map((a) => [a.action, a.subjectId])).toEqual(expect.arrayContaining([['track.retention', 'a'], ['track.retention', 'b']]));
  });
});
