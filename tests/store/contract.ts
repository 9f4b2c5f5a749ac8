/**
 * The Store contract: every implementation runs this same suite (embedded.test.ts, postgres.test.ts).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../geo/model';
import type { Store, TrackQuery, TrackRow } from '../../server/store/types';
import { runConfigRecordsContract } from './config-contract';

export interface StoreFixture {
  store: Store;
  /** Closes the current store and opens the same data again, as after a restart. */
  reopen(): Promise<Store>;
  /** Closes whatever is open and removes the data. */
  dispose(): Promise<void>;
}

const T0 = Date.UTC(2026, 0, 5, 21, 0, 0);
const MIN = 60_000;

export function alert(over: Partial<Alert> = {}): Alert {
  return {
    id: 'a1',
    kind: 'exit_approach',
    severity: 'high',
    state: 'open',
    residentId: 'res-1',
    residentName: 'Wang Fang',
    tagId: 'tag-1',
    siteId: 'site-1',
    wardId: 'ward-2',
    floorId: 'b1-f2',
    zoneId: 'exit-east',
    position: { floorId: 'b1-f2', x: 12.5, y: 3.25, lon: 117.0, lat: 32.6 },
    fixTs: T0,
    detectedAt: T0 + 40,
    updatedAt: T0 + 40,
    repeats: 0,
    detail: 'within 2.1 m of exit-east',
    history: [{ state: 'open', by: 'system', at: T0 + 40 }],
    ...over,
  };
}

export function row(over: Partial<TrackRow> = {}): TrackRow {
  return { siteId: 'site-1', residentId: 'res-1', tagId: 'tag-1', ts: T0, floorId: 'b1-f2', x: 1.5, y: 2.25, kind: 'fix', ...over };
}

/** Every page of a query, following the cursor. */
async function allPages(store: Store, q: TrackQuery): Promise<{ rows: TrackRow[]; pages: number }> {
  const rows: TrackRow[] = [];
  let after: string | undefined;
  for (let pages = 1; ; pages++) {
    const page = await store.queryTrack({ ...q, after });
    rows.push(...page.rows);
    if (!page.next) return { rows, pages };
    after = page.next;
  }
}

export function runStoreContract(name: string, makeStore: () => Promise<StoreFixture>): void {
  describe(`Store contract: ${name}`, () => {
    let f: StoreFixture;
    let store: Store;
    beforeEach(async () => {
      f = await makeStore();
      store = f.store;
    });
    afterEach(async () => {
      await f.dispose();
    });
    runConfigRecordsContract(() => f);

    describe('alerts', () => {
      it('returns a saved alert whole, history included', async () => {
        const a = alert({ history: [{ state: 'open', by: 'system', at: T0 + 40 }, { state: 'acknowledged', by: 'nurse', at: T0 + 90_000, note: 'on my way' }], state: 'acknowledged' });
        await store.saveAlert(a);
        expect(await store.getAlert('a1')).toEqual(a);
        expect(await store.getAlert('nope')).toBeNull();
      });

      it('saving an alert again replaces it rather than adding one', async () => {
        await store.saveAlert(alert());
        const resolved = alert({ state: 'resolved', repeats: 3, history: [...alert().history, { state: 'resolved', by: 'nurse', at: T0 + MIN, note: 'back in bed' }] });
        await store.saveAlert(resolved);
        expect(await store.getAlert('a1')).toEqual(resolved);
        expect(await store.listAlerts()).toHaveLength(1);
      });

      it('keeps its own copy: changing the object after saving changes nothing stored', async () => {
        const a = alert();
        await store.saveAlert(a);
        a.history.push({ state: 'resolved', by: 'x', at: 1 });
        a.state = 'resolved';
        expect(await store.getAlert('a1')).toEqual(alert());
      });

      it('lists newest first, filtered by site, state, resident and detection window, with a limit', async () => {
        await store.saveAlert(alert({ id: 'a1', detectedAt: T0 + 1 * MIN }));
        await store.saveAlert(alert({ id: 'a2', detectedAt: T0 + 2 * MIN, state: 'resolved' }));
        await store.saveAlert(alert({ id: 'a3', detectedAt: T0 + 3 * MIN, residentId: 'res-2' }));
        await store.saveAlert(alert({ id: 'a4', detectedAt: T0 + 4 * MIN, siteId: 'site-2' }));
        await store.saveAlert(alert({ id: 'a5', detectedAt: T0 + 5 * MIN, state: 'acknowledged' }));
        const ids = async (q: Parameters<Store['listAlerts']>[0]) => (await store.listAlerts(q)).map((a) => a.id);
        expect(await ids({})).toEqual(['a5', 'a4', 'a3', 'a2', 'a1']);
        expect(await ids({ siteId: 'site-1' })).toEqual(['a5', 'a3', 'a2', 'a1']);
        expect(await ids({ state: 'open' })).toEqual(['a4', 'a3', 'a1']);
        expect(await ids({ state: 'resolved' })).toEqual(['a2']);
        expect(await ids({ residentId: 'res-2' })).toEqual(['a3']);
        expect(await ids({ since: T0 + 2 * MIN, until: T0 + 4 * MIN })).toEqual(['a3', 'a2']);
        expect(await ids({ siteId: 'site-1', state: 'open', residentId: 'res-1' })).toEqual(['a1']);
        expect(await ids({ limit: 2 })).toEqual(['a5', 'a4']);
      });

      it('lists a resident’s open and acknowledged alerts, and forgets one once resolved', async () => {
        await store.saveAlert(alert({ id: 'a1', kind: 'exit_approach', detectedAt: T0 }));
        await store.saveAlert(alert({ id: 'a2', kind: 'fall', state: 'acknowledged', detectedAt: T0 + MIN }));
        await store.saveAlert(alert({ id: 'a3', kind: 'sos', state: 'resolved', detectedAt: T0 + 2 * MIN }));
        await store.saveAlert(alert({ id: 'a4', residentId: 'res-2' }));
        expect((await store.openAlertsFor('res-1')).map((a) => a.id)).toEqual(['a2', 'a1']);
        await store.saveAlert(alert({ id: 'a2', kind: 'fall', state: 'resolved', detectedAt: T0 + MIN }));
        expect((await store.openAlertsFor('res-1')).map((a) => a.id)).toEqual(['a1']);
        expect(await store.openAlertsFor('res-9')).toEqual([]);
      });
    });

    describe('audit and config log', () => {
      it('appends audit entries with ids and lists them newest first, by subject, actor and time', async () => {
        const e1 = await store.appendAudit({ at: T0, actor: 'nurse', action: 'alert.ack', subjectType: 'alert', subjectId: 'a1', siteId: 'site-1', detail: { note: 'on my way' } });
        await store.appendAudit({ at: T0 + MIN, actor: 'family', action: 'resident.view', subjectType: 'resident', subjectId: 'res-1' });
        await store.appendAudit({ at: T0 + 2 * MIN, actor: 'nurse', action: 'alert.resolve', subjectType: 'alert', subjectId: 'a1' });
        expect(e1.id).toBeTruthy();
        expect(e1).toMatchObject({ actor: 'nurse', subjectId: 'a1', detail: { note: 'on my way' } });
        const actions = async (q: Parameters<Store['listAudit']>[0]) => (await store.listAudit(q)).map((e) => e.action);
        expect(await actions({})).toEqual(['alert.resolve', 'resident.view', 'alert.ack']);
        expect(await actions({ subjectId: 'a1' })).toEqual(['alert.resolve', 'alert.ack']);
        expect(await actions({ actor: 'family' })).toEqual(['resident.view']);
        expect(await actions({ since: T0 + MIN, until: T0 + 2 * MIN })).toEqual(['resident.view']);
        expect(await actions({ limit: 1 })).toEqual(['alert.resolve']);
        expect((await store.listAudit({ subjectId: 'a1' }))[1]).toEqual(e1);
      });

      it('orders audit entries by their time, not by when they were appended', async () => {
        await store.appendAudit({ at: T0 + MIN, actor: 'a', action: 'late', subjectType: 's', subjectId: 'x' });
        await store.appendAudit({ at: T0, actor: 'a', action: 'early', subjectType: 's', subjectId: 'x' });
        expect((await store.listAudit()).map((e) => e.action)).toEqual(['late', 'early']);
      });

      it('records config changes with before and after, newest first, by entity', async () => {
        await store.appendConfigChange({ at: T0, actor: 'admin', entity: 'resident', entityId: 'res-1', before: null, after: { wanderRisk: false } });
        const c2 = await store.appendConfigChange({ at: T0 + MIN, actor: 'admin', entity: 'resident', entityId: 'res-1', before: { wanderRisk: false }, after: { wanderRisk: true } });
        await store.appendConfigChange({ at: T0 + 2 * MIN, actor: 'admin', entity: 'zone', entityId: 'exit-east', before: { r: 3 }, after: { r: 4 } });
        expect(c2.id).toBeTruthy();
        const res = await store.listConfigChanges({ entity: 'resident', entityId: 'res-1' });
        expect(res.map((c) => c.after)).toEqual([{ wanderRisk: true }, { wanderRisk: false }]);
        expect(res[0]).toEqual(c2);
        expect((await store.listConfigChanges()).map((c) => c.entity)).toEqual(['zone', 'resident', 'resident']);
      });
    });

    describe('tracks', () => {
      it('returns rows by time with every field as stored, optional ones absent when absent', async () => {
        const full = row({ ts: T0 + 2000, z: 0.35, zoneId: 'bath-12', kind: 'transition', detail: 'enter bath-12', x: 3.141592653589793 });
        const bare = row({ ts: T0 + 1000 });
        await store.appendFixes([full, bare]);
        const page = await store.queryTrack({ since: T0, until: T0 + MIN });
        expect(page.rows).toEqual([bare, full]);
        expect(page.next).toBeUndefined();
        expect('z' in page.rows[0]).toBe(false);
      });

      it('selects by residents, by floor, or both; since inclusive, until exclusive', async () => {
        await store.appendFixes([
          row({ residentId: 'res-1', floorId: 'f1', ts: T0 }),
          row({ residentId: 'res-2', floorId: 'f1', ts: T0 + 1 }),
          row({ residentId: 'res-2', floorId: 'f2', ts: T0 + 2 }),
          row({ residentId: 'res-3', floorId: 'f2', ts: T0 + 3 }),
          row({ residentId: 'res-1', floorId: 'f2', ts: T0 + 4 }),
        ]);
        const ts = async (q: Partial<TrackQuery>) => (await store.queryTrack({ since: T0, until: T0 + MIN, ...q })).rows.map((r) => r.ts - T0);
        expect(await ts({})).toEqual([0, 1, 2, 3, 4]);
        expect(await ts({ residentIds: ['res-1', 'res-3'] })).toEqual([0, 3, 4]);
        expect(await ts({ floorId: 'f2' })).toEqual([2, 3, 4]);
        expect(await ts({ floorId: 'f2', residentIds: ['res-2'] })).toEqual([2]);
        expect(await ts({ residentIds: [] })).toEqual([]);
        expect(await ts({ floorId: 'f9' })).toEqual([]);
        expect(await ts({ since: T0 + 1, until: T0 + 3 })).toEqual([1, 2]);
      });

      it('pages with the cursor through every row exactly once, equal timestamps included', async () => {
        // Three batches from three tags, many rows sharing a timestamp, spanning an hour boundary and two sites.
        const rows: TrackRow[] = [];
        for (let b = 0; b < 3; b++) {
          const batch: TrackRow[] = [];
          for (let i = 0; i < 40; i++) {
            batch.push(row({ siteId: i % 4 === 0 ? 'site-2' : 'site-1', residentId: `res-${b}`, tagId: `tag-${b}`, ts: T0 + 3600_000 - 10_000 + Math.floor(i / 3) * 1000, detail: `b${b}-${i}` }));
          }
          await store.appendFixes(batch);
          rows.push(...batch);
        }
        const { rows: got, pages } = await allPages(store, { since: T0, until: T0 + 2 * 3600_000, limit: 7 });
        expect(pages).toBeGreaterThanOrEqual(18);
        expect(got.map((r) => r.detail).sort()).toEqual(rows.map((r) => r.detail).sort());
        expect(new Set(got.map((r) => r.detail)).size).toBe(rows.length);
        for (let i = 1; i < got.length; i++) expect(got[i].ts).toBeGreaterThanOrEqual(got[i - 1].ts);
        // Equal timestamps keep insertion order.
        const atTs = got.filter((r) => r.ts === T0 + 3600_000 - 10_000).map((r) => r.detail);
        expect(atTs).toEqual(['b0-0', 'b0-1', 'b0-2', 'b1-0', 'b1-1', 'b1-2', 'b2-0', 'b2-1', 'b2-2']);
        // A filtered query pages the same way.
        const one = await allPages(store, { residentIds: ['res-1'], since: T0, until: T0 + 2 * 3600_000, limit: 6 });
        const want = rows.filter((r) => r.residentId === 'res-1').map((r) => r.detail);
        expect(one.rows.map((r) => r.detail).sort()).toEqual(want.sort());
        for (let i = 1; i < one.rows.length; i++) expect(one.rows[i].ts).toBeGreaterThanOrEqual(one.rows[i - 1].ts);
      });

      it('deletes a site’s rows older than the retention cut-off, and only those', async () => {
        const HOUR = 3600_000;
        await store.appendFixes([
          row({ ts: T0 - 2 * HOUR }),
          row({ ts: T0 - HOUR + 5 }),
          row({ ts: T0 + 10 }),
          row({ ts: T0 + 20 }),
          row({ ts: T0 + HOUR }),
          row({ siteId: 'site-2', residentId: 'res-9', ts: T0 - 2 * HOUR }),
        ]);
        expect(await store.deleteTracksBefore('site-1', T0 + 15)).toBe(3);
        const left = await allPages(store, { since: T0 - 3 * HOUR, until: T0 + 2 * HOUR });
        expect(left.rows.map((r) => `${r.siteId}@${r.ts - T0}`)).toEqual([`site-2@${-2 * HOUR}`, 'site-1@20', `site-1@${HOUR}`]);
        expect(await store.deleteTracksBefore('site-1', T0 + 15)).toBe(0);
        // Appending after retention goes on working, into the hour that was cut.
        await store.appendFixes([row({ ts: T0 + 30 })]);
        expect((await store.queryTrack({ since: T0, until: T0 + MIN })).rows.map((r) => r.ts - T0)).toEqual([20, 30]);
      });

      it('refuses a batch with an invalid row whole, saying which row and why', async () => {
        const bad = [row({ ts: T0 }), row({ ts: T0 + 3600_000 }), row({ ts: T0 + 2, x: Number.NaN })];
        await expect(store.appendFixes(bad)).rejects.toThrow(/row 2: x and y/);
        await expect(store.appendFixes([row({ residentId: '' })])).rejects.toThrow(/row 0: residentId/);
        await expect(store.appendFixes([row({ ts: 1.5 })])).rejects.toThrow(/row 0: ts/);
        expect((await store.queryTrack({ since: T0 - 3600_000, until: T0 + 7200_000 })).rows).toEqual([]);
      });

      it('rejects a cursor it did not make', async () => {
        await expect(store.queryTrack({ since: T0, until: T0 + MIN, after: 'garbage' })).rejects.toThrow(/cursor/);
      });
    });

    describe('outbox', () => {
      const item = (id: string, createdAt: number) => ({ id, target: 'door-east', payload: { alertId: id, action: 'lock' }, createdAt });

      it('enqueues once per id', async () => {
        expect(await store.enqueueOutbox(item('w1', T0))).toBe(true);
        expect(await store.enqueueOutbox({ ...item('w1', T0 + 5), target: 'other' })).toBe(false);
        const [got] = await store.claimOutbox(10, T0 + 10);
        expect(got).toMatchObject({ id: 'w1', target: 'door-east', payload: { alertId: 'w1', action: 'lock' }, createdAt: T0, attempts: 1 });
      });

      it('claims due items oldest first up to the limit, and leases them from other claimers', async () => {
        await store.enqueueOutbox(item('w2', T0 + 2));
        await store.enqueueOutbox(item('w1', T0 + 1));
        await store.enqueueOutbox(item('w3', T0 + 3));
        await store.enqueueOutbox(item('later', T0 + MIN));
        expect((await store.claimOutbox(2, T0 + 10, 30_000)).map((o) => o.id)).toEqual(['w1', 'w2']);
        expect((await store.claimOutbox(10, T0 + 20, 30_000)).map((o) => o.id)).toEqual(['w3']);
        expect(await store.claimOutbox(10, T0 + 30)).toEqual([]);
        // The lease ends: an item never completed (its claimer died) is delivered again.
        const again = await store.claimOutbox(10, T0 + 10 + 30_000, 30_000);
        expect(again.map((o) => [o.id, o.attempts])).toEqual([['w1', 2], ['w2', 2]]);
      });

      it('gives concurrent claimers disjoint items', async () => {
        for (let i = 0; i < 20; i++) await store.enqueueOutbox(item(`w${i}`, T0 + i));
        const [a, b] = await Promise.all([store.claimOutbox(15, T0 + MIN), store.claimOutbox(15, T0 + MIN)]);
        const ids = [...a, ...b].map((o) => o.id);
        expect(ids).toHaveLength(20);
        expect(new Set(ids).size).toBe(20);
      });

      it('retries a failed delivery at the time given, with its error, and forgets a completed one', async () => {
        await store.enqueueOutbox(item('w1', T0));
        await store.enqueueOutbox(item('w2', T0));
        await store.claimOutbox(10, T0);
        await store.failOutbox('w1', T0 + 5000, 'HTTP 503');
        await store.completeOutbox('w2');
        expect(await store.claimOutbox(10, T0 + 4999)).toEqual([]);
        const [retry] = await store.claimOutbox(10, T0 + 5000);
        expect(retry).toMatchObject({ id: 'w1', attempts: 2, lastError: 'HTTP 503' });
        await store.completeOutbox('w1');
        expect(await store.claimOutbox(10, T0 + 10 * 60_000)).toEqual([]);
        // Completing or failing an unknown id is harmless (a duplicate delivery report).
        await store.completeOutbox('w1');
        await store.failOutbox('nope', T0, 'x');
      });
    });

    describe('auth records: accounts, ingest keys, sessions', () => {
      const account = (username: string, over: Record<string, unknown> = {}) => ({ username, role: 'nurse', passwordHash: 'scrypt$1$2', wardIds: ['w1'], ...over });
      const session = (id: string, expiresAt: number, username = 'nurse-li') => ({ id, username, createdAt: T0, expiresAt });

      it('keeps accounts whole, replaces them by username, deletes them, and hands out copies', async () => {
        await store.auth.putAccount(account('nurse-li'));
        await store.auth.putAccount(account('admin', { role: 'admin' }));
        await store.auth.putAccount(account('nurse-li', { wardIds: ['w2'] }));
        expect(await store.auth.getAccount('nurse-li')).toEqual(account('nurse-li', { wardIds: ['w2'] }));
        expect((await store.auth.listAccounts()).map((a) => a.username).sort()).toEqual(['admin', 'nurse-li']);
        const got = (await store.auth.getAccount('admin')) as unknown as { role: string };
        got.role = 'family';
        expect(await store.auth.getAccount('admin')).toEqual(account('admin', { role: 'admin' }));
        await store.auth.deleteAccount('admin');
        await store.auth.deleteAccount('nobody');
        expect(await store.auth.getAccount('admin')).toBeNull();
      });

      it('keeps ingest keys by id', async () => {
        const key = { id: 'key_1', siteId: 's1', tagId: null, hashes: [{ hash: 'ab', validUntil: null }] };
        await store.auth.putIngestKey(key);
        expect(await store.auth.getIngestKey('key_1')).toEqual(key);
        const rotated = { ...key, hashes: [{ hash: 'cd', validUntil: null }] };
        await store.auth.putIngestKey(rotated);
        expect(await store.auth.listIngestKeys()).toEqual([rotated]);
        await store.auth.deleteIngestKey('key_1');
        expect(await store.auth.listIngestKeys()).toEqual([]);
      });

      it('a session is found until it expires or is revoked; expired ones are cleaned up', async () => {
        await store.auth.putSession(session('s1', T0 + 10 * MIN));
        await store.auth.putSession(session('s2', T0 + MIN));
        await store.auth.putSession(session('s3', T0 + 10 * MIN, 'admin'));
        expect(await store.auth.getSession('s1', T0)).toEqual(session('s1', T0 + 10 * MIN));
        expect(await store.auth.getSession('s2', T0 + MIN)).toBeNull();
        expect((await store.auth.listSessions(T0 + 2 * MIN)).map((s) => s.id).sort()).toEqual(['s1', 's3']);
        await store.auth.deleteSessions(['s1', 'unknown']);
        expect(await store.auth.getSession('s1', T0)).toBeNull();
        expect(await store.auth.deleteExpiredSessions(T0 + 2 * MIN)).toBe(1);
        expect((await store.auth.listSessions(T0)).map((s) => s.id)).toEqual(['s3']);
      });

      it('keeps accounts, keys and live sessions across a restart; revoked sessions stay revoked', async () => {
        await store.auth.putAccount(account('nurse-li'));
        const key = { id: 'key_1', siteId: 's1' };
        await store.auth.putIngestKey(key);
        await store.auth.putSession(session('s1', T0 + 10 * MIN));
        await store.auth.putSession(session('s2', T0 + 10 * MIN));
        await store.auth.deleteSessions(['s2']);
        store = await f.reopen();
        expect(await store.auth.getAccount('nurse-li')).toEqual(account('nurse-li'));
        expect(await store.auth.getIngestKey('key_1')).toEqual({ id: 'key_1', siteId: 's1' });
        expect(await store.auth.getSession('s1', T0)).toEqual(session('s1', T0 + 10 * MIN));
        expect(await store.auth.getSession('s2', T0)).toBeNull();
      });
    });

    it('keeps everything across close and reopen', async () => {
      const a = alert({ state: 'acknowledged', history: [...alert().history, { state: 'acknowledged', by: 'nurse', at: T0 + MIN }] });
      await store.saveAlert(a);
      const e = await store.appendAudit({ at: T0, actor: 'nurse', action: 'alert.ack', subjectType: 'alert', subjectId: 'a1' });
      const c = await store.appendConfigChange({ at: T0, actor: 'admin', entity: 'zone', entityId: 'z1', before: null, after: { kind: 'exit' } });
      const rows = Array.from({ length: 50 }, (_, i) => row({ ts: T0 + i * 1000, residentId: `res-${i % 5}` }));
      await store.appendFixes(rows);
      await store.enqueueOutbox({ id: 'w1', target: 'sms', payload: { to: '+86' }, createdAt: T0 });
      await store.enqueueOutbox({ id: 'w2', target: 'sms', payload: { to: '+86' }, createdAt: T0 });
      await store.claimOutbox(1, T0, 1000);

      store = await f.reopen();
      expect(await store.getAlert('a1')).toEqual(a);
      expect(await store.openAlertsFor('res-1')).toEqual([a]);
      expect(await store.listAudit()).toEqual([e]);
      expect(await store.listConfigChanges()).toEqual([c]);
      expect((await allPages(store, { since: T0, until: T0 + MIN, limit: 20 })).rows).toEqual(rows);
      // w2 was due first (at creation); w1 when its lease ended.
      expect((await store.claimOutbox(10, T0 + 1000)).map((o) => [o.id, o.attempts])).toEqual([['w2', 1], ['w1', 2]]);
      // Ids keep increasing after a restart.
      const e2 = await store.appendAudit({ at: T0 + 1, actor: 'nurse', action: 'x', subjectType: 'alert', subjectId: 'a1' });
      expect(e2.id).not.toBe(e.id);
      expect((await store.listAudit()).map((x) => x.id)).toEqual([e2.id, e.id]);
    });
  });
}
